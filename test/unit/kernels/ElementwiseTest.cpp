#include "kernels/cpu/Elementwise.h"

#include "KernelTestUtil.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <type_traits>

namespace cimlir::cpu {
namespace {

using test::Rng;

const BinaryOp kOps[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul,  BinaryOp::Div,
                         BinaryOp::Max, BinaryOp::Min, BinaryOp::PRelu};
const char *kOpNames[] = {"add", "sub", "mul", "div", "max", "min", "prelu"};

/// Random values of T; divisors stay away from zero. The integer ranges are chosen so the
/// int64 reference never overflows, while 8- and 16-bit types still wrap.
template <typename T> T randomValue(Rng &rng, bool divisor) {
  if constexpr (std::is_floating_point_v<T>) {
    double mag = divisor ? rng.uniform(0.5, 10.0) : rng.uniform(0.0, 10.0);
    return static_cast<T>(rng.coin() ? mag : -mag);
  } else {
    int64_t lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
    if constexpr (sizeof(T) == 4) {
      lo = std::is_signed_v<T> ? -30000 : 0;
      hi = 30000;
    } else if constexpr (sizeof(T) == 8) {
      lo = -1000000000;
      hi = 1000000000;
    }
    if (divisor && sizeof(T) >= 4)
      hi = 100, lo = std::is_signed_v<T> ? -100 : 1;
    int64_t v = 0;
    do
      v = rng.range(lo, hi);
    while (divisor && v == 0);
    return static_cast<T>(v);
  }
}

template <typename T> Tensor randomTensor(Rng &rng, DType dt, const Shape &s, bool divisor) {
  Tensor t = Tensor::allocate(dt, s);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<T>()[i] = randomValue<T>(rng, divisor);
  return t;
}

/// The operation in a wider type, wrapped back to T the way two's complement does.
template <typename T> T reference(BinaryOp op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
    case BinaryOp::Add:
      return a + b;
    case BinaryOp::Sub:
      return a - b;
    case BinaryOp::Mul:
      return a * b;
    case BinaryOp::Max:
      return std::isnan(a) || std::isnan(b) ? a + b : std::fmax(a, b);
    case BinaryOp::Min:
      return std::isnan(a) || std::isnan(b) ? a + b : std::fmin(a, b);
    case BinaryOp::PRelu:
      return std::signbit(a) && a != 0 ? a * b : a;
    default:
      return a / b;
    }
  } else {
    int64_t x = a, y = b, r = 0;
    switch (op) {
    case BinaryOp::Add:
      r = x + y;
      break;
    case BinaryOp::Sub:
      r = x - y;
      break;
    case BinaryOp::Mul:
      r = x * y;
      break;
    case BinaryOp::Max:
      r = std::max(x, y);
      break;
    case BinaryOp::Min:
      r = std::min(x, y);
      break;
    case BinaryOp::PRelu:
      r = x < 0 ? x * y : x;
      break;
    default:
      r = x / y; // C++ truncates toward zero, as ONNX specifies
      break;
    }
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(static_cast<uint64_t>(r)));
  }
}

/// Element of `s` (right-aligned, size-1 axes broadcast) read by output index `idx`.
int64_t broadcastOffset(const Shape &s, const std::vector<int64_t> &idx) {
  int64_t off = 0;
  size_t lead = idx.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i)
    off = off * s[i] + (s[i] == 1 ? 0 : idx[lead + i]);
  return off;
}

