// cimlir CPU kernels: elementwise arithmetic with NumPy (multidirectional) broadcasting.
#pragma once

#include "core/Tensor.h"

#include <string>
#include <vector>

namespace cimlir::cpu {

enum class BinaryOp { Add, Sub, Mul, Div, Max, Min, Pow, PRelu, Mod, FMod };

/// The name binary() gives `op` in its errors ("add", "mod", ...).
const char *binaryOpName(BinaryOp op);

/// Y = A op B with broadcasting; Y pre-allocated with the broadcast shape. A, B and Y share
/// one dtype: float32, float64, int8, uint8, int16, uint16, int32, int64. Integer arithmetic
/// wraps (two's complement); integer division truncates toward zero as ONNX (C) does, and
/// integer division by zero is an Error. Max and Min propagate NaN (as numpy.maximum does).
/// Pow: std::pow for floats; for integers repeated multiplication, and a negative exponent
/// gives 1 / A truncated (0 unless A is 1 or -1). PRelu: A < 0 ? A * B : A. Mod (integers):
/// the remainder with the divisor's sign, as Python's %; FMod: the remainder with the
/// dividend's sign (std::fmod for floats, C's % for integers); an integer divisor of 0 is an
/// Error for both.
void binary(BinaryOp op, const Tensor &a, const Tensor &b, Tensor &y);

/// Y = max(X, 0); float32, float64, int8, int16, int32, int64.
void relu(const Tensor &x, Tensor &y);

/// The ONNX ops that apply a float function to every element.
enum class UnaryOp {
  Abs,
  Acos,
  Acosh,
  Asin,
  Asinh,
  Atan,
  Atanh,
  Ceil,
  Celu,
  Cos,
  Cosh,
  Elu,
  Erf,
  Exp,
  Floor,
  HardSigmoid,
  HardSwish,
  LeakyRelu,
  Log,
  Mish,
  Neg,
  Reciprocal,
  Round,
  Selu,
  Shrink,
  Sigmoid,
  Sign,
  Sin,
  Sinh,
  Softplus,
  Softsign,
  Sqrt,
  Tan,
  Tanh,
  ThresholdedRelu,
};
/// One of them as ONNX writes it: its op type, its float attributes with their defaults
/// (up to two, called alpha and beta here whatever ONNX names them: Selu's gamma is beta),
/// and whether it also takes signed integers (Abs, Neg, Sign). The onnx dialect's type rule
/// reads this too.
struct UnaryOpType {
  std::string name;
  std::string alphaName = ""; ///< "" when the op has no attribute
  float alpha = 0;
  std::string betaName = ""; ///< "" when the op has no second attribute
  float beta = 0;
  bool signedIntegers = false;
};
/// In the order of the enumeration: the one list, which the CPU backend's steps and the
/// importer follow.
const std::vector<UnaryOpType> &unaryOpTypes();
/// Y = f(X) elementwise, X and Y float32 or float64 (or a signed integer type where the op
/// takes one; Neg wraps the lowest value to itself) of one shape, in X's precision, with the
/// C library's functions (std::exp, std::erf, std::expm1 for the exponential units, ...) as
/// the ONNX operator text defines each; `alpha` and `beta` as unaryOpTypes() names them.
void unary(UnaryOp op, const Tensor &x, Tensor &y, float alpha = 0, float beta = 0);

/// The ONNX ops that compare (or combine, the logical ones) two tensors into a bool tensor.
enum class CompareOp { Equal, Greater, GreaterOrEqual, Less, LessOrEqual, And, Or, Xor };
/// Their op types in the order of the enumeration: the one list the importer and the CPU
/// backend follow.
const std::vector<std::string> &compareOpTypes();
/// Y (bool) = A op B with broadcasting; A and B of one dtype (bool for And, Or and Xor).
/// Comparisons with NaN are false (Equal too), as IEEE and numpy say.
void compare(CompareOp op, const Tensor &a, const Tensor &b, Tensor &y);
/// Y = !X, bool.
void logicalNot(const Tensor &x, Tensor &y);
/// out = condition ? X : Y elementwise, the three broadcast together (NumPy rules); X, Y and
/// out of one dtype, condition bool.
void where(const Tensor &condition, const Tensor &x, const Tensor &y, Tensor &out);

/// Y = min(max(X, lo), hi) elementwise (NaN stays NaN); lo and hi one element each of X's
/// dtype (any numeric type).
void clip(const Tensor &x, const Tensor &lo, const Tensor &hi, Tensor &y);

/// Y (bool) = isnan(X) (`nan`), or X is -inf and `negative` or +inf and `positive`; float.
void classify(const Tensor &x, bool nan, bool negative, bool positive, Tensor &y);

/// ONNX Gelu (opset 20): x/2 (1 + erf(x / sqrt 2)), or with `tanhApproximation` x/2 (1 +
/// tanh(sqrt(2/pi) (x + 0.044715 x^3))); float32 and float64, in X's precision.
void gelu(const Tensor &x, bool tanhApproximation, Tensor &y);

} // namespace cimlir::cpu
