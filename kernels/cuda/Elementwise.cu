#include "kernels/cuda/Elementwise.h"

#include "core/Error.h"
#include "kernels/cpu/UnaryMath.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

namespace cimlir::cuda {

namespace {

__global__ void gemmEpilogueKernel(float *y, int64_t M, int64_t N, float alpha, const float *C,
                                   int64_t cRows, int64_t cCols, float beta) {
  const int64_t count = M * N;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t m = idx / N, n = idx % N;
    float v = alpha * y[idx];
    if (C)
      v = v + beta * C[(cRows == 1 ? 0 : m * cCols) + (cCols == 1 ? 0 : n)];
    y[idx] = v;
  }
}

template <cpu::BinaryOp Op> __device__ __forceinline__ float applyBinary(float a, float b) {
  if constexpr (Op == cpu::BinaryOp::Add)
    return a + b;
  else if constexpr (Op == cpu::BinaryOp::Sub)
    return a - b;
  else if constexpr (Op == cpu::BinaryOp::Mul)
    return a * b;
  else if constexpr (Op == cpu::BinaryOp::Div)
    return __fdiv_rn(a, b);
  else if constexpr (Op == cpu::BinaryOp::Max)
    return a != a || b != b ? __int_as_float(0x7fc00000) : (a < b ? b : a);
  else if constexpr (Op == cpu::BinaryOp::Min)
    return a != a || b != b ? __int_as_float(0x7fc00000) : (b < a ? b : a);
  else if constexpr (Op == cpu::BinaryOp::Pow)
    return powf(a, b);
  else // PRelu
    return a < 0.0f ? a * b : a;
}

template <cpu::BinaryOp Op>
__global__ void binaryKernel(const float *a, const float *b, Broadcast shape, float *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < shape.count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = idx, ia = 0, ib = 0;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const int64_t i = rest % shape.extent[d];
      rest /= shape.extent[d];
      ia += i * shape.strideA[d];
      ib += i * shape.strideB[d];
    }
    y[idx] = applyBinary<Op>(a[ia], b[ib]);
  }
}

__global__ void unaryKernel(cpu::UnaryOp op, const float *x, float *y, int64_t count, float alpha,
                            float beta) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] = cpu::applyUnary(op, x[idx], alpha, beta);
}

__global__ void geluKernel(const float *x, float *y, int64_t count, bool tanhApproximation) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] = cpu::geluValue(x[idx], tanhApproximation);
}

__global__ void clipKernel(const float *x, const float *lo, const float *hi, float *y,
                           int64_t count) {
  const float l = *lo, h = *hi;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const float v = x[idx];
    y[idx] = v < l ? l : (h < v ? h : v);
  }
}

/// Element idx of Y's offsets into A, B and C.
__device__ __forceinline__ void offsets(const Broadcast &shape, int64_t idx, int64_t &ia,
                                        int64_t &ib, int64_t &ic) {
  ia = ib = ic = 0;
  for (int d = shape.rank - 1; d >= 0; --d) {
    const int64_t i = idx % shape.extent[d];
    idx /= shape.extent[d];
    ia += i * shape.strideA[d];
    ib += i * shape.strideB[d];
    ic += i * shape.strideC[d];
  }
}

template <typename T>
__global__ void compareKernel(cpu::CompareOp op, const T *a, const T *b, Broadcast shape,
                              uint8_t *y) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < shape.count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t ia, ib, ic;
    offsets(shape, idx, ia, ib, ic);
    const T x = a[ia], z = b[ib];
    bool r = false;
    switch (op) {
    case cpu::CompareOp::Equal:
      r = x == z;
      break;
    case cpu::CompareOp::Greater:
      r = x > z;
      break;
    case cpu::CompareOp::GreaterOrEqual:
      r = x >= z;
      break;
    case cpu::CompareOp::Less:
      r = x < z;
      break;
    case cpu::CompareOp::LessOrEqual:
      r = x <= z;
      break;
    case cpu::CompareOp::And:
      r = x && z;
      break;
    case cpu::CompareOp::Or:
      r = x || z;
      break;
    case cpu::CompareOp::Xor:
      r = bool(x) != bool(z);
      break;
    }
    y[idx] = r;
  }
}

__global__ void notKernel(const uint8_t *x, uint8_t *y, int64_t count) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] = !x[idx];
}

template <typename E>
__global__ void whereKernel(const uint8_t *condition, const E *x, const E *y, Broadcast shape,
                            E *out) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < shape.count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t ia, ib, ic;
    offsets(shape, idx, ia, ib, ic);
    out[idx] = condition[ia] ? x[ib] : y[ic];
  }
}

__global__ void reluKernel(const float *x, float *y, int64_t count) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const float v = x[idx];
    y[idx] = v < 0.0f ? 0.0f : v;
  }
}

} // namespace

void gemmEpilogue(float *y, int64_t M, int64_t N, float alpha, const float *C, int64_t cRows,
                  int64_t cCols, float beta, cudaStream_t stream) {
  if (M * N == 0)
    return;
  gemmEpilogueKernel<<<gridStrideBlocks(M * N), kGridStrideThreads, 0, stream>>>(
      y, M, N, alpha, C, cRows, cCols, beta);
  checkLaunch("gemm epilogue");
}

