// cimlir CUDA kernels: ONNX Einsum of float32 or float64 device memory, as cpu::einsum computes
// it: one thread per output element runs the CPU's loop (cpu::einsumLoop, computed on the host
// and uploaded), its products summed in float64 in the same order, so the results are the CPU's
// bits.
#pragma once

#include "core/DType.h"
#include "kernels/cpu/Einsum.h"
#include "kernels/cuda/DeviceMemory.h"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>

namespace cimlir::cuda {

/// The most inputs a GPU Einsum takes (their addresses are kernel arguments).
constexpr int kMaxEinsumInputs = 16;

/// A cpu::EinsumLoop in device memory.
struct EinsumLoopView {
  int inputs = 0, labels = 0, outputLabels = 0;
  int64_t terms = 0;
  const int64_t *sizes = nullptr;   ///< per loop label
  const int64_t *strides = nullptr; ///< per input, per loop label
};

struct DeviceEinsumLoop {
  EinsumLoopView view;
  std::shared_ptr<void> memory;
};

/// `loop` uploaded; at most kMaxEinsumInputs inputs (else an internal error).
DeviceEinsumLoop uploadEinsumLoop(const cpu::EinsumLoop &loop, const Upload &upload);

/// The inputs' addresses in device memory, in the equation's order.
struct EinsumOperands {
  const void *x[kMaxEinsumInputs] = {};
};

/// Y (`outputs` elements of `type`, float32 or float64, as are the inputs) = the einsum of
/// `operands` through `loop`.
void einsum(const EinsumOperands &operands, DType type, const EinsumLoopView &loop, int64_t outputs,
            void *y, cudaStream_t stream);

} // namespace cimlir::cuda
