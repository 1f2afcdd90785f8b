#include "runtime/backends/cpu/CimLinearStep.h"

#include "core/Error.h"
#include "kernels/cim/WeightLayout.h"
#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "runtime/backends/cpu/LinearStepLayout.h"
#include "runtime/device/DeviceJson.h"

namespace cimlir {

namespace {

using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

/// The element type of a layer's integer weight levels (cim-quantize-weights).
DType levelType(const CimStepParams &decided) {
  return decided.settings.weights.bits <= 8 ? DType::I8 : DType::I16;
}

std::string levelWhat(const CimStepParams &decided) {
  return std::string("the ") + dtypeName(levelType(decided)) + " levels of " +
         std::to_string(decided.settings.weights.bits) + "-bit weights";
}

class CimLinearKernel : public StepKernel {
public:
  CimLinearKernel(const StepAttrs &a, const CimOverrides &overrides) : layer_(a, overrides) {}
  void run(const In &in, const Out &out, const RunContext &context) override;
  nlohmann::json report() const override { return layer_.report(counters_, samples_); }

private:
  CimLayer layer_;
  cpu::CimCounters counters_;
  int64_t samples_ = 0;
};

} // namespace

CimLayer::CimLayer(const StepAttrs &a, const CimOverrides &overrides)
    : decided_(readCimStep(a, overrides)),
      layout_(a, "CIM weights are programmed when the plan is loaded", levelType(decided_),
              levelWhat(decided_)) {
  const Step &step = a.step();
  name_ = step.name.empty() ? a.program().values()[step.outputs[0]].name : step.name;
  // W is Wq, the integers cim-quantize-weights wrote, in the layer's own layout.
  const Tensor &levels = *a.program().constant(a.step().inputs[1]);
  const cim::WeightLayout &layout = layout_.step().weights;
  if (static_cast<int64_t>(decided_.layerIds.size()) != layout.groups)
    a.fail("has " + std::to_string(decided_.layerIds.size()) + " noise.layer_ids for " +
           std::to_string(layout.groups) + " groups");
  cim::CimParams base;
  try {
    base = toCimParams(decided_.settings, "settings");
  } catch (const Error &e) {
    a.fail(e.what());
  }
  // The plan's full scales, as cim-configure-adc wrote them: the kernel converts with these
  // (programming checks that they fit the layer).
  base.fullScales = decided_.fullScales;
  // The calibrated values (cim-apply-calibration), one set per group.
  const bool isStatic = base.inputs.scale == cim::InputScale::Static;
  const bool calibrated = base.adc.mode == cim::AdcMode::Calibrated;
  if (isStatic && static_cast<int64_t>(decided_.staticScales.size()) != layout.groups)
    a.fail("has inputs.scale 'static' but " + std::to_string(decided_.staticScales.size()) +
           " inputs.static_scales for " + std::to_string(layout.groups) +
           " groups (compile with cim-opt --calibration DATASET)");
  const size_t pairs = base.inputs.slices.size() * base.weights.slices.size();
  if (calibrated && decided_.calibratedFullScales.size() != pairs * layout.groups)
    a.fail(decided_.calibratedFullScales.empty()
               ? std::string("has adc.mode 'calibrated' but the plan holds no "
                             "adc.calibrated_full_scales (compile with a calibrated ADC and "
                             "cim-opt --calibration DATASET)")
               : "has " + std::to_string(decided_.calibratedFullScales.size()) +
                     " adc.calibrated_full_scales, expected " +
                     std::to_string(pairs * layout.groups) +
                     " (groups x input slices x weight slices)");
  for (int64_t g = 0; g < layout.groups; ++g) {
    cim::CimParams p = base;
    p.layerId = decided_.layerIds[g];
    if (isStatic)
      p.staticScale = decided_.staticScales[g];
    if (calibrated)
      p.calibratedFullScales.assign(
          decided_.calibratedFullScales.begin() + static_cast<int64_t>(pairs) * g,
          decided_.calibratedFullScales.begin() + static_cast<int64_t>(pairs) * (g + 1));
    try {
      chips_.push_back(cpu::ProgrammedWeights::program(
          cim::groupQuantizedWeights(levels, decided_.weightScales, layout, g, p.weights.bits,
                                     p.weights.granularity),
          p));
    } catch (const Error &e) {
      a.fail(std::string("group ") + std::to_string(g) + ": " + e.what());
    }
  }
  shape_.groups = layout.groups;
  shape_.k = layout.K;
  shape_.n = layout.N;
  shape_.settings = base;
}

cim::CimParams CimLayer::callParams(int64_t g, const RunContext &context) const {
  cim::CimParams p = chips_[g].params();
  p.repeat = static_cast<uint64_t>(context.repeat);
  return p;
}

nlohmann::json CimLayer::report(const cpu::CimCounters &counters, int64_t samples) const {
  const device::LayerSettings &settings = decided_.settings;
  nlohmann::json counted = {{"rows", counters.rows},
                            {"input_digits", counters.inputDigits},
                            {"active_input_digits", counters.activeInputDigits},
                            {"dac_input_slices", counters.dacInputSlices},
                            {"array_reads", counters.arrayReads},
                            {"adc_conversions", counters.adcConversions},
                            {"digital_nonzero", counters.digitalNonzero},
                            {"digital_elements", counters.digitalElements}};
  return {{"name", name_},
          {"op", "CimLinear"},
          {"kind", layout_.step().kindName()},
          {"groups", static_cast<int64_t>(chips_.size())},
          {"k", layout_.step().k},
          {"n", layout_.step().n},
          {"arrays", device::cimLayerArrays(shape_)},
          {"adc_mode", cim::toString(settings.adc.mode)},
          {"adc_bits", settings.adc.bits},
          // Everything the layer ran with, --set included (its chip seed is "chip_seed").
          {"settings", nlohmann::json(device::toJson(settings))},
          {"seed", settings.noise.seed},
          {"chip_seed", settings.noise.chipSeed},
          {"samples", samples},
          {"counters", counted}};
}

namespace {

void CimLinearKernel::run(const In &in, const Out &out, const RunContext &context) {
  samples_ += layer_.layout().run(
      in, out, context.firstSample,
      [&](int64_t g, const Tensor &x, Tensor &z, const LinearStepLayout::Rows &rows) {
        counters_ +=
            cpu::cimLinear(x, layer_.chips()[g], layer_.callParams(g, context), nullptr, rows, z);
      });
}

} // namespace

std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs,
                                             const CimOverrides &overrides) {
  return std::make_unique<CimLinearKernel>(attrs, overrides);
}

} // namespace cimlir
