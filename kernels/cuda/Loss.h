// cimlir CUDA kernels: NegativeLogLikelihoodLoss (the CPU kernels' results, on the GPU).
#pragma once

namespace cimlir::cuda {} // namespace cimlir::cuda
