#include "kernels/cuda/Einsum.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>
#include <vector>

namespace cimlir::cuda {

namespace {

/// Output element o: the output labels' values from o, then each term's summed labels' values
/// from its number (row-major, as cpu::einsum), the product of the inputs' elements in input
/// order added to the total.
template <typename T>
__global__ void einsumKernel(EinsumOperands operands, EinsumLoopView loop, int64_t outputs, T *y) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < outputs;
       o += int64_t(gridDim.x) * blockDim.x) {
    int64_t base[kMaxEinsumInputs]; // per input: the offset of the output labels' values
    for (int k = 0; k < loop.inputs; ++k)
      base[k] = 0;
    int64_t rest = o;
    for (int q = loop.outputLabels - 1; q >= 0; --q) {
      const int64_t v = rest % loop.sizes[q];
      rest /= loop.sizes[q];
      for (int k = 0; k < loop.inputs; ++k)
        base[k] += v * loop.strides[k * loop.labels + q];
    }
    double total = 0;
    for (int64_t s = 0; s < loop.terms; ++s) {
      int64_t offset[kMaxEinsumInputs];
      for (int k = 0; k < loop.inputs; ++k)
        offset[k] = base[k];
      rest = s;
      for (int q = loop.labels - 1; q >= loop.outputLabels; --q) {
        const int64_t v = rest % loop.sizes[q];
        rest /= loop.sizes[q];
        for (int k = 0; k < loop.inputs; ++k)
          offset[k] += v * loop.strides[k * loop.labels + q];
      }
      double product = 1;
      for (int k = 0; k < loop.inputs; ++k)
        product *= static_cast<double>(static_cast<const T *>(operands.x[k])[offset[k]]);
      total += product;
    }
    y[o] = static_cast<T>(total);
  }
}

} // namespace

DeviceEinsumLoop uploadEinsumLoop(const cpu::EinsumLoop &loop, const Upload &upload) {
  if (loop.strides.size() > static_cast<size_t>(kMaxEinsumInputs))
    throw Error("internal: a GPU Einsum of " + std::to_string(loop.strides.size()) + " inputs");
  DeviceEinsumLoop out;
  EinsumLoopView &v = out.view;
  v.inputs = static_cast<int>(loop.strides.size());
  v.labels = static_cast<int>(loop.sizes.size());
  v.outputLabels = static_cast<int>(loop.outputLabels);
  v.terms = loop.terms;
  std::vector<int64_t> table = loop.sizes; // then the strides, input after input
  for (const std::vector<int64_t> &strides : loop.strides)
    table.insert(table.end(), strides.begin(), strides.end());
  if (table.empty())
    table.push_back(0); // no labels (scalars only): a non-null allocation all the same
  out.memory = upload(table.data(), table.size() * sizeof(int64_t), "Einsum's loop");
  v.sizes = static_cast<const int64_t *>(out.memory.get());
  v.strides = v.sizes + loop.sizes.size();
  return out;
}

void einsum(const EinsumOperands &operands, DType type, const EinsumLoopView &loop, int64_t outputs,
            void *y, cudaStream_t stream) {
  if (outputs == 0)
    return;
  const unsigned blocks = gridStrideBlocks(outputs);
  withRealType(type, "Einsum", [&](auto e) {
    using T = decltype(e);
    einsumKernel<T>
        <<<blocks, kGridStrideThreads, 0, stream>>>(operands, loop, outputs, static_cast<T *>(y));
  });
  checkLaunch("einsum");
}

} // namespace cimlir::cuda