template <typename T>
void checkBinary(Rng &rng, DType dt, const Shape &as, const Shape &bs, const Shape &ys) {
  for (size_t o = 0; o < std::size(kOps); ++o) {
    BinaryOp op = kOps[o];
    SCOPED_TRACE(std::string(dtypeName(dt)) + " " + kOpNames[o] + " " + shapeToString(as) +
                 " with " + shapeToString(bs));
    Tensor a = randomTensor<T>(rng, dt, as, false);
    Tensor b = randomTensor<T>(rng, dt, bs, op == BinaryOp::Div);
    Tensor y = randomTensor<T>(rng, dt, ys, false);
    binary(op, a, b, y);
    for (int64_t i = 0; i < y.numel(); ++i) {
      std::vector<int64_t> idx = test::unravel(i, ys);
      T want = reference<T>(op, a.data<T>()[broadcastOffset(as, idx)],
                            b.data<T>()[broadcastOffset(bs, idx)]);
      // One IEEE operation per element on both sides, so even floats match exactly.
      ASSERT_EQ(y.data<T>()[i], want) << "element " << i;
    }
  }
}

struct ShapeCase {
  Shape a, b, y;
};

/// Fixed broadcasting patterns plus random ones derived from a random output shape.
std::vector<ShapeCase> shapeCases(Rng &rng) {
  std::vector<ShapeCase> cases = {
      {{2, 3, 4}, {4}, {2, 3, 4}},
      {{2, 1, 4}, {3, 1}, {2, 3, 4}},
      {{}, {3, 5}, {3, 5}},
      {{4, 3}, {}, {4, 3}},
      {{}, {}, {}},
      {{7, 9}, {7, 9}, {7, 9}},
      {{1}, {3, 4}, {3, 4}},
      {{5, 1, 1}, {1, 4, 3}, {5, 4, 3}},
      {{2, 3, 1, 5}, {3, 6, 1}, {2, 3, 6, 5}},
      {{33}, {33}, {33}},
  };
  for (int r = 0; r < 8; ++r) {
    Shape y;
    int64_t rank = rng.range(1, 5);
    for (int64_t i = 0; i < rank; ++i)
      y.push_back(rng.range(1, 6));
    auto derive = [&] {
      Shape s(y.begin() + rng.range(0, rank), y.end());
      for (auto &d : s)
        if (rng.range(0, 2) == 0)
          d = 1;
      return s;
    };
    Shape a = derive(), b = derive();
    // Broadcasting both operands may shrink an axis to 1 on both sides.
    Shape out(std::max(a.size(), b.size()), 1);
    for (size_t i = 0; i < out.size(); ++i) {
      size_t fromEnd = out.size() - i;
      int64_t da = fromEnd <= a.size() ? a[a.size() - fromEnd] : 1;
      int64_t db = fromEnd <= b.size() ? b[b.size() - fromEnd] : 1;
      out[i] = std::max(da, db);
    }
    cases.push_back({a, b, out});
  }
  return cases;
}

TEST(Binary, PowAgainstLongDoubleAndRepeatedMultiplication) {
  CIMLIR_RANDOM_TEST();
  Tensor a = Tensor::allocate(DType::F64, {200}), b = Tensor::allocate(DType::F64, {1}),
         y = Tensor::allocate(DType::F64, {200});
  b.data<double>()[0] = rng.uniform(-3, 3);
  for (int64_t i = 0; i < 200; ++i)
    a.data<double>()[i] = rng.uniform(0.01, 5);
  binary(BinaryOp::Pow, a, b, y);
  for (int64_t i = 0; i < 200; ++i) {
    const long double want = powl(a.data<double>()[i], b.data<double>()[0]);
    ASSERT_LE(fabsl(y.data<double>()[i] - want), 4 * DBL_EPSILON * fabsl(want));
  }
  // Integers: wrapping products; negative exponents give 1 / base truncated.
  Tensor ia = Tensor::allocate(DType::I32, {6}), ib = Tensor::allocate(DType::I32, {6}),
         iy = Tensor::allocate(DType::I32, {6});
  const int32_t base[] = {3, -2, 7, 1, -1, 5}, exponent[] = {4, 3, 20, -5, -3, -1};
  std::copy(std::begin(base), std::end(base), ia.data<int32_t>());
  std::copy(std::begin(exponent), std::end(exponent), ib.data<int32_t>());
  binary(BinaryOp::Pow, ia, ib, iy);
  uint32_t wrapped = 1;
  for (int i = 0; i < 20; ++i)
    wrapped *= 7u;
  EXPECT_EQ(std::vector<int32_t>(iy.data<int32_t>(), iy.data<int32_t>() + 6),
            (std::vector<int32_t>{81, -8, static_cast<int32_t>(wrapped), 1, -1, 0}));
}

