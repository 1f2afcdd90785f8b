// cimlir CPU kernels: ONNX NegativeLogLikelihoodLoss (SoftmaxCrossEntropyLoss is LogSoftmax
// then this, at import).
#pragma once

#include "core/Tensor.h"

#include <optional>
#include <string>

namespace cimlir::cpu {

enum class LossReduction { None, Sum, Mean };
/// The reduction of ONNX's attribute spelling ("none", "sum", "mean"); nullopt for another.
std::optional<LossReduction> lossReductionNamed(const std::string &name);

/// nllLoss()'s checks of its operands' types and shapes (a target's range is checked as the
/// kernel reads it), with its messages.
void checkNllLoss(const Tensor &input, const Tensor &target, const Tensor *weight,
                  LossReduction reduction, const Tensor &y);

/// loss[n, d...] = -input[n, target[n, d...], d...] * weight[target] (weight 1 without one),
/// 0 where target is `ignoreIndex`. Y is the losses (target's shape) for None, else a scalar:
/// their sum, or for Mean the sum divided by the sum of the weights that counted. Input
/// [N, C, d...] float32/64; target [N, d...] int32/int64, in [0, C) unless ignored.
void nllLoss(const Tensor &input, const Tensor &target, const Tensor *weight,
             LossReduction reduction, std::optional<int64_t> ignoreIndex, Tensor &y);

} // namespace cimlir::cpu
