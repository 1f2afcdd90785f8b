// cimlir CPU kernels: elementwise arithmetic with NumPy (multidirectional) broadcasting.
#pragma once

#include "core/Tensor.h"

#include <string>
#include <vector>

namespace cimlir::cpu {

enum class BinaryOp { Add, Sub, Mul, Div };

/// Y = A op B with broadcasting; Y pre-allocated with the broadcast shape. A, B and Y share
/// one dtype: float32, float64, int8, uint8, int16, uint16, int32, int64. Integer division
/// truncates toward zero as ONNX (C) does; integer division by zero is an Error.
void binary(BinaryOp op, const Tensor &a, const Tensor &b, Tensor &y);

/// Y = max(X, 0); float32, float64, int8, int16, int32, int64.
void relu(const Tensor &x, Tensor &y);

/// The ONNX ops that apply a float function to every element.
enum class UnaryOp { Abs, Ceil, Erf, Exp, Floor, Log, Neg, Reciprocal, Sigmoid, Sqrt, Tanh };
/// Their ONNX op types, in the order of the enumeration ("Abs", "Ceil", ...): the one list,
/// which the CPU backend's steps and the importer follow.
const std::vector<std::string> &unaryOpTypes();
/// Y = f(X) elementwise, X and Y float32 or float64 of one shape, in X's precision (as the C
/// library computes f: std::exp, std::erf, ...; Sigmoid as 1 / (1 + exp(-x))).
void unary(UnaryOp op, const Tensor &x, Tensor &y);

} // namespace cimlir::cpu