TEST(Binary, AllTypesWithBroadcasting) {
  CIMLIR_RANDOM_TEST();
  for (const ShapeCase &sc : shapeCases(rng)) {
    checkBinary<float>(rng, DType::F32, sc.a, sc.b, sc.y);
    checkBinary<double>(rng, DType::F64, sc.a, sc.b, sc.y);
    checkBinary<int8_t>(rng, DType::I8, sc.a, sc.b, sc.y);
    checkBinary<uint8_t>(rng, DType::U8, sc.a, sc.b, sc.y);
    checkBinary<int16_t>(rng, DType::I16, sc.a, sc.b, sc.y);
    checkBinary<uint16_t>(rng, DType::U16, sc.a, sc.b, sc.y);
    checkBinary<int32_t>(rng, DType::I32, sc.a, sc.b, sc.y);
    checkBinary<int64_t>(rng, DType::I64, sc.a, sc.b, sc.y);
  }
}

TEST(Binary, IntegerDivisionTruncatesTowardZero) {
  Tensor a = Tensor::allocate(DType::I32, {4});
  Tensor b = Tensor::allocate(DType::I32, {4});
  const int32_t av[] = {7, -7, 7, std::numeric_limits<int32_t>::min()};
  const int32_t bv[] = {2, 2, -2, -1};
  std::memcpy(a.raw(), av, sizeof(av));
  std::memcpy(b.raw(), bv, sizeof(bv));
  Tensor y = Tensor::allocate(DType::I32, {4});
  binary(BinaryOp::Div, a, b, y);
  EXPECT_EQ(y.data<int32_t>()[0], 3);
  EXPECT_EQ(y.data<int32_t>()[1], -3);
  EXPECT_EQ(y.data<int32_t>()[2], -3);
  EXPECT_EQ(y.data<int32_t>()[3], std::numeric_limits<int32_t>::min()); // wraps, no trap
}

TEST(Binary, IntegerDivisionByZeroThrowsAndLeavesY) {
  CIMLIR_RANDOM_TEST();
  for (DType dt : {DType::U8, DType::I32, DType::I64}) {
    SCOPED_TRACE(dtypeName(dt));
    Shape s = {rng.range(1, 5), rng.range(2, 6)};
    Tensor a = Tensor::allocate(dt, s), b = Tensor::allocate(dt, s), y = Tensor::allocate(dt, s);
    size_t es = dtypeSize(dt);
    for (int64_t i = 0; i < b.numel(); ++i) {
      // Little-endian: writing the low byte makes every element 1..100 whatever its width.
      static_cast<uint8_t *>(a.raw())[i * es] = static_cast<uint8_t>(rng.range(1, 100));
      static_cast<uint8_t *>(b.raw())[i * es] = static_cast<uint8_t>(rng.range(1, 100));
      static_cast<uint8_t *>(y.raw())[i * es] = 42;
    }
    int64_t zeroAt = rng.range(0, b.numel() - 1);
    std::memset(static_cast<uint8_t *>(b.raw()) + zeroAt * es, 0, es);
    Tensor before = y.clone();
    EXPECT_THROW(binary(BinaryOp::Div, a, b, y), Error);
    EXPECT_EQ(std::memcmp(y.raw(), before.raw(), y.byteSize()), 0);
  }
  // Floating-point division by zero is IEEE, not an error.
  Tensor fa = Tensor::allocate(DType::F32, {1}), fb = Tensor::allocate(DType::F32, {1});
  fa.data<float>()[0] = 1.0f;
  Tensor fy = Tensor::allocate(DType::F32, {1});
  EXPECT_NO_THROW(binary(BinaryOp::Div, fa, fb, fy));
  EXPECT_EQ(fy.data<float>()[0], std::numeric_limits<float>::infinity());
}

