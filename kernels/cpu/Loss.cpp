#include "kernels/cpu/Loss.h"

#include "kernels/cpu/Check.h"

namespace cimlir::cpu {

std::optional<LossReduction> lossReductionNamed(const std::string &name) {
  if (name == "none")
    return LossReduction::None;
  if (name == "sum")
    return LossReduction::Sum;
  if (name == "mean")
    return LossReduction::Mean;
  return std::nullopt;
}

using detail::fail;

namespace {
template <typename T>
void nllTyped(const Tensor &input, const Tensor &target, const Tensor *weight,
              LossReduction reduction, std::optional<int64_t> ignoreIndex, Tensor &y) {
  const char *kn = "NegativeLogLikelihoodLoss";
  const int64_t n = input.dim(0), c = input.dim(1);
  // From the target ([N, D...], checked): with C = 0 its targets are still range-checked.
  const int64_t inner = n ? target.numel() / n : 0;
  const T *in = input.data<T>();
  const T *w = weight ? weight->data<T>() : nullptr;
  double total = 0, weights = 0;
  for (int64_t s = 0; s < n; ++s)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t at = s * inner + i;
      const int64_t t =
          target.dtype() == DType::I64 ? target.data<int64_t>()[at] : target.data<int32_t>()[at];
      double loss = 0, wt = 0;
      if (!(ignoreIndex && t == *ignoreIndex)) {
        if (t < 0 || t >= c)
          fail(kn, "target " + std::to_string(t) + " is outside [0, " + std::to_string(c) + ")");
        wt = w ? static_cast<double>(w[t]) : 1.0;
        loss = -static_cast<double>(in[(s * c + t) * inner + i]) * wt;
      }
      if (reduction == LossReduction::None)
        y.data<T>()[at] = static_cast<T>(loss);
      total += loss;
      weights += wt;
    }
  if (reduction == LossReduction::Sum)
    y.data<T>()[0] = static_cast<T>(total);
  else if (reduction == LossReduction::Mean)
    y.data<T>()[0] = static_cast<T>(total / weights);
}
} // namespace

void checkNllLoss(const Tensor &input, const Tensor &target, const Tensor *weight,
                  LossReduction reduction, const Tensor &y) {
  const char *kn = "NegativeLogLikelihoodLoss";
  detail::requireData(kn, "input", input);
  detail::requireData(kn, "target", target);
  if (input.rank() < 2)
    fail(kn, "input " + shapeToString(input.shape()) + " must be [N, C, ...]");
  Shape want = input.shape();
  want.erase(want.begin() + 1);
  detail::requireShape(kn, "target", target, want);
  if (target.dtype() != DType::I32 && target.dtype() != DType::I64)
    fail(kn, std::string("target must be int32 or int64, got ") + dtypeName(target.dtype()));
  if (weight) {
    detail::requireDType(kn, "weight", *weight, input.dtype());
    detail::requireShape(kn, "weight", *weight, {input.dim(1)});
  }
  detail::requireDType(kn, "loss", y, input.dtype());
  detail::requireShape(kn, "loss", y, reduction == LossReduction::None ? want : Shape{});
  if (input.dtype() != DType::F32 && input.dtype() != DType::F64)
    fail(kn, std::string("input must be float32 or float64, got ") + dtypeName(input.dtype()));
}

void nllLoss(const Tensor &input, const Tensor &target, const Tensor *weight,
             LossReduction reduction, std::optional<int64_t> ignoreIndex, Tensor &y) {
  checkNllLoss(input, target, weight, reduction, y);
  if (input.dtype() == DType::F32)
    nllTyped<float>(input, target, weight, reduction, ignoreIndex, y);
  else
    nllTyped<double>(input, target, weight, reduction, ignoreIndex, y);
}

} // namespace cimlir::cpu
