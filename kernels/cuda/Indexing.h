// cimlir CUDA kernels: GatherElements, ScatterElements, GatherND, ScatterND, OneHot, TopK, Trilu,
// ArgMax, ArgMin and CumSum (the CPU kernels' results, on the GPU).
#pragma once

namespace cimlir::cuda {} // namespace cimlir::cuda