TEST(Binary, RejectsMismatchedShapesAndTypes) {
  auto t = [](DType d, Shape s) { return Tensor::allocate(d, std::move(s)); };
  Tensor y23 = t(DType::F32, {2, 3});
  EXPECT_THROW(binary(BinaryOp::Add, t(DType::F32, {2, 3}), t(DType::F32, {4}), y23), Error);
  Tensor y33 = t(DType::F32, {3, 3});
  EXPECT_THROW(binary(BinaryOp::Add, t(DType::F32, {2, 3}), t(DType::F32, {3}), y33), Error);
  EXPECT_THROW(binary(BinaryOp::Mul, t(DType::F32, {2, 3}), t(DType::I32, {3}), y23), Error);
  Tensor yb = t(DType::Bool, {2});
  EXPECT_THROW(binary(BinaryOp::Add, t(DType::Bool, {2}), t(DType::Bool, {2}), yb), Error);
  EXPECT_NO_THROW(binary(BinaryOp::Add, t(DType::F32, {2, 3}), t(DType::F32, {3}), y23));
}

template <typename T> void checkRelu(Rng &rng, DType dt) {
  Shape s = {rng.range(1, 4), rng.range(1, 40)};
  SCOPED_TRACE(std::string(dtypeName(dt)) + " " + shapeToString(s));
  Tensor x = randomTensor<T>(rng, dt, s, false);
  Tensor y = randomTensor<T>(rng, dt, s, false);
  relu(x, y);
  for (int64_t i = 0; i < x.numel(); ++i) {
    T v = x.data<T>()[i];
    ASSERT_EQ(y.data<T>()[i], v > 0 ? v : T(0)) << "element " << i;
  }
}

TEST(Relu, AllTypes) {
  CIMLIR_RANDOM_TEST();
  checkRelu<float>(rng, DType::F32);
  checkRelu<double>(rng, DType::F64);
  checkRelu<int8_t>(rng, DType::I8);
  checkRelu<int16_t>(rng, DType::I16);
  checkRelu<int32_t>(rng, DType::I32);
  checkRelu<int64_t>(rng, DType::I64);
}

TEST(Relu, RejectsMismatches) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3});
  Tensor yShape = Tensor::allocate(DType::F32, {3, 2});
  EXPECT_THROW(relu(x, yShape), Error);
  Tensor yType = Tensor::allocate(DType::F64, {2, 3});
  EXPECT_THROW(relu(x, yType), Error);
  Tensor xu = Tensor::allocate(DType::U8, {2});
  Tensor yu = Tensor::allocate(DType::U8, {2});
  EXPECT_THROW(relu(xu, yu), Error); // unsigned relu is the identity; not in the contract
}

