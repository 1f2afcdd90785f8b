// cimlir CPU kernels: inference-mode normalisation and softmax.
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// ONNX BatchNormalization (inference): Y = (X - mean) / sqrt(var + epsilon) * scale + bias,
/// per channel (axis 1). X [N, C, ...], the others [C]; float32.
void batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias, const Tensor &mean,
               const Tensor &var, float epsilon, Tensor &y);
/// BatchNormalization's per-channel multiplier scale / sqrt(var + epsilon), computed in double
/// and rounded to float32 (what batchNorm applies; the CUDA backend uploads it).
std::vector<float> batchNormMultipliers(const Tensor &scale, const Tensor &var, float epsilon);

/// The softmax family: Softmax, LogSoftmax (x - max - log(sum e^(x - max))) and Hardmax (1 at
/// the first maximum, 0 elsewhere).
enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

/// ONNX Softmax, LogSoftmax or Hardmax (opset 13 semantics): along `axis` (already
/// non-negative), max-subtracted; float32. Along the last axis, x and y may be one tensor.
void softmax(const Tensor &x, int64_t axis, Tensor &y, SoftmaxKind kind = SoftmaxKind::Softmax);

/// Checks LayerNormalization's scale or bias (`what`): float32, broadcasting to the normalised
/// axes, as layerNorm does.
void checkLayerNormParameter(const char *what, const Tensor &t, const Shape &normalised);

/// ONNX LayerNormalization: over the axes from `axis` (non-negative) on, Y = (X - mean) /
/// sqrt(var + epsilon) * scale + bias, scale and bias (optional: null) broadcast to those
/// axes; mean and variance accumulated in float64. `mean` and `invStdDev` (optional) receive
/// them with the normalised axes as size 1. Float32.
void layerNorm(const Tensor &x, const Tensor &scale, const Tensor *bias, int64_t axis,
               float epsilon, Tensor &y, Tensor *mean, Tensor *invStdDev);

/// ONNX InstanceNormalization: X [N, C, ...] normalised over the spatial axes per sample and
/// channel, then * scale[c] + bias[c]; float32.
void instanceNorm(const Tensor &x, const Tensor &scale, const Tensor &bias, float epsilon,
                  Tensor &y);

/// ONNX LRN: Y = X / (bias + alpha / size * sum of X^2 over the `size` channels around each
/// one)^beta, X [N, C, ...]; float32.
void lrn(const Tensor &x, int64_t size, float alpha, float beta, float bias, Tensor &y);

} // namespace cimlir::cpu