bool Broadcast::of(const Shape &a, const Shape &b, const Shape &y, Broadcast &out) {
  return of(a, b, Shape{}, y, out);
}

bool Broadcast::of(const Shape &a, const Shape &b, const Shape &c, const Shape &y, Broadcast &out) {
  const int rank = static_cast<int>(y.size());
  if (rank > kMaxBroadcastRank)
    return false;
  out = Broadcast{};
  out.rank = rank;
  out.count = 1;
  int64_t sa = 1, sb = 1, sc = 1;
  auto dimFromEnd = [](const Shape &s, int fromEnd) {
    return fromEnd < static_cast<int>(s.size()) ? s[s.size() - 1 - fromEnd] : int64_t(1);
  };
  for (int d = rank - 1; d >= 0; --d) {
    const int fromEnd = rank - 1 - d;
    const int64_t da = dimFromEnd(a, fromEnd), db = dimFromEnd(b, fromEnd),
                  dc = dimFromEnd(c, fromEnd);
    out.extent[d] = y[d];
    out.strideA[d] = da == 1 ? 0 : sa;
    out.strideB[d] = db == 1 ? 0 : sb;
    out.strideC[d] = dc == 1 ? 0 : sc;
    sa *= da;
    sb *= db;
    sc *= dc;
    out.count *= y[d];
  }
  return true;
}

bool binaryOnGpu(cpu::BinaryOp op) {
  switch (op) {
  case cpu::BinaryOp::Add:
  case cpu::BinaryOp::Sub:
  case cpu::BinaryOp::Mul:
  case cpu::BinaryOp::Div:
  case cpu::BinaryOp::Max:
  case cpu::BinaryOp::Min:
  case cpu::BinaryOp::Pow:
  case cpu::BinaryOp::PRelu:
    return true;
  default:
    return false;
  }
}

void binary(cpu::BinaryOp op, const float *a, const float *b, const Broadcast &shape, float *y,
            cudaStream_t stream) {
  if (shape.count == 0)
    return;
  const unsigned blocks = gridStrideBlocks(shape.count);
  switch (op) {
  case cpu::BinaryOp::Add:
    binaryKernel<cpu::BinaryOp::Add><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Sub:
    binaryKernel<cpu::BinaryOp::Sub><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Mul:
    binaryKernel<cpu::BinaryOp::Mul><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Div:
    binaryKernel<cpu::BinaryOp::Div><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Max:
    binaryKernel<cpu::BinaryOp::Max><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Min:
    binaryKernel<cpu::BinaryOp::Min><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::Pow:
    binaryKernel<cpu::BinaryOp::Pow><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  case cpu::BinaryOp::PRelu:
    binaryKernel<cpu::BinaryOp::PRelu><<<blocks, kGridStrideThreads, 0, stream>>>(a, b, shape, y);
    break;
  default:
    throw Error("internal: no GPU kernel for this binary op");
  }
  checkLaunch("binary");
}

void unary(cpu::UnaryOp op, const float *x, float *y, int64_t count, float alpha, float beta,
           cudaStream_t stream) {
  if (count == 0)
    return;
  unaryKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(op, x, y, count, alpha,
                                                                          beta);
  checkLaunch("unary");
}

void gelu(const float *x, float *y, int64_t count, bool tanhApproximation, cudaStream_t stream) {
  if (count == 0)
    return;
  geluKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, y, count,
                                                                         tanhApproximation);
  checkLaunch("gelu");
}

void clip(const float *x, const float *lo, const float *hi, float *y, int64_t count,
          cudaStream_t stream) {
  if (count == 0)
    return;
  clipKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, lo, hi, y, count);
  checkLaunch("clip");
}

bool compareOnGpu(DType t) {
  return withElementType<uint8_t>(t, [](auto) {});
}

void compare(cpu::CompareOp op, const void *a, const void *b, DType t, const Broadcast &shape,
             uint8_t *y, cudaStream_t stream) {
  if (shape.count == 0)
    return;
  if (!withElementType<uint8_t>(t, [&](auto e) {
        using T = decltype(e);
        compareKernel<T><<<gridStrideBlocks(shape.count), kGridStrideThreads, 0, stream>>>(
            op, static_cast<const T *>(a), static_cast<const T *>(b), shape, y);
      }))
    throw Error(std::string("internal: no GPU comparison of ") + dtypeName(t));
  checkLaunch("compare");
}

void logicalNot(const uint8_t *x, uint8_t *y, int64_t count, cudaStream_t stream) {
  if (count == 0)
    return;
  notKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, y, count);
  checkLaunch("not");
}

void where(const uint8_t *condition, const void *x, const void *y, size_t elementSize,
           const Broadcast &shape, void *out, cudaStream_t stream) {
  if (shape.count == 0)
    return;
  byElementSize(elementSize, "Where", [&](auto e) {
    using E = decltype(e);
    whereKernel<E><<<gridStrideBlocks(shape.count), kGridStrideThreads, 0, stream>>>(
        condition, static_cast<const E *>(x), static_cast<const E *>(y), shape,
        static_cast<E *>(out));
  });
  checkLaunch("where");
}

void relu(const float *x, float *y, int64_t count, cudaStream_t stream) {
  if (count == 0)
    return;
  reluKernel<<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(x, y, count);
  checkLaunch("relu");
}

} // namespace cimlir::cuda