/// The function in long double, as the ONNX operator text defines it: the reference the
/// kernels' float and double results are held to.
long double unaryReference(UnaryOp op, long double x, long double alpha, long double beta) {
  switch (op) {
  case UnaryOp::Abs:
    return fabsl(x);
  case UnaryOp::Acos:
    return acosl(x);
  case UnaryOp::Acosh:
    return acoshl(x);
  case UnaryOp::Asin:
    return asinl(x);
  case UnaryOp::Asinh:
    return asinhl(x);
  case UnaryOp::Atan:
    return atanl(x);
  case UnaryOp::Atanh:
    return atanhl(x);
  case UnaryOp::Ceil:
    return ceill(x);
  case UnaryOp::Celu:
    return (x > 0 ? x : 0) + (x > 0 ? 0 : alpha * expm1l(x / alpha)); // NaN stays NaN
  case UnaryOp::Cos:
    return cosl(x);
  case UnaryOp::Cosh:
    return coshl(x);
  case UnaryOp::Elu:
    return x >= 0 ? x : alpha * expm1l(x);
  case UnaryOp::Erf:
    return erfl(x);
  case UnaryOp::Exp:
    return expl(x);
  case UnaryOp::Floor:
    return floorl(x);
  case UnaryOp::HardSigmoid:
    return std::isnan(x) ? x : fmaxl(0, fminl(1, alpha * x + beta));
  case UnaryOp::HardSwish:
    return std::isnan(x) ? x : x * fmaxl(0, fminl(1, x / 6 + 0.5L));
  case UnaryOp::LeakyRelu:
    return x >= 0 ? x : alpha * x;
  case UnaryOp::Log:
    return logl(x);
  case UnaryOp::Mish:
    return x * tanhl(log1pl(expl(x)));
  case UnaryOp::Neg:
    return -x;
  case UnaryOp::Reciprocal:
    return 1.0L / x;
  case UnaryOp::Round:
    return nearbyintl(x);
  case UnaryOp::Selu:
    return beta * (x > 0 ? x : alpha * expm1l(x));
  case UnaryOp::Shrink:
    return x < -alpha ? x + beta : x > alpha ? x - beta : 0;
  case UnaryOp::Sigmoid:
    return 1.0L / (1.0L + expl(-x));
  case UnaryOp::Sign:
    return x > 0 ? 1 : x < 0 ? -1 : x;
  case UnaryOp::Sin:
    return sinl(x);
  case UnaryOp::Sinh:
    return sinhl(x);
  case UnaryOp::Softplus:
    return log1pl(expl(x));
  case UnaryOp::Softsign:
    return x / (1 + fabsl(x));
  case UnaryOp::Sqrt:
    return sqrtl(x);
  case UnaryOp::Tan:
    return tanl(x);
  case UnaryOp::Tanh:
    return tanhl(x);
  case UnaryOp::ThresholdedRelu:
    return x > alpha ? x : 0;
  }
  return 0;
}

/// The size of the terms behind f(x), for functions that sum terms which may cancel: the
/// error of a correctly computed result is relative to these, not to the result.
long double unaryMagnitude(UnaryOp op, long double x, long double alpha, long double beta) {
  if (op == UnaryOp::HardSigmoid)
    return fabsl(alpha * x) + fabsl(beta);
  if (op == UnaryOp::HardSwish)
    return fabsl(x) * (fabsl(x) / 6 + 0.5L);
  if (op == UnaryOp::Shrink)
    return fabsl(x) + fabsl(beta);
  return 0;
}

template <typename T> void checkUnary(Rng &rng, UnaryOp op, DType dt) {
  const UnaryOpType &type = unaryOpTypes()[static_cast<size_t>(op)];
  const std::string name = type.name;
  // The ONNX default, or a random parameter.
  const float alpha = rng.coin() ? type.alpha : static_cast<float>(rng.uniform(0.1, 2));
  const float beta = rng.coin() ? type.beta : static_cast<float>(rng.uniform(0.1, 2));
  Shape s = {rng.range(1, 4), rng.range(1, 60)};
  SCOPED_TRACE(name + " " + dtypeName(dt) + " " + shapeToString(s));
  Tensor x = Tensor::allocate(dt, s), y = Tensor::allocate(dt, s);
  T *xv = x.data<T>();
  const T special[] = {T(0),
                       T(-0.0),
                       T(1),
                       T(-1),
                       T(0.5),
                       T(-2.5),
                       std::numeric_limits<T>::infinity(),
                       -std::numeric_limits<T>::infinity(),
                       std::numeric_limits<T>::quiet_NaN(),
                       T(88),
                       T(-100)};
  for (int64_t i = 0; i < x.numel(); ++i)
    xv[i] = i < int64_t(std::size(special)) && rng.coin() ? special[i]
                                                          : static_cast<T>(rng.uniform(-12, 12));
  unary(op, x, y, alpha, beta);
  // Within a few units in the last place of the correctly rounded value.
  const long double eps = std::numeric_limits<T>::epsilon();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const long double want = unaryReference(op, xv[i], T(alpha), T(beta));
    const T got = y.data<T>()[i];
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(got)) << "x = " << xv[i];
      continue;
    }
    const long double rounded = static_cast<T>(want);
    if (std::isinf(rounded)) {
      ASSERT_EQ(got, static_cast<T>(rounded)) << "x = " << xv[i];
      continue;
    }
    if (fabsl(want) < std::numeric_limits<T>::min()) { // below the normal range: 0 or subnormal
      ASSERT_LE(fabsl(got - want), std::numeric_limits<T>::min()) << "x = " << xv[i];
      continue;
    }
    ASSERT_LE(fabsl(got - want),
              4 * eps * fmaxl(fabsl(want), unaryMagnitude(op, xv[i], T(alpha), T(beta))))
        << "x = " << xv[i] << ": " << got << " vs " << static_cast<double>(want);
  }
}

