// cimlir CUDA kernels: Einsum (the CPU kernels' results, on the GPU).
#pragma once

namespace cimlir::cuda {} // namespace cimlir::cuda
