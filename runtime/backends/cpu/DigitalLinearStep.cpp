#include "runtime/backends/cpu/DigitalLinearStep.h"

#include "core/Error.h"
#include "kernels/cpu/DigitalLinear.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/backends/cpu/LinearStepLayout.h"

namespace cimlir {

namespace {

using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

class DigitalLinearKernel : public StepKernel {
public:
  explicit DigitalLinearKernel(const StepAttrs &a) : layer_(a), tap_(a.options().digitalRowsTap) {}
  void run(const In &in, const Out &out, const RunContext &context) override;
  nlohmann::json report() const override { return layer_.report(samples_, macs_); }

private:
  DigitalLayer layer_;
  int64_t samples_ = 0, macs_ = 0;
  LinearRowsTap tap_; // BackendOptions::digitalRowsTap
};

void DigitalLinearKernel::run(const In &in, const Out &out, const RunContext &context) {
  samples_ += layer_.layout().run(
      in, out, context.firstSample,
      [&](int64_t g, const Tensor &x, Tensor &z, const LinearStepLayout::Rows &) {
        if (tap_)
          tap_(layer_.name(), g, x);
        cpu::digitalLinear(x, layer_.weights()[g], nullptr, z);
        macs_ += layer_.macs(x.dim(0));
      });
}

} // namespace

DigitalLayer::DigitalLayer(const StepAttrs &a)
    : layout_(a, "digital weights are prepared when the plan is loaded", DType::F32, "float32"),
      name_(a.step().name) {
  const std::string precision = a.s("precision");
  if (auto parsed = cim::enumFromString<cim::DigitalPrecision>(precision))
    precision_ = *parsed;
  else
    a.fail("has precision '" + precision + "', expected one of " +
           cim::enumNameList<cim::DigitalPrecision>());
  for (int64_t g = 0; g < layout_.step().groups(); ++g) {
    try {
      weights_.push_back(
          cpu::DigitalWeights::prepare(layout_.step().groupWeights(a, g), precision_));
    } catch (const Error &e) {
      a.fail(std::string("group ") + std::to_string(g) + ": " + e.what());
    }
  }
}

nlohmann::json DigitalLayer::report(int64_t samples, int64_t macs) const {
  return {{"name", name_},
          {"op", "DigitalLinear"},
          {"kind", layout_.step().kindName()},
          {"precision", cim::toString(precision_)},
          {"groups", layout_.step().groups()},
          {"k", layout_.step().k},
          {"n", layout_.step().n},
          {"samples", samples},
          {"counters", {{"macs", macs}}}};
}

std::unique_ptr<StepKernel> prepareDigitalLinear(const StepAttrs &attrs) {
  return std::make_unique<DigitalLinearKernel>(attrs);
}

} // namespace cimlir
