#include "kernels/cpu/Reduce.h"

#include "kernels/cpu/Check.h"
#include "kernels/cpu/Layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

using detail::fail;

const std::vector<std::string> &reduceOpTypes() {
  static const std::vector<std::string> names = {
      "ReduceL1",   "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMean", "ReduceMin", "ReduceProd",   "ReduceSum",       "ReduceSumSquare"};
  return names;
}

std::vector<int64_t> reducedLastPermutation(const char *kn, const Shape &x,
                                            const std::vector<int64_t> &axes) {
  const int64_t rank = static_cast<int64_t>(x.size());
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    if (a < 0 || a >= rank || reduced[static_cast<size_t>(a)])
      fail(kn,
           "axis " + std::to_string(a) + " is out of range or repeated for X " + shapeToString(x));
    reduced[static_cast<size_t>(a)] = true;
  }
  std::vector<int64_t> perm;
  for (bool last : {false, true})
    for (int64_t a = 0; a < rank; ++a)
      if (reduced[static_cast<size_t>(a)] == last)
        perm.push_back(a);
  return perm;
}

Shape reducedShape(const Shape &x, const std::vector<int64_t> &axes, bool keepDims) {
  Shape out;
  for (int64_t a = 0; a < static_cast<int64_t>(x.size()); ++a) {
    const bool r = std::find(axes.begin(), axes.end(), a) != axes.end();
    if (!r)
      out.push_back(x[static_cast<size_t>(a)]);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

namespace {

/// X with the reduced axes moved last: rows of `inner` elements, one per output element.
struct Rows {
  Tensor data;
  int64_t rows = 1, inner = 1;
};

Rows reducedLast(const char *kn, const Tensor &x, const std::vector<int64_t> &axes) {
  const std::vector<int64_t> perm = reducedLastPermutation(kn, x.shape(), axes);
  Rows r;
  Shape moved;
  for (size_t i = 0; i < perm.size(); ++i) {
    moved.push_back(x.dim(perm[i]));
    (i < perm.size() - axes.size() ? r.rows : r.inner) *= x.dim(perm[i]);
  }
  r.data = Tensor::allocate(x.dtype(), moved);
  transpose(x, perm, r.data);
  return r;
}

template <typename T> void reduceTyped(ReduceOp op, const Rows &r, Tensor &y) {
  const T *x = r.data.data<T>();
  T *out = y.data<T>();
  for (int64_t i = 0; i < r.rows; ++i)
    out[i] = reduceRow(op, x + i * r.inner, r.inner);
}

} // namespace

bool reduceTakes(ReduceOp op, DType t) {
  const bool integerOk = op == ReduceOp::Max || op == ReduceOp::Min || op == ReduceOp::Prod ||
                         op == ReduceOp::Sum || op == ReduceOp::SumSquare || op == ReduceOp::L1;
  return t == DType::F32 || t == DType::F64 || (integerOk && (t == DType::I32 || t == DType::I64));
}

void reduce(ReduceOp op, const Tensor &x, const std::vector<int64_t> &axes, bool keepDims,
            Tensor &y) {
  const auto index = static_cast<size_t>(op);
  const char *kn = index < reduceOpTypes().size() ? reduceOpTypes()[index].c_str() : "reduce";
  detail::requireData(kn, "X", x);
  detail::requireDType(kn, "Y", y, x.dtype());
  Rows r = reducedLast(kn, x, axes);
  detail::requireShape(kn, "Y", y, reducedShape(x.shape(), axes, keepDims));
  if (!reduceTakes(op, x.dtype()))
    fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
  switch (x.dtype()) {
  case DType::F32:
    return reduceTyped<float>(op, r, y);
  case DType::F64:
    return reduceTyped<double>(op, r, y);
  case DType::I32:
    return reduceTyped<int32_t>(op, r, y);
  default:
    return reduceTyped<int64_t>(op, r, y);
  }
}

namespace {
template <typename T> void argTyped(bool max, const Rows &r, bool last, int64_t *out) {
  const T *x = r.data.data<T>();
  for (int64_t i = 0; i < r.rows; ++i) {
    out[i] = argExtremeAlong(max, x + i * r.inner, r.inner, 1, last);
  }
}
} // namespace

void checkArgExtreme(bool max, const Tensor &x, int64_t axis, bool keepDims, const Tensor &y) {
  const char *kn = max ? "ArgMax" : "ArgMin";
  detail::requireData(kn, "X", x);
  detail::requireDType(kn, "Y", y, DType::I64);
  reducedLastPermutation(kn, x.shape(), {axis});
  detail::requireShape(kn, "Y", y, reducedShape(x.shape(), {axis}, keepDims));
  int64_t rows = 1;
  for (int64_t a = 0; a < x.rank(); ++a)
    if (a != axis)
      rows *= x.dim(a);
  if (x.dim(axis) == 0 && rows > 0)
    fail(kn, "axis " + std::to_string(axis) + " of X " + shapeToString(x.shape()) + " is empty");
}

void argExtreme(bool max, const Tensor &x, int64_t axis, bool keepDims, bool last, Tensor &y) {
  const char *kn = max ? "ArgMax" : "ArgMin";
  checkArgExtreme(max, x, axis, keepDims, y);
  Rows r = reducedLast(kn, x, {axis});
  int64_t *out = y.data<int64_t>();
  switch (x.dtype()) {
  case DType::F32:
    return argTyped<float>(max, r, last, out);
  case DType::F64:
    return argTyped<double>(max, r, last, out);
  case DType::I8:
    return argTyped<int8_t>(max, r, last, out);
  case DType::U8:
    return argTyped<uint8_t>(max, r, last, out);
  case DType::I16:
    return argTyped<int16_t>(max, r, last, out);
  case DType::U16:
    return argTyped<uint16_t>(max, r, last, out);
  case DType::I32:
    return argTyped<int32_t>(max, r, last, out);
  case DType::I64:
    return argTyped<int64_t>(max, r, last, out);
  default:
    fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
  }
}

namespace {
template <typename T>
void cumSumTyped(const Tensor &x, int64_t axis, bool exclusive, bool reverse, Tensor &y) {
  int64_t outer = 1, len = x.dim(axis), inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= x.dim(a);
  for (int64_t a = axis + 1; a < x.rank(); ++a)
    inner *= x.dim(a);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      cumSumAlong(x.data<T>() + o * len * inner + i, y.data<T>() + o * len * inner + i, len, inner,
                  exclusive, reverse);
}
} // namespace

void checkCumSum(const Tensor &x, int64_t axis, const Tensor &y) {
  const char *kn = "CumSum";
  detail::requireData(kn, "X", x);
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is out of range for X " + shapeToString(x.shape()));
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
}

void cumSum(const Tensor &x, int64_t axis, bool exclusive, bool reverse, Tensor &y) {
  const char *kn = "CumSum";
  checkCumSum(x, axis, y);
  switch (x.dtype()) {
  case DType::F32:
    return cumSumTyped<float>(x, axis, exclusive, reverse, y);
  case DType::F64:
    return cumSumTyped<double>(x, axis, exclusive, reverse, y);
  case DType::I32:
    return cumSumTyped<int32_t>(x, axis, exclusive, reverse, y);
  case DType::I64:
    return cumSumTyped<int64_t>(x, axis, exclusive, reverse, y);
  default:
    fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
  }
}

} // namespace cimlir::cpu
