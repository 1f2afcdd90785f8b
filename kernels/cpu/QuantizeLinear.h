// cimlir CPU kernels: ONNX QuantizeLinear and DequantizeLinear (per tensor or per axis), the
// quantize/dequantize pairs (QDQ) of quantized models. Not the CIM weight quantization of
// cim-numerics.md §1 (kernels/cim/Quantization.h).
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// Y = saturate(round(X / scale) + zeroPoint), rounding halves to even; X float32, Y int8 or
/// uint8 (the zero point's type, or Y's without one). `scale` and `zeroPoint` (or null) hold
/// one element, or one per index of X's axis `axis` (non-negative).
void quantizeLinear(const Tensor &x, const Tensor &scale, const Tensor *zeroPoint, int64_t axis,
                    Tensor &y);

/// How X's elements map to the scale's: one scale, or one per index of `axis`.
struct QuantizationAxis {
  int64_t count = 1, inner = 1; ///< scales, and elements per scale index before it repeats
};
/// Checks the scale (float32, one value or one per index of X's `axis`) and the zero point's
/// shape against X, as both ops do, naming kernel `kn`; reads only shapes and dtypes.
QuantizationAxis quantizationAxis(const char *kn, const Tensor &x, const Tensor &scale,
                                  const Tensor *zeroPoint, int64_t axis);

/// The zero point's `count` values (int8, uint8 or int32; all 0 without one), as both ops read
/// them (the CUDA backend uploads them).
std::vector<int64_t> zeroPointValues(const Tensor *zeroPoint, int64_t count);

/// Y = (X - zeroPoint) * scale; X int8, uint8 or int32, Y float32; scale and zero point as for
/// quantizeLinear.
void dequantizeLinear(const Tensor &x, const Tensor &scale, const Tensor *zeroPoint, int64_t axis,
                      Tensor &y);

} // namespace cimlir::cpu
