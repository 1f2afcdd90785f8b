// cimlir CUDA kernels: an elementwise chain (kernels/cpu/ElementwiseChain.h) in one kernel,
// each element read once and written once, with the CPU's element functions (ChainMath.h).
#pragma once

#include <cuda_runtime_api.h>

#include "core/DType.h"
#include "kernels/cpu/ElementwiseChain.h"
#include "kernels/cuda/Elementwise.h"

#include <vector>

namespace cimlir::cuda {

/// The program, by value (a kernel parameter).
struct ChainProgram {
  int length = 0;
  cpu::ChainInstruction instructions[cpu::kMaxChainInstructions];
};

/// How an input is read at element idx of Y: at idx (Y's shape), at 0 (one element), at
/// idx % period (Y's trailing axes, broadcast along the leading ones: a bias, a position
/// table), or through Y's multi-index and the input's strides (any other broadcast).
enum class ChainRead : uint8_t { Same, Scalar, Suffix, General };

/// The chain's inputs in device memory and how each is read at an element of Y: Y's extents,
/// and per input its read, its period and its strides over them (0 along a broadcast axis).
struct ChainInputs {
  int count = 0, rank = 0;
  int64_t numel = 0;
  bool general = false; ///< some input is read through the multi-index
  int64_t extent[kMaxBroadcastRank] = {};
  const void *data[cpu::kMaxChainInputs] = {};
  ChainRead read[cpu::kMaxChainInputs] = {};
  int64_t period[cpu::kMaxChainInputs] = {};
  int64_t stride[cpu::kMaxChainInputs][kMaxBroadcastRank] = {};
  /// Input `j` of shape `shape`, at `data`, read at Y's elements (`strides` from
  /// cpu::broadcastStrides against Y's shape, set in `extent` and `rank` before).
  void set(int j, const void *data, const Shape &shape, const std::vector<int64_t> &strides);
};

/// Whether elementwiseChain() takes `t` and an output of rank `rank`: float32 and float64,
/// rank up to kMaxBroadcastRank.
bool elementwiseChainOnGpu(DType t, size_t rank);

/// y = the program over every element of inputs.data[0] (y's shape), as cpu::elementwiseChain
/// (one kernel; a program ending in Softmax, one block per row); the caller checked the
/// program against the inputs (cpu::chainInstructionFrom).
void elementwiseChain(const ChainProgram &program, const ChainInputs &inputs, DType t, void *y,
                      cudaStream_t stream);

} // namespace cimlir::cuda
