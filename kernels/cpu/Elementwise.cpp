#include "kernels/cpu/Elementwise.h"

#include "kernels/cpu/BinaryMath.h"
#include "kernels/cpu/Check.h"
#include "kernels/cpu/Layout.h"
#include "kernels/cpu/UnaryMath.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;

const char *binaryOpName(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "add";
  case BinaryOp::Sub:
    return "sub";
  case BinaryOp::Mul:
    return "mul";
  case BinaryOp::Div:
    return "div";
  case BinaryOp::Max:
    return "max";
  case BinaryOp::Min:
    return "min";
  case BinaryOp::Pow:
    return "pow";
  case BinaryOp::PRelu:
    return "prelu";
  case BinaryOp::Mod:
    return "mod";
  case BinaryOp::FMod:
    return "fmod";
  }
  return "binary";
}

namespace {

/// Y's axes after dropping size-1 axes and merging neighbours that both operands either
/// span or broadcast alike, so the inner loop is as long as possible.
struct Plan {
  std::vector<int64_t> extent, strideA, strideB; // strides in elements, 0 when broadcast
};

Plan makePlan(const Shape &a, const Shape &b, const Shape &out) {
  size_t rank = out.size();
  auto dimOf = [rank](const Shape &s, size_t i) {
    return i < rank - s.size() ? int64_t(1) : s[i - (rank - s.size())];
  };
  std::vector<int64_t> ext;
  std::vector<bool> spanA, spanB;
  for (size_t i = 0; i < rank; ++i) {
    if (out[i] == 1)
      continue;
    bool sa = dimOf(a, i) != 1, sb = dimOf(b, i) != 1;
    if (!ext.empty() && spanA.back() == sa && spanB.back() == sb) {
      ext.back() *= out[i];
    } else {
      ext.push_back(out[i]);
      spanA.push_back(sa);
      spanB.push_back(sb);
    }
  }
  Plan p;
  size_t r = ext.size();
  p.extent = ext;
  p.strideA.assign(r, 0);
  p.strideB.assign(r, 0);
  int64_t na = 1, nb = 1;
  for (size_t i = r; i-- > 0;) {
    if (spanA[i]) {
      p.strideA[i] = na;
      na *= ext[i];
    }
    if (spanB[i]) {
      p.strideB[i] = nb;
      nb *= ext[i];
    }
  }
  return p;
}

/// Y[i] = f(A[i'], B[i'']) over the broadcast of A and B: A and B of T, Y of R.
template <typename T, typename R, typename F>
void broadcastApply(const Tensor &a, const Tensor &b, Tensor &y, F f) {
  const T *av = a.data<T>();
  const T *bv = b.data<T>();
  R *yv = y.data<R>();
  const int64_t n = y.numel();
  if (n == 0)
    return;
  Plan p = makePlan(a.shape(), b.shape(), y.shape());
  size_t r = p.extent.size();
  if (r == 0) {
    yv[0] = f(av[0], bv[0]);
    return;
  }
  // The innermost merged axis is spanned by at least one operand, with stride 1.
  int64_t inner = p.extent[r - 1], ia = p.strideA[r - 1], ib = p.strideB[r - 1];
  std::vector<int64_t> idx(r, 0);
  int64_t offA = 0, offB = 0;
  for (int64_t done = 0; done < n; done += inner) {
    const T *ra = av + offA;
    const T *rb = bv + offB;
    R *ry = yv + done;
    // Separate loops for the three stride patterns let the compiler vectorise each.
    if (ia == 1 && ib == 1)
      for (int64_t j = 0; j < inner; ++j)
        ry[j] = f(ra[j], rb[j]);
    else if (ia == 1)
      for (int64_t j = 0; j < inner; ++j)
        ry[j] = f(ra[j], rb[0]);
    else
      for (int64_t j = 0; j < inner; ++j)
        ry[j] = f(ra[0], rb[j]);
    for (size_t i = r - 1; i-- > 0;) {
      offA += p.strideA[i];
      offB += p.strideB[i];
      if (++idx[i] < p.extent[i])
        break;
      offA -= p.strideA[i] * idx[i];
      offB -= p.strideB[i] * idx[i];
      idx[i] = 0;
    }
  }
}

template <BinaryOp Op, typename T> void binaryTyped(const Tensor &a, const Tensor &b, Tensor &y) {
  if constexpr (dividesBy(Op) && std::is_integral_v<T>) {
    // Checked before anything is written, so a failing division leaves Y untouched.
    const T *bv = b.data<T>(), *end = bv + b.numel();
    if (y.numel() && std::find(bv, end, T(0)) != end)
      fail(binaryOpName(Op), std::string("integer division by zero (") + dtypeName(b.dtype()) +
                                 " divisor " + shapeToString(b.shape()) + " holds a 0)");
  }
  broadcastApply<T, T>(a, b, y, [](T x, T z) { return applyBinary<Op>(x, z); });
}

template <BinaryOp Op> void binaryOp(const Tensor &a, const Tensor &b, Tensor &y) {
  switch (a.dtype()) {
  case DType::F32:
    return binaryTyped<Op, float>(a, b, y);
  case DType::F64:
    return binaryTyped<Op, double>(a, b, y);
  case DType::I8:
    return binaryTyped<Op, int8_t>(a, b, y);
  case DType::U8:
    return binaryTyped<Op, uint8_t>(a, b, y);
  case DType::I16:
    return binaryTyped<Op, int16_t>(a, b, y);
  case DType::U16:
    return binaryTyped<Op, uint16_t>(a, b, y);
  case DType::I32:
    return binaryTyped<Op, int32_t>(a, b, y);
  case DType::I64:
    return binaryTyped<Op, int64_t>(a, b, y);
  default:
    fail(binaryOpName(Op), std::string("unsupported dtype ") + dtypeName(a.dtype()));
  }
}

template <typename T> void reluTyped(const Tensor &x, Tensor &y) {
  const T *xv = x.data<T>();
  T *yv = y.data<T>();
  int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i)
    yv[i] = xv[i] < T(0) ? T(0) : xv[i]; // NaN stays NaN, as max(NaN, 0) does in ONNX
}

} // namespace

