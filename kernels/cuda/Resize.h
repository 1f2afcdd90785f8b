// cimlir CUDA kernels: Resize (the CPU kernels' results, on the GPU).
#pragma once

namespace cimlir::cuda {} // namespace cimlir::cuda
