// cimlir CPU kernels: reductions over axes (ONNX Reduce*, ArgMax, ArgMin).
#pragma once

#include "core/HostDevice.h"
#include "core/Tensor.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace cimlir::cpu {

/// The ONNX Reduce ops.
enum class ReduceOp {
  L1,
  L2,
  LogSum,
  LogSumExp,
  Max,
  Mean,
  Min,
  Prod,
  Sum,
  SumSquare,
};
/// Their op types ("ReduceL1", ...) in the order of the enumeration: the one list the
/// importer and the CPU backend follow.
const std::vector<std::string> &reduceOpTypes();

/// The permutation of X's axes that moves the reduced `axes` last (each group in order),
/// the axes checked (distinct, in [0, rank)) with errors naming `kernel`.
std::vector<int64_t> reducedLastPermutation(const char *kernel, const Shape &x,
                                            const std::vector<int64_t> &axes);
/// Y's shape: X's without the reduced axes, or with them as 1 when `keepDims`.
Shape reducedShape(const Shape &x, const std::vector<int64_t> &axes, bool keepDims);

/// Y = op over `axes` of X (distinct, in [0, rank); empty: Y is X), the reduced axes kept as
/// size 1 when `keepDims`. Float32 and float64 accumulate in float64 (LogSumExp around the
/// maximum, so that it does not overflow); int32 and int64 (Max, Min, Prod, Sum, SumSquare,
/// L1) in int64, wrapping. An empty reduction gives the op's identity (0, 1, -inf, +inf;
/// Max and Min of integers: the type's lowest and highest).
void reduce(ReduceOp op, const Tensor &x, const std::vector<int64_t> &axes, bool keepDims,
            Tensor &y);

/// Whether reduce takes op on `t`: float32 and float64, and int32 and int64 for Max, Min, Prod,
/// Sum, SumSquare and L1.
bool reduceTakes(ReduceOp op, DType t);

/// op over the `n` contiguous values of one row, in reduce's arithmetic and order, written once
/// for the CPU and the GPU kernels.
template <typename T> CIMLIR_HOST_DEVICE T reduceRow(ReduceOp op, const T *v, int64_t n) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  auto wrapAdd = [](Acc a, Acc b) -> Acc {
    if constexpr (std::is_integral_v<Acc>)
      return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else
      return a + b;
  };
  auto wrapMul = [](Acc a, Acc b) -> Acc {
    if constexpr (std::is_integral_v<Acc>)
      return static_cast<Acc>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    else
      return a * b;
  };
  switch (op) {
  case ReduceOp::Max:
  case ReduceOp::Min: {
    const bool max = op == ReduceOp::Max;
    T best = max ? (std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::lowest())
                 : (std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity()
                                                : std::numeric_limits<T>::max());
    for (int64_t i = 0; i < n; ++i) {
      if (v[i] != v[i])
        return v[i]; // NaN propagates
      if (max ? v[i] > best : v[i] < best)
        best = v[i];
    }
    return best;
  }
  case ReduceOp::LogSumExp: {
    if constexpr (std::is_floating_point_v<T>) {
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < n; ++i)
        m = std::isnan(v[i]) ? v[i] : std::fmax(m, static_cast<double>(v[i]));
      if (!std::isfinite(m))
        return static_cast<T>(n == 0 ? -std::numeric_limits<double>::infinity() : m);
      double s = 0;
      for (int64_t i = 0; i < n; ++i)
        s += std::exp(static_cast<double>(v[i]) - m);
      return static_cast<T>(m + std::log(s));
    }
    break;
  }
  default:
    break;
  }
  Acc acc = op == ReduceOp::Prod ? Acc(1) : Acc(0);
  for (int64_t i = 0; i < n; ++i) {
    const Acc e = static_cast<Acc>(v[i]);
    switch (op) {
    case ReduceOp::L1:
      acc = wrapAdd(acc, e < 0 ? -e : e);
      break;
    case ReduceOp::L2:
    case ReduceOp::SumSquare:
      acc = wrapAdd(acc, wrapMul(e, e));
      break;
    case ReduceOp::Prod:
      acc = wrapMul(acc, e);
      break;
    default: // Sum, Mean, LogSum
      acc = wrapAdd(acc, e);
      break;
    }
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (op == ReduceOp::L2)
      return static_cast<T>(std::sqrt(acc));
    if (op == ReduceOp::LogSum)
      return static_cast<T>(std::log(acc));
    if (op == ReduceOp::Mean)
      return static_cast<T>(n ? acc / static_cast<double>(n) : std::nan(""));
  }
  return static_cast<T>(acc);
}

/// ArgMax (`max`) or ArgMin along `axis`: the int64 index of the first (or, `last`, the last)
/// extreme element; NaN counts as the extreme, as numpy.argmax does. The axis must not be
/// empty.
void argExtreme(bool max, const Tensor &x, int64_t axis, bool keepDims, bool last, Tensor &y);
/// The index argExtreme picks on a line of `n` elements `stride` apart (n > 0), written once for
/// the CPU and the GPU kernels.
template <typename T>
CIMLIR_HOST_DEVICE int64_t argExtremeAlong(bool max, const T *v, int64_t n, int64_t stride,
                                           bool last) {
  int64_t best = 0;
  for (int64_t j = 1; j < n; ++j) {
    const T b = v[best * stride], e = v[j * stride];
    if (b != b)
      break; // the first NaN wins
    const bool better = e != e || (max ? e > b : e < b);
    if (better || (last && e == b))
      best = j;
  }
  return best;
}
/// argExtreme's checks of its operands, with its messages (the CUDA backend's step makes them
/// too).
void checkArgExtreme(bool max, const Tensor &x, int64_t axis, bool keepDims, const Tensor &y);

/// ONNX CumSum along `axis`: running sums in X's type and order (as numpy.cumsum does),
/// `exclusive` leaving each element out of its own sum, `reverse` from the end; float32/64,
/// int32/int64 (wrapping).
void cumSum(const Tensor &x, int64_t axis, bool exclusive, bool reverse, Tensor &y);
/// cumSum's running sums on a line of `len` elements `stride` apart, written once for the CPU
/// and the GPU kernels.
template <typename T>
CIMLIR_HOST_DEVICE void cumSumAlong(const T *src, T *dst, int64_t len, int64_t stride,
                                    bool exclusive, bool reverse) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, T, uint64_t>; // ints wrap
  Acc acc = 0;
  for (int64_t step = 0; step < len; ++step) {
    const int64_t l = reverse ? len - 1 - step : step;
    if (exclusive) {
      dst[l * stride] = static_cast<T>(acc);
      acc += static_cast<Acc>(src[l * stride]);
    } else {
      acc += static_cast<Acc>(src[l * stride]);
      dst[l * stride] = static_cast<T>(acc);
    }
  }
}
/// cumSum's checks of its operands, with its messages (and the CUDA backend's).
void checkCumSum(const Tensor &x, int64_t axis, const Tensor &y);

} // namespace cimlir::cpu