void binary(BinaryOp op, const Tensor &a, const Tensor &b, Tensor &y) {
  const char *kn = binaryOpName(op);
  requireDType(kn, "A", a, a.dtype());
  requireDType(kn, "B", b, a.dtype());
  requireDType(kn, "Y", y, a.dtype());
  Shape out;
  if (!detail::broadcastShapes(a.shape(), b.shape(), out))
    fail(kn, "shapes " + shapeToString(a.shape()) + " and " + shapeToString(b.shape()) +
                 " do not broadcast");
  detail::requireShape(kn, "Y", y, out);
  switch (op) {
  case BinaryOp::Add:
    return binaryOp<BinaryOp::Add>(a, b, y);
  case BinaryOp::Sub:
    return binaryOp<BinaryOp::Sub>(a, b, y);
  case BinaryOp::Mul:
    return binaryOp<BinaryOp::Mul>(a, b, y);
  case BinaryOp::Div:
    return binaryOp<BinaryOp::Div>(a, b, y);
  case BinaryOp::Max:
    return binaryOp<BinaryOp::Max>(a, b, y);
  case BinaryOp::Min:
    return binaryOp<BinaryOp::Min>(a, b, y);
  case BinaryOp::Pow:
    return binaryOp<BinaryOp::Pow>(a, b, y);
  case BinaryOp::PRelu:
    return binaryOp<BinaryOp::PRelu>(a, b, y);
  case BinaryOp::Mod:
    return binaryOp<BinaryOp::Mod>(a, b, y);
  case BinaryOp::FMod:
    return binaryOp<BinaryOp::FMod>(a, b, y);
  }
  fail(kn, "unknown binary op");
}