TEST(Unary, EveryFunctionInFloatAndDoubleAgainstLongDouble) {
  CIMLIR_RANDOM_TEST();
  ASSERT_EQ(unaryOpTypes().size(), size_t(UnaryOp::ThresholdedRelu) + 1) << "one name per function";
  for (size_t i = 0; i < unaryOpTypes().size(); ++i) {
    checkUnary<float>(rng, static_cast<UnaryOp>(i), DType::F32);
    checkUnary<double>(rng, static_cast<UnaryOp>(i), DType::F64);
  }
}

TEST(Unary, RejectsIntegersAndMismatches) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3});
  Tensor yShape = Tensor::allocate(DType::F32, {3, 2}),
         yType = Tensor::allocate(DType::F64, {2, 3});
  EXPECT_THROW(unary(UnaryOp::Exp, x, yShape), Error);
  EXPECT_THROW(unary(UnaryOp::Exp, x, yType), Error);
  Tensor xi = Tensor::allocate(DType::I32, {2}), yi = Tensor::allocate(DType::I32, {2});
  EXPECT_THROW(unary(UnaryOp::Exp, xi, yi), Error); // a float function
  Tensor xu = Tensor::allocate(DType::U8, {2}), yu = Tensor::allocate(DType::U8, {2});
  EXPECT_THROW(unary(UnaryOp::Abs, xu, yu), Error); // signed integers only
}

