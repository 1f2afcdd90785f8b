// cimlir CPU kernels: inference-mode normalisation and softmax.
#pragma once

#include "core/Tensor.h"

namespace cimlir::cpu {

/// ONNX BatchNormalization (inference): Y = (X - mean) / sqrt(var + epsilon) * scale + bias,
/// per channel (axis 1). X [N, C, ...], the others [C]; float32.
void batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias, const Tensor &mean,
               const Tensor &var, float epsilon, Tensor &y);

/// ONNX Softmax (opset 13): along `axis` (already non-negative), max-subtracted; float32.
void softmax(const Tensor &x, int64_t axis, Tensor &y);

} // namespace cimlir::cpu