void relu(const Tensor &x, Tensor &y) {
  const char *kn = "relu";
  requireDType(kn, "X", x, x.dtype());
  requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
  switch (x.dtype()) {
  case DType::F32:
    return reluTyped<float>(x, y);
  case DType::F64:
    return reluTyped<double>(x, y);
  case DType::I8:
    return reluTyped<int8_t>(x, y);
  case DType::I16:
    return reluTyped<int16_t>(x, y);
  case DType::I32:
    return reluTyped<int32_t>(x, y);
  case DType::I64:
    return reluTyped<int64_t>(x, y);
  default:
    fail(kn, std::string("unsupported dtype ") + dtypeName(x.dtype()));
  }
}

const std::vector<UnaryOpType> &unaryOpTypes() {
  static const std::vector<UnaryOpType> types = {
      {"Abs", "", 0, "", 0, true},
      {"Acos"},
      {"Acosh"},
      {"Asin"},
      {"Asinh"},
      {"Atan"},
      {"Atanh"},
      {"Ceil"},
      {"Celu", "alpha", 1.0f},
      {"Cos"},
      {"Cosh"},
      {"Elu", "alpha", 1.0f},
      {"Erf"},
      {"Exp"},
      {"Floor"},
      {"HardSigmoid", "alpha", 0.2f, "beta", 0.5f},
      {"HardSwish"},
      {"LeakyRelu", "alpha", 0.01f},
      {"Log"},
      {"Mish"},
      {"Neg", "", 0, "", 0, true},
      {"Reciprocal"},
      {"Round"},
      {"Selu", "alpha", 1.67326319217681884765625f, "gamma", 1.05070102214813232421875f},
      {"Shrink", "lambd", 0.5f, "bias", 0.0f},
      {"Sigmoid"},
      {"Sign", "", 0, "", 0, true},
      {"Sin"},
      {"Sinh"},
      {"Softplus"},
      {"Softsign"},
      {"Sqrt"},
      {"Tan"},
      {"Tanh"},
      {"ThresholdedRelu", "alpha", 1.0f},
  };
  return types;
}

namespace {

template <typename T> void unaryInteger(UnaryOp op, const Tensor &x, Tensor &y) {
  const T *xv = x.data<T>();
  T *yv = y.data<T>();
  for (int64_t i = 0; i < x.numel(); ++i)
    yv[i] = applyInteger(op, xv[i]);
}

template <typename T>
void unaryTyped(UnaryOp op, const Tensor &x, Tensor &y, float alpha, float beta) {
  const T *xv = x.data<T>();
  T *yv = y.data<T>();
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i)
    yv[i] = applyUnary(op, xv[i], static_cast<T>(alpha), static_cast<T>(beta));
}

} // namespace

void unary(UnaryOp op, const Tensor &x, Tensor &y, float alpha, float beta) {
  const auto index = static_cast<size_t>(op);
  const char *kn = index < unaryOpTypes().size() ? unaryOpTypes()[index].name.c_str() : "unary";
  requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
  switch (x.dtype()) {
  case DType::F32:
    return unaryTyped<float>(op, x, y, alpha, beta);
  case DType::F64:
    return unaryTyped<double>(op, x, y, alpha, beta);
  default:
    break;
  }
  if (index < unaryOpTypes().size() && unaryOpTypes()[index].signedIntegers) {
    switch (x.dtype()) {
    case DType::I8:
      return unaryInteger<int8_t>(op, x, y);
    case DType::I16:
      return unaryInteger<int16_t>(op, x, y);
    case DType::I32:
      return unaryInteger<int32_t>(op, x, y);
    case DType::I64:
      return unaryInteger<int64_t>(op, x, y);
    default:
      break;
    }
  }
  fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
}