TEST(Unary, AbsNegSignOfSignedIntegersWrap) {
  Tensor x = Tensor::allocate(DType::I8, {4}), y = Tensor::allocate(DType::I8, {4});
  const int8_t v[] = {-128, -5, 0, 7};
  std::copy(std::begin(v), std::end(v), x.data<int8_t>());
  auto values = [&] { return std::vector<int8_t>(y.data<int8_t>(), y.data<int8_t>() + 4); };
  unary(UnaryOp::Abs, x, y);
  EXPECT_EQ(values(), (std::vector<int8_t>{-128, 5, 0, 7})); // |lowest| wraps to lowest
  unary(UnaryOp::Neg, x, y);
  EXPECT_EQ(values(), (std::vector<int8_t>{-128, 5, 0, -7}));
  unary(UnaryOp::Sign, x, y);
  EXPECT_EQ(values(), (std::vector<int8_t>{-1, -1, 0, 1}));
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

TEST(Compare, EveryOpWithBroadcastingAndNan) {
  CIMLIR_RANDOM_TEST();
  const Shape as = {3, 1, 4}, bs = {5, 1}, ys = {3, 5, 4};
  Tensor a = rng.f32(as, -2, 2), b = rng.f32(bs, -2, 2);
  a.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  b.data<float>()[1] = a.data<float>()[5]; // some equal pairs
  for (size_t o = 0; o < 5; ++o) {
    const auto op = static_cast<CompareOp>(o);
    SCOPED_TRACE(compareOpTypes()[o]);
    Tensor y = Tensor::allocate(DType::Bool, ys);
    compare(op, a, b, y);
    for (int64_t i = 0; i < y.numel(); ++i) {
      std::vector<int64_t> idx = test::unravel(i, ys);
      const float x = a.data<float>()[broadcastOffset(as, idx)];
      const float z = b.data<float>()[broadcastOffset(bs, idx)];
      const bool want = op == CompareOp::Equal            ? x == z
                        : op == CompareOp::Greater        ? x > z
                        : op == CompareOp::GreaterOrEqual ? x >= z
                        : op == CompareOp::Less           ? x < z
                                                          : x <= z;
      ASSERT_EQ(y.data<uint8_t>()[i], want ? 1 : 0) << x << " vs " << z;
    }
  }
  Tensor p = Tensor::allocate(DType::Bool, {4}), q = Tensor::allocate(DType::Bool, {4}),
         r = Tensor::allocate(DType::Bool, {4});
  const uint8_t pv[] = {0, 0, 1, 1}, qv[] = {0, 1, 0, 1};
  std::copy(std::begin(pv), std::end(pv), p.data<uint8_t>());
  std::copy(std::begin(qv), std::end(qv), q.data<uint8_t>());
  const std::vector<uint8_t> truth[] = {{0, 0, 0, 1}, {0, 1, 1, 1}, {0, 1, 1, 0}};
  for (int k = 0; k < 3; ++k) {
    compare(static_cast<CompareOp>(5 + k), p, q, r);
    EXPECT_EQ(std::vector<uint8_t>(r.data<uint8_t>(), r.data<uint8_t>() + 4), truth[k]);
  }
  logicalNot(p, r);
  EXPECT_EQ(std::vector<uint8_t>(r.data<uint8_t>(), r.data<uint8_t>() + 4),
            (std::vector<uint8_t>{1, 1, 0, 0}));
  EXPECT_THROW(compare(CompareOp::And, a, a, r), Error); // float operands of a logical op
}

TEST(Where, SelectsWithThreeWayBroadcasting) {
  CIMLIR_RANDOM_TEST();
  const Shape cs = {4, 1}, xs = {1, 3}, zs = {4, 3};
  Tensor c = Tensor::allocate(DType::Bool, cs);
  for (int64_t i = 0; i < 4; ++i)
    c.data<uint8_t>()[i] = rng.coin();
  Tensor x = rng.f32(xs), z = rng.f32(zs), out = Tensor::allocate(DType::F32, zs);
  where(c, x, z, out);
  for (int64_t i = 0; i < out.numel(); ++i) {
    std::vector<int64_t> idx = test::unravel(i, zs);
    const float want = c.data<uint8_t>()[broadcastOffset(cs, idx)]
                           ? x.data<float>()[broadcastOffset(xs, idx)]
                           : z.data<float>()[broadcastOffset(zs, idx)];
    ASSERT_EQ(out.data<float>()[i], want);
  }
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

TEST(Gelu, ExactAndTanhAgainstLongDouble) {
  CIMLIR_RANDOM_TEST();
  Tensor x = rng.f32({200}, -8, 8), y = Tensor::allocate(DType::F32, {200});
  for (bool tanhApprox : {false, true}) {
    gelu(x, tanhApprox, y);
    for (int64_t i = 0; i < 200; ++i) {
      const long double v = x.data<float>()[i];
      const long double want =
          tanhApprox ? 0.5L * v *
                           (1 + tanhl(sqrtl(2 / 3.14159265358979323846264338327950288L) *
                                      (v + 0.044715L * v * v * v)))
                     : 0.5L * v * (1 + erfl(v / sqrtl(2.0L)));
      ASSERT_NEAR(y.data<float>()[i], want, 4e-7L * (1 + fabsl(v))) << v;
    }
  }
}

} // namespace
} // namespace cimlir::cpu
