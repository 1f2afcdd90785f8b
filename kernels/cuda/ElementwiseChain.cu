#include "kernels/cuda/ElementwiseChain.h"

#include "core/Error.h"
#include "kernels/cpu/ChainMath.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/SoftmaxLine.cuh"

namespace cimlir::cuda {

namespace {

/// The chain's value at element idx of Y: input 0's element run through the program.
template <typename T>
__device__ T chainValue(const ChainProgram &program, const ChainInputs &inputs, int64_t idx) {
  int64_t offset[cpu::kMaxChainInputs] = {};
  int64_t rest = idx;
  for (int d = inputs.rank - 1; d >= 0; --d) {
    const int64_t i = rest % inputs.extent[d];
    rest /= inputs.extent[d];
    for (int j = 1; j < inputs.count; ++j) // input 0 has Y's shape: its offset is idx
      offset[j] += i * inputs.stride[j][d];
  }
  offset[0] = idx;
  T v = static_cast<const T *>(inputs.data[0])[idx];
  for (int k = 0; k < program.length; ++k) {
    const cpu::ChainInstruction &in = program.instructions[k];
    const T b = in.operand >= 0
                    ? static_cast<const T *>(inputs.data[in.operand])[offset[in.operand]]
                    : T(0);
    v = cpu::applyChainInstruction(in, v, b);
  }
  return v;
}

template <typename T> __global__ void chainKernel(ChainProgram program, ChainInputs inputs, T *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < inputs.numel;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] = chainValue<T>(program, inputs, idx);
}

/// A chain that ends in Softmax: one block per row of the last axis, the row's chain values
/// computed in each pass of the Softmax step's own line code (SoftmaxLine.cuh).
__global__ void chainSoftmaxKernel(ChainProgram program, ChainInputs inputs, int64_t rows,
                                   int64_t len, float *y) {
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t base = row * len;
    softmaxLine<cpu::SoftmaxKind::Softmax>(
        [&](int64_t l) { return chainValue<float>(program, inputs, base + l); }, len, y + base, 1);
  }
}

} // namespace

bool elementwiseChainOnGpu(DType t, size_t rank) {
  return (t == DType::F32 || t == DType::F64) && rank <= static_cast<size_t>(kMaxBroadcastRank);
}

void elementwiseChain(const ChainProgram &program, const ChainInputs &inputs, DType t, void *y,
                      cudaStream_t stream) {
  if (!elementwiseChainOnGpu(t, static_cast<size_t>(inputs.rank)))
    throw Error("internal: no GPU elementwise chain on " + std::string(dtypeName(t)) + " of rank " +
                std::to_string(inputs.rank));
  if (inputs.numel == 0)
    return;
  if (program.length > 0 &&
      program.instructions[program.length - 1].op.kind == cpu::ChainOpKind::Softmax) {
    if (t != DType::F32 || inputs.rank == 0)
      throw Error("internal: a GPU chain's Softmax needs float32 of rank >= 1");
    const int64_t len = inputs.extent[inputs.rank - 1], rows = inputs.numel / len;
    chainSoftmaxKernel<<<lineBlocks(rows), kLineThreads, 0, stream>>>(program, inputs, rows, len,
                                                                      static_cast<float *>(y));
    checkLaunch("elementwiseChain (softmax)");
    return;
  }
  const unsigned blocks = gridStrideBlocks(inputs.numel);
  if (t == DType::F32)
    chainKernel<float>
        <<<blocks, kGridStrideThreads, 0, stream>>>(program, inputs, static_cast<float *>(y));
  else
    chainKernel<double>
        <<<blocks, kGridStrideThreads, 0, stream>>>(program, inputs, static_cast<double *>(y));
  checkLaunch("elementwiseChain");
}

} // namespace cimlir::cuda
