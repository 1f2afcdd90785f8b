// cimlir CPU kernels: reductions over axes (ONNX Reduce*, ArgMax, ArgMin).
#pragma once

#include "core/Tensor.h"

#include <string>
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

/// ArgMax (`max`) or ArgMin along `axis`: the int64 index of the first (or, `last`, the last)
/// extreme element; NaN counts as the extreme, as numpy.argmax does. The axis must not be
/// empty.
void argExtreme(bool max, const Tensor &x, int64_t axis, bool keepDims, bool last, Tensor &y);

/// ONNX CumSum along `axis`: running sums in X's type and order (as numpy.cumsum does),
/// `exclusive` leaving each element out of its own sum, `reverse` from the end; float32/64,
/// int32/int64 (wrapping).
void cumSum(const Tensor &x, int64_t axis, bool exclusive, bool reverse, Tensor &y);

} // namespace cimlir::cpu
