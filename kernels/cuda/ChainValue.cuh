// cimlir CUDA kernels: an elementwise chain's value at one element of its output, written once
// for the GPU kernels (ElementwiseChain.cu) and host code that checks them on a machine with no
// GPU (test/unit/cuda/ElementwiseChainCudaTest.cu).
#pragma once

#include "core/HostDevice.h"
#include "kernels/cpu/ChainMath.h"
#include "kernels/cuda/ElementwiseChain.h"

namespace cimlir::cuda {

/// The chain's value at element idx of Y: input 0's element run through the program. Every
/// loop runs to a compile-time bound, so that the offsets stay in registers and the program
/// and the inputs are read from the kernel's parameters at fixed places (a dynamic index
/// would copy them to local memory, per thread).
template <typename T>
CIMLIR_HOST_DEVICE T chainValue(const ChainProgram &program, const ChainInputs &inputs,
                                int64_t idx) {
  int64_t offset[cpu::kMaxChainInputs];
  CIMLIR_UNROLL
  for (int j = 0; j < cpu::kMaxChainInputs; ++j)
    offset[j] = 0;
  if (inputs.general) {
    int64_t rest = idx;
    CIMLIR_UNROLL
    for (int d = kMaxBroadcastRank - 1; d >= 0; --d) {
      if (d >= inputs.rank)
        continue;
      const int64_t i = rest % inputs.extent[d];
      rest /= inputs.extent[d];
      CIMLIR_UNROLL
      for (int j = 0; j < cpu::kMaxChainInputs; ++j)
        if (inputs.read[j] == ChainRead::General)
          offset[j] += i * inputs.stride[j][d];
    }
  }
  CIMLIR_UNROLL
  for (int j = 0; j < cpu::kMaxChainInputs; ++j) {
    if (inputs.read[j] == ChainRead::Same)
      offset[j] = idx;
    else if (inputs.read[j] == ChainRead::Suffix)
      offset[j] = idx % inputs.period[j];
  }
  T v = static_cast<const T *>(inputs.data[0])[idx]; // input 0 has Y's shape
  CIMLIR_UNROLL
  for (int k = 0; k < cpu::kMaxChainInstructions; ++k) {
    if (k >= program.length)
      break;
    const cpu::ChainInstruction &in = program.instructions[k];
    T b = T(0);
    CIMLIR_UNROLL
    for (int j = 0; j < cpu::kMaxChainInputs; ++j)
      if (j == in.operand)
        b = static_cast<const T *>(inputs.data[j])[offset[j]];
    v = cpu::applyChainInstruction(in, v, b);
  }
  return v;
}

} // namespace cimlir::cuda
