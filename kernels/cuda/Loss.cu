#include "kernels/cuda/Loss.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <string>

namespace cimlir::cuda {

namespace {

/// Threads of the one block that sums the losses.
constexpr int kSumThreads = 256;

template <typename T, typename I> struct Nll {
  const T *input, *weight;
  const I *target;
  int64_t c, inner, count; ///< count: the targets, n · inner
  bool ignore;
  int64_t ignoreIndex;
  DeviceFault *fault;
  int site;

  /// Target `at`'s loss and weight as cpu::nllLoss has them (0 and 0 where ignored, or where
  /// the target is out of range, which is reported).
  __device__ void term(int64_t at, double &loss, double &wt) const {
    loss = 0;
    wt = 0;
    const int64_t t = static_cast<int64_t>(target[at]);
    if (ignore && t == ignoreIndex)
      return;
    if (t < 0 || t >= c) {
      reportOutsideFault(fault, site, t, c);
      return;
    }
    wt = weight ? static_cast<double>(weight[t]) : 1.0;
    loss = -static_cast<double>(input[((at / inner) * c + t) * inner + at % inner]) * wt;
  }
};

template <typename T, typename I> __global__ void nllLossesKernel(Nll<T, I> a, T *y) {
  for (int64_t at = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; at < a.count;
       at += int64_t(gridDim.x) * blockDim.x) {
    double loss, wt;
    a.term(at, loss, wt);
    y[at] = static_cast<T>(loss);
  }
}

/// One block: the terms of a block-width of targets at a time, added by thread 0 in target order.
template <typename T, typename I> __global__ void nllSumKernel(Nll<T, I> a, bool mean, T *y) {
  __shared__ double losses[kSumThreads], weights[kSumThreads];
  double total = 0, weightSum = 0; // thread 0's
  for (int64_t first = 0; first < a.count; first += kSumThreads) {
    const int64_t at = first + threadIdx.x;
    double loss = 0, wt = 0;
    if (at < a.count)
      a.term(at, loss, wt);
    losses[threadIdx.x] = loss;
    weights[threadIdx.x] = wt;
    __syncthreads();
    if (threadIdx.x == 0)
      for (int k = 0; k < kSumThreads && first + k < a.count; ++k) {
        total += losses[k];
        weightSum += weights[k];
      }
    __syncthreads();
  }
  if (threadIdx.x == 0)
    y[0] = static_cast<T>(mean ? total / weightSum : total);
}

template <typename T, typename I>
void launch(const NllOperands &o, cpu::LossReduction reduction, std::optional<int64_t> ignoreIndex,
            void *y, DeviceFault *fault, int site, cudaStream_t stream) {
  const Nll<T, I> a{static_cast<const T *>(o.input),
                    static_cast<const T *>(o.weight),
                    static_cast<const I *>(o.target),
                    o.c,
                    o.inner,
                    o.n * o.inner,
                    ignoreIndex.has_value(),
                    ignoreIndex.value_or(0),
                    fault,
                    site};
  if (reduction != cpu::LossReduction::None)
    nllSumKernel<T, I><<<1, kSumThreads, 0, stream>>>(a, reduction == cpu::LossReduction::Mean,
                                                      static_cast<T *>(y));
  else if (a.count)
    nllLossesKernel<T, I>
        <<<gridStrideBlocks(a.count), kGridStrideThreads, 0, stream>>>(a, static_cast<T *>(y));
  else
    return; // no losses
  checkLaunch("nllLoss");
}

template <typename T>
void launchTyped(const NllOperands &o, cpu::LossReduction reduction,
                 std::optional<int64_t> ignoreIndex, void *y, DeviceFault *fault, int site,
                 cudaStream_t stream) {
  if (o.target64)
    launch<T, int64_t>(o, reduction, ignoreIndex, y, fault, site, stream);
  else
    launch<T, int32_t>(o, reduction, ignoreIndex, y, fault, site, stream);
}

} // namespace

void nllLoss(const NllOperands &operands, cpu::LossReduction reduction,
             std::optional<int64_t> ignoreIndex, void *y, DeviceFault *fault, int site,
             cudaStream_t stream) {
  withRealType(operands.type, "NegativeLogLikelihoodLoss", [&](auto e) {
    launchTyped<decltype(e)>(operands, reduction, ignoreIndex, y, fault, site, stream);
  });
}

} // namespace cimlir::cuda
