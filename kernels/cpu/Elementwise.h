// cimlir CPU kernels: elementwise arithmetic with NumPy (multidirectional) broadcasting.
#pragma once

#include "core/Tensor.h"

namespace cimlir::cpu {

enum class BinaryOp { Add, Sub, Mul, Div };

/// Y = A op B with broadcasting; Y pre-allocated with the broadcast shape. A, B and Y share
/// one dtype: float32, float64, int8, uint8, int16, uint16, int32, int64. Integer division
/// truncates toward zero as ONNX (C) does; integer division by zero is an Error.
void binary(BinaryOp op, const Tensor &a, const Tensor &b, Tensor &y);

/// Y = max(X, 0); float32, float64, int8, int16, int32, int64.
void relu(const Tensor &x, Tensor &y);

} // namespace cimlir::cpu
