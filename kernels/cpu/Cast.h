// cimlir CPU kernels: ONNX Cast between the element types plans hold.
#pragma once

#include "core/Tensor.h"

namespace cimlir::cpu {

/// Y = X converted to Y's dtype, elementwise (X and Y of one shape):
///  - to bool: x != 0 (NaN is true); from bool: 0 or 1;
///  - float to integer: rounded toward zero and saturated to the integer's range, NaN to 0
///    (ONNX leaves out-of-range casts undefined; these are defined and never trap);
///  - integer to narrower integer: wraps modulo 2^bits (two's complement);
///  - to float: nearest; float64 beyond float32's range becomes ±infinity.
void cast(const Tensor &x, Tensor &y);

} // namespace cimlir::cpu
