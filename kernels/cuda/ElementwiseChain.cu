#include "kernels/cuda/ElementwiseChain.h"

#include "core/Error.h"
#include "kernels/cuda/ChainValue.cuh"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/GridStride.cuh"
#include "kernels/cuda/SoftmaxLine.cuh"

#include <algorithm>

namespace cimlir::cuda {

namespace {

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

void ChainInputs::set(int j, const void *input, const Shape &shape,
                      const std::vector<int64_t> &strides) {
  data[j] = input;
  std::copy(strides.begin(), strides.end(), stride[j]);
  int64_t n = 1;
  for (int64_t e : shape)
    n *= e;
  // The input's axes without its leading 1s: Y's trailing axes when it is a suffix.
  size_t lead = 0;
  while (lead < shape.size() && shape[lead] == 1)
    ++lead;
  const int kept = static_cast<int>(shape.size() - lead);
  bool suffix = kept <= rank;
  for (int k = 0; suffix && k < kept; ++k)
    suffix = shape[lead + static_cast<size_t>(k)] == extent[rank - kept + k];
  period[j] = n;
  if (n == numel && suffix)
    read[j] = ChainRead::Same;
  else if (n == 1)
    read[j] = ChainRead::Scalar;
  else if (suffix)
    read[j] = ChainRead::Suffix;
  else
    read[j] = ChainRead::General;
  general = general || read[j] == ChainRead::General;
}

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
