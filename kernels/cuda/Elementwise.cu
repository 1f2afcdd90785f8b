#include "kernels/cuda/Elementwise.h"

#include "core/Error.h"
#include "kernels/cpu/BinaryMath.h"
#include "kernels/cpu/UnaryMath.h"
#include "kernels/cuda/CudaCheck.h"
#include "kernels/cuda/ElementTypes.cuh"
#include "kernels/cuda/GridStride.cuh"

#include <type_traits>

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

template <cpu::BinaryOp Op, typename T>
__global__ void binaryKernel(const T *a, const T *b, Broadcast shape, T *y, DeviceFault *fault,
                             int site) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < shape.count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = idx, ia = 0, ib = 0;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const int64_t i = rest % shape.extent[d];
      rest /= shape.extent[d];
      ia += i * shape.strideA[d];
      ib += i * shape.strideB[d];
    }
    const T divisor = b[ib];
    if constexpr (cpu::dividesBy(Op) && std::is_integral_v<T>) {
      if (divisor == T(0)) { // the CPU refuses it before computing anything
        reportDivisionFault(fault, site);
        y[idx] = T(0);
        continue;
      }
    }
    y[idx] = cpu::applyBinary<Op>(a[ia], divisor);
  }
}

template <typename T>
__global__ void unaryKernel(cpu::UnaryOp op, const T *x, T *y, int64_t count, T alpha, T beta) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    if constexpr (std::is_floating_point_v<T>)
      y[idx] = cpu::applyUnary(op, x[idx], alpha, beta);
    else
      y[idx] = cpu::applyInteger(op, x[idx]);
  }
}

template <typename T>
__global__ void geluKernel(const T *x, T *y, int64_t count, bool tanhApproximation) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x)
    y[idx] = cpu::geluValue(x[idx], tanhApproximation);
}

template <typename T>
__global__ void clipKernel(const T *x, const T *lo, const T *hi, T *y, int64_t count) {
  const T l = *lo, h = *hi;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const T v = x[idx];
    y[idx] = v < l ? l : (h < v ? h : v); // NaN stays NaN
  }
}

template <typename T>
__global__ void classifyKernel(const T *x, bool nan, bool negative, bool positive, uint8_t *y,
                               int64_t count) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const T v = x[idx];
    y[idx] = nan ? isnan(v) : (isinf(v) && (v < T(0) ? negative : positive));
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

template <typename T> __global__ void reluKernel(const T *x, T *y, int64_t count) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < count;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const T v = x[idx];
    y[idx] = v < T(0) ? T(0) : v; // NaN stays NaN, as in the CPU kernel
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

bool binaryOnGpu(DType t) {
  return withArithmeticType(t, [](auto) {});
}

void binary(cpu::BinaryOp op, const void *a, const void *b, DType t, const Broadcast &shape,
            void *y, DeviceFault *fault, int site, cudaStream_t stream) {
  if (shape.count == 0)
    return;
  const unsigned blocks = gridStrideBlocks(shape.count);
  auto launch = [&](auto e, auto opTag) {
    using T = decltype(e);
    binaryKernel<decltype(opTag)::value, T><<<blocks, kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(a), static_cast<const T *>(b), shape, static_cast<T *>(y), fault,
        site);
  };
  using Op = cpu::BinaryOp;
  const bool typed = withArithmeticType(t, [&](auto e) {
    switch (op) {
    case Op::Add:
      return launch(e, std::integral_constant<Op, Op::Add>{});
    case Op::Sub:
      return launch(e, std::integral_constant<Op, Op::Sub>{});
    case Op::Mul:
      return launch(e, std::integral_constant<Op, Op::Mul>{});
    case Op::Div:
      return launch(e, std::integral_constant<Op, Op::Div>{});
    case Op::Max:
      return launch(e, std::integral_constant<Op, Op::Max>{});
    case Op::Min:
      return launch(e, std::integral_constant<Op, Op::Min>{});
    case Op::Pow:
      return launch(e, std::integral_constant<Op, Op::Pow>{});
    case Op::PRelu:
      return launch(e, std::integral_constant<Op, Op::PRelu>{});
    case Op::Mod:
      return launch(e, std::integral_constant<Op, Op::Mod>{});
    case Op::FMod:
      return launch(e, std::integral_constant<Op, Op::FMod>{});
    }
  });
  if (!typed)
    throw Error(std::string("internal: no GPU binary op on ") + dtypeName(t));
  checkLaunch("binary");
}

bool unaryOnGpu(cpu::UnaryOp op, DType t) {
  return t == DType::F32 || t == DType::F64 ||
         (cpu::unaryOpTypes()[static_cast<size_t>(op)].signedIntegers &&
          (t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64));
}

void unary(cpu::UnaryOp op, const void *x, void *y, DType t, int64_t count, float alpha, float beta,
           cudaStream_t stream) {
  if (count == 0)
    return;
  if (!unaryOnGpu(op, t) || !withArithmeticType(t, [&](auto e) {
        using T = decltype(e);
        if constexpr (!std::is_unsigned_v<T>) // unaryOnGpu takes no unsigned type
          unaryKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
              op, static_cast<const T *>(x), static_cast<T *>(y), count, static_cast<T>(alpha),
              static_cast<T>(beta));
      }))
    throw Error(std::string("internal: no GPU unary op on ") + dtypeName(t));
  checkLaunch("unary");
}

void gelu(const void *x, void *y, DType t, int64_t count, bool tanhApproximation,
          cudaStream_t stream) {
  if (count == 0)
    return;
  auto launch = [&](auto e) {
    using T = decltype(e);
    geluKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), static_cast<T *>(y), count, tanhApproximation);
  };
  withRealType(t, "Gelu", launch);
  checkLaunch("gelu");
}

void clip(const void *x, const void *lo, const void *hi, void *y, DType t, int64_t count,
          cudaStream_t stream) {
  if (count == 0)
    return;
  if (!withArithmeticType(t, [&](auto e) {
        using T = decltype(e);
        clipKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
            static_cast<const T *>(x), static_cast<const T *>(lo), static_cast<const T *>(hi),
            static_cast<T *>(y), count);
      }))
    throw Error(std::string("internal: no GPU Clip on ") + dtypeName(t));
  checkLaunch("clip");
}

void classify(const void *x, DType t, bool nan, bool negative, bool positive, uint8_t *y,
              int64_t count, cudaStream_t stream) {
  if (count == 0)
    return;
  auto launch = [&](auto e) {
    using T = decltype(e);
    classifyKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
        static_cast<const T *>(x), nan, negative, positive, y, count);
  };
  withRealType(t, "IsNaN/IsInf", launch);
  checkLaunch("classify");
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

bool reluOnGpu(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::I8 || t == DType::I16 ||
         t == DType::I32 || t == DType::I64;
}

void relu(const void *x, void *y, DType t, int64_t count, cudaStream_t stream) {
  if (count == 0)
    return;
  if (!reluOnGpu(t) || !withArithmeticType(t, [&](auto e) {
        using T = decltype(e);
        if constexpr (!std::is_unsigned_v<T>) // reluOnGpu takes no unsigned type
          reluKernel<T><<<gridStrideBlocks(count), kGridStrideThreads, 0, stream>>>(
              static_cast<const T *>(x), static_cast<T *>(y), count);
      }))
    throw Error(std::string("internal: no GPU Relu on ") + dtypeName(t));
  checkLaunch("relu");
}

} // namespace cimlir::cuda
