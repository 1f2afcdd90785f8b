#include "kernels/cuda/Reduce.h"

#include "kernels/cuda/BlockReduce.cuh"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

namespace cimlir::cuda {

namespace {

/// max or min that lets NaN through (a NaN anywhere makes the result NaN).
template <bool Max> struct ExtremeOp {
  __device__ double operator()(double a, double b) const {
    if (a != a || b != b)
      return a != a ? a : b;
    return Max ? (b > a ? b : a) : (b < a ? b : a);
  }
};

/// This thread's share of the row's accumulation (cpu::reduce's per-element terms).
__device__ double accumulate(cpu::ReduceOp op, const float *v, int64_t n, double m) {
  double acc = op == cpu::ReduceOp::Prod ? 1.0 : 0.0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const double e = v[i];
    switch (op) {
    case cpu::ReduceOp::L1:
      acc += e < 0 ? -e : e;
      break;
    case cpu::ReduceOp::L2:
    case cpu::ReduceOp::SumSquare:
      acc += e * e;
      break;
    case cpu::ReduceOp::Prod:
      acc *= e;
      break;
    case cpu::ReduceOp::LogSumExp:
      acc += exp(e - m);
      break;
    default: // Sum, Mean, LogSum
      acc += e;
      break;
    }
  }
  return acc;
}

struct ProductOp {
  __device__ double operator()(double a, double b) const { return a * b; }
};

__global__ void reduceRowsKernel(cpu::ReduceOp op, const float *x, int64_t rows, int64_t n,
                                 float *y) {
  const double inf = __longlong_as_double(0x7ff0000000000000LL);
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *v = x + r * n;
    float result;
    if (op == cpu::ReduceOp::Max || op == cpu::ReduceOp::Min || op == cpu::ReduceOp::LogSumExp) {
      const bool max = op != cpu::ReduceOp::Min;
      double best = max ? -inf : inf;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        best = max ? ExtremeOp<true>()(best, v[i]) : ExtremeOp<false>()(best, v[i]);
      best = max ? blockReduce(best, ExtremeOp<true>()) : blockReduce(best, ExtremeOp<false>());
      if (op != cpu::ReduceOp::LogSumExp) {
        result = static_cast<float>(best);
      } else if (!isfinite(best)) {
        result = static_cast<float>(n == 0 ? -inf : best);
      } else {
        const double s = blockReduce(accumulate(op, v, n, best), SumOp());
        result = static_cast<float>(best + log(s));
      }
    } else {
      double acc = accumulate(op, v, n, 0);
      acc = op == cpu::ReduceOp::Prod ? blockReduce(acc, ProductOp()) : blockReduce(acc, SumOp());
      if (op == cpu::ReduceOp::L2)
        acc = sqrt(acc);
      else if (op == cpu::ReduceOp::LogSum)
        acc = log(acc);
      else if (op == cpu::ReduceOp::Mean)
        acc = n ? acc / static_cast<double>(n) : __longlong_as_double(0x7ff8000000000000LL);
      result = static_cast<float>(acc);
    }
    if (threadIdx.x == 0)
      y[r] = result;
  }
}

template <typename T>
__global__ void reduceRowsInOrderKernel(cpu::ReduceOp op, const T *x, int64_t rows, int64_t n,
                                        T *y) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r < rows;
       r += int64_t(gridDim.x) * blockDim.x)
    y[r] = cpu::reduceRow(op, x + r * n, n);
}

} // namespace

void reduceRowsInOrder(cpu::ReduceOp op, const void *x, DType t, int64_t rows, int64_t inner,
                       void *y, cudaStream_t stream) {
  if (rows == 0)
    return;
  auto launch = [&](auto e) {
    using T = decltype(e);
    reduceRowsInOrderKernel<T><<<gridStrideBlocks(rows), kGridStrideThreads, 0, stream>>>(
        op, static_cast<const T *>(x), rows, inner, static_cast<T *>(y));
  };
  withNumericType(t, "in-order reduction", launch);
  checkLaunch("reduce");
}

void reduceRows(cpu::ReduceOp op, const float *x, int64_t rows, int64_t inner, float *y,
                cudaStream_t stream) {
  if (rows == 0)
    return;
  const unsigned blocks =
      static_cast<unsigned>(rows < (int64_t(1) << 20) ? rows : (int64_t(1) << 20));
  reduceRowsKernel<<<blocks, kLineThreads, 0, stream>>>(op, x, rows, inner, y);
  checkLaunch("reduce");
}

} // namespace cimlir::cuda
