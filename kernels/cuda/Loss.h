// cimlir CUDA kernels: ONNX NegativeLogLikelihoodLoss of float32 or float64 device memory, as
// cpu::nllLoss computes it: each loss in float64 by the CPU's expression; a sum or mean adds the
// losses and the weights in the CPU's order (one block computes them a block-width at a time,
// its first thread adds them in sequence), so the results are the CPU's bits. A target outside
// [0, C) that is not ignored is reported to the fault record.
#pragma once

#include "core/DType.h"
#include "kernels/cpu/Loss.h"
#include "kernels/cuda/DeviceFault.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <optional>

namespace cimlir::cuda {

/// Input [n, c, inner] of `type`, target [n, inner] (int64 or int32), weight [c] of `type` or
/// null.
struct NllOperands {
  const void *input = nullptr, *target = nullptr, *weight = nullptr;
  DType type = DType::F32;
  bool target64 = true;
  int64_t n = 0, c = 0, inner = 0;
};

/// Y: the losses [n, inner] for None, else their sum or mean (one element). A target that is not
/// `ignoreIndex` and outside [0, c) is reported to `fault` at `site`.
void nllLoss(const NllOperands &operands, cpu::LossReduction reduction,
             std::optional<int64_t> ignoreIndex, void *y, DeviceFault *fault, int site,
             cudaStream_t stream);

} // namespace cimlir::cuda