namespace {

template <typename T> void compareTyped(CompareOp op, const Tensor &a, const Tensor &b, Tensor &y) {
  auto run = [&](auto f) { broadcastApply<T, uint8_t>(a, b, y, f); };
  switch (op) {
  case CompareOp::Equal:
    return run([](T x, T z) { return uint8_t(x == z); });
  case CompareOp::Greater:
    return run([](T x, T z) { return uint8_t(x > z); });
  case CompareOp::GreaterOrEqual:
    return run([](T x, T z) { return uint8_t(x >= z); });
  case CompareOp::Less:
    return run([](T x, T z) { return uint8_t(x < z); });
  case CompareOp::LessOrEqual:
    return run([](T x, T z) { return uint8_t(x <= z); });
  case CompareOp::And:
    return run([](T x, T z) { return uint8_t(x && z); });
  case CompareOp::Or:
    return run([](T x, T z) { return uint8_t(x || z); });
  case CompareOp::Xor:
    return run([](T x, T z) { return uint8_t(bool(x) != bool(z)); });
  }
}

} // namespace

const std::vector<std::string> &compareOpTypes() {
  static const std::vector<std::string> names = {
      "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "And", "Or", "Xor"};
  return names;
}

void compare(CompareOp op, const Tensor &a, const Tensor &b, Tensor &y) {
  const auto index = static_cast<size_t>(op);
  const char *kn = index < compareOpTypes().size() ? compareOpTypes()[index].c_str() : "compare";
  const bool logical = op == CompareOp::And || op == CompareOp::Or || op == CompareOp::Xor;
  if (logical && a.dtype() != DType::Bool)
    fail(kn, std::string("takes bool tensors, got ") + dtypeName(a.dtype()));
  requireDType(kn, "B", b, a.dtype());
  requireDType(kn, "Y", y, DType::Bool);
  detail::requireData(kn, "A", a);
  Shape out;
  if (!detail::broadcastShapes(a.shape(), b.shape(), out))
    fail(kn, "shapes " + shapeToString(a.shape()) + " and " + shapeToString(b.shape()) +
                 " do not broadcast");
  detail::requireShape(kn, "Y", y, out);
  switch (a.dtype()) {
  case DType::F32:
    return compareTyped<float>(op, a, b, y);
  case DType::F64:
    return compareTyped<double>(op, a, b, y);
  case DType::I8:
    return compareTyped<int8_t>(op, a, b, y);
  case DType::U8:
  case DType::Bool:
    return compareTyped<uint8_t>(op, a, b, y);
  case DType::I16:
    return compareTyped<int16_t>(op, a, b, y);
  case DType::U16:
    return compareTyped<uint16_t>(op, a, b, y);
  case DType::I32:
    return compareTyped<int32_t>(op, a, b, y);
  case DType::I64:
    return compareTyped<int64_t>(op, a, b, y);
  case DType::F16:
  case DType::BF16:
    break; // stored only: the importer computes them as float32
  }
  fail(kn, "unsupported dtype");
}

void logicalNot(const Tensor &x, Tensor &y) {
  requireDType("Not", "X", x, DType::Bool);
  requireDType("Not", "Y", y, DType::Bool);
  detail::requireShape("Not", "Y", y, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    y.data<uint8_t>()[i] = x.data<uint8_t>()[i] ? 0 : 1;
}

void where(const Tensor &condition, const Tensor &x, const Tensor &y, Tensor &out) {
  const char *kn = "Where";
  requireDType(kn, "condition", condition, DType::Bool);
  requireDType(kn, "Y", y, x.dtype());
  requireDType(kn, "output", out, x.dtype());
  detail::requireData(kn, "X", x);
  Shape xy, all;
  if (!detail::broadcastShapes(x.shape(), y.shape(), xy) ||
      !detail::broadcastShapes(condition.shape(), xy, all))
    fail(kn, "shapes " + shapeToString(condition.shape()) + ", " + shapeToString(x.shape()) +
                 " and " + shapeToString(y.shape()) + " do not broadcast");
  detail::requireShape(kn, "output", out, all);
  // Each operand broadcast to the output's shape, then one select per element.
  Tensor c = Tensor::allocate(DType::Bool, all), xe = Tensor::allocate(x.dtype(), all),
         ye = Tensor::allocate(x.dtype(), all);
  expand(condition, c);
  expand(x, xe);
  expand(y, ye);
  const size_t es = dtypeSize(x.dtype());
  auto *o = static_cast<unsigned char *>(out.raw());
  const auto *xs = static_cast<const unsigned char *>(xe.raw());
  const auto *ys = static_cast<const unsigned char *>(ye.raw());
  for (int64_t i = 0; i < out.numel(); ++i)
    std::memcpy(o + i * es, (c.data<uint8_t>()[i] ? xs : ys) + i * es, es);
}

namespace {
template <typename T> void clipTyped(const Tensor &x, T lo, T hi, Tensor &y) {
  const T *xv = x.data<T>();
  T *yv = y.data<T>();
  for (int64_t i = 0; i < x.numel(); ++i)
    yv[i] = xv[i] < lo ? lo : xv[i] > hi ? hi : xv[i];
}
} // namespace

void clip(const Tensor &x, const Tensor &lo, const Tensor &hi, Tensor &y) {
  const char *kn = "Clip";
  detail::requireData(kn, "X", x);
  requireDType(kn, "min", lo, x.dtype());
  requireDType(kn, "max", hi, x.dtype());
  requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
  if (lo.numel() != 1 || hi.numel() != 1)
    fail(kn, "min and max must hold one element each");
  switch (x.dtype()) {
  case DType::F32:
    return clipTyped<float>(x, lo.data<float>()[0], hi.data<float>()[0], y);
  case DType::F64:
    return clipTyped<double>(x, lo.data<double>()[0], hi.data<double>()[0], y);
  case DType::I8:
    return clipTyped<int8_t>(x, lo.data<int8_t>()[0], hi.data<int8_t>()[0], y);
  case DType::U8:
    return clipTyped<uint8_t>(x, lo.data<uint8_t>()[0], hi.data<uint8_t>()[0], y);
  case DType::I16:
    return clipTyped<int16_t>(x, lo.data<int16_t>()[0], hi.data<int16_t>()[0], y);
  case DType::U16:
    return clipTyped<uint16_t>(x, lo.data<uint16_t>()[0], hi.data<uint16_t>()[0], y);
  case DType::I32:
    return clipTyped<int32_t>(x, lo.data<int32_t>()[0], hi.data<int32_t>()[0], y);
  case DType::I64:
    return clipTyped<int64_t>(x, lo.data<int64_t>()[0], hi.data<int64_t>()[0], y);
  default:
    fail(kn, std::string("does not take ") + dtypeName(x.dtype()));
  }
}

void classify(const Tensor &x, bool nan, bool negative, bool positive, Tensor &y) {
  const char *kn = nan ? "IsNaN" : "IsInf";
  requireDType(kn, "Y", y, DType::Bool);
  detail::requireShape(kn, "Y", y, x.shape());
  auto run = [&](auto *xv) {
    for (int64_t i = 0; i < x.numel(); ++i) {
      const auto v = xv[i];
      y.data<uint8_t>()[i] = nan ? std::isnan(v) : (std::isinf(v) && (v < 0 ? negative : positive));
    }
  };
  if (x.dtype() == DType::F32)
    return run(x.data<float>());
  if (x.dtype() == DType::F64)
    return run(x.data<double>());
  fail(kn, std::string("takes float32 and float64, got ") + dtypeName(x.dtype()));
}

namespace {
template <typename T> void geluTyped(const Tensor &x, bool tanhApproximation, Tensor &y) {
  const T *xv = x.data<T>();
  T *yv = y.data<T>();
  for (int64_t i = 0; i < x.numel(); ++i)
    yv[i] = geluValue(xv[i], tanhApproximation);
}
} // namespace

void gelu(const Tensor &x, bool tanhApproximation, Tensor &y) {
  requireDType("Gelu", "Y", y, x.dtype());
  detail::requireShape("Gelu", "Y", y, x.shape());
  if (x.dtype() == DType::F32)
    return geluTyped<float>(x, tanhApproximation, y);
  if (x.dtype() == DType::F64)
    return geluTyped<double>(x, tanhApproximation, y);
  fail("Gelu", std::string("takes float32 and float64, got ") + dtypeName(x.dtype()));
}

} // namespace cimlir::cpu
