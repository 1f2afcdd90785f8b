#include "runtime/backends/cpu/CimLinearStep.h"

#include "kernels/cpu/cim/CimLinear.h"
#include "kernels/cpu/cim/LayerId.h"
#include "kernels/cpu/cim/WeightProgramming.h"
#include "runtime/backends/cpu/LinearStepLayout.h"
#include "runtime/core/Error.h"

namespace cimlir {

namespace {

namespace cim = cpu::cim;
using In = std::vector<const Tensor *>;
using Out = std::vector<Tensor *>;

class CimLinearKernel : public StepKernel {
public:
  CimLinearKernel(const StepAttrs &a, const CimOverrides &overrides);
  void run(const In &in, const Out &out, const RunContext &context) override;
  nlohmann::json report() const override;

private:
  void programGroup(const StepAttrs &a, const Tensor &wg, const cim::CimParams &base, int64_t g);
  /// The parameters of one call on group g: those the chip was programmed with, and the
  /// repeat index that keys the fresh noise with the seed (§9).
  cim::CimParams callParams(int64_t g, const RunContext &context) const {
    cim::CimParams p = chips_[g].params();
    p.noise.repeat = static_cast<uint64_t>(context.repeat);
    return p;
  }

  LinearStepLayout layout_;
  std::string layerName_; // keys the layer ids "<name>#g<group>"
  device::LayerSettings settings_;
  std::vector<cim::ProgrammedWeights> chips_; // one per group
  int64_t arrays_ = 0;                        // crossbar arrays of all groups (§2)
  cim::CimCounters counters_;
  int64_t samples_ = 0;
};

CimLinearKernel::CimLinearKernel(const StepAttrs &a, const CimOverrides &overrides)
    : layout_(a, "CIM weights are programmed when the plan is loaded") {
  const Step &step = a.step();
  // §9: an unnamed node is keyed by its first output's name.
  layerName_ = step.name.empty() ? a.program().values()[step.outputs[0]].name : step.name;

  cim::CimParams base;
  try {
    settings_ = cimStepSettings(a.s("settings"), overrides, "settings");
    base = toCimParams(settings_, "settings");
  } catch (const Error &e) {
    a.fail(e.what());
  }
  for (int64_t g = 0; g < layout_.groups(); ++g)
    programGroup(a, layout_.groupWeights(a, g), base, g);
}

void CimLinearKernel::programGroup(const StepAttrs &a, const Tensor &wg, const cim::CimParams &base,
                                   int64_t g) {
  cim::CimParams p = base;
  p.layerId = cim::layerId(layerName_, g);
  try {
    chips_.push_back(cim::ProgrammedWeights::program(wg, p));
  } catch (const Error &e) {
    a.fail(std::string("group ") + std::to_string(g) + ": " + e.what());
  }
  const cim::ProgrammedWeights &chip = chips_.back();
  const int64_t perArray = p.crossbar.cols / 2;
  arrays_ += (wg.dim(0) + p.crossbar.rows - 1) / p.crossbar.rows *
             ((wg.dim(1) + perArray - 1) / perArray) * chip.sliceCount();
}

void CimLinearKernel::run(const In &in, const Out &out, const RunContext &context) {
  samples_ +=
      layout_.run(in, *out[0], context.firstSample,
                  [&](int64_t g, const Tensor &x, Tensor &z, const LinearStepLayout::Rows &rows) {
                    counters_ +=
                        cim::cimLinear(x, chips_[g], callParams(g, context), nullptr,
                                       cim::RowMapping{rows.firstSample, rows.rowsPerSample}, z);
                  });
}

nlohmann::json CimLinearKernel::report() const {
  nlohmann::json counters = {{"dac_input_slices", counters_.dacInputSlices},
                             {"array_reads", counters_.arrayReads},
                             {"adc_conversions", counters_.adcConversions},
                             {"digital_nonzero", counters_.digitalNonzero},
                             {"digital_elements", counters_.digitalElements}};
  return {{"name", layerName_},
          {"op", "CimLinear"},
          {"kind", layout_.kindName()},
          {"groups", static_cast<int64_t>(chips_.size())},
          {"k", layout_.rows()},
          {"n", layout_.cols()},
          {"arrays", arrays_},
          {"adc_mode", device::toString(settings_.adc.mode)},
          {"adc_bits", settings_.adc.bits},
          // Everything the layer ran with, --set included (its chip seed is "chip_seed").
          {"settings", nlohmann::json::parse(device::toJsonText(settings_, -1))},
          {"seed", settings_.noise.seed},
          {"chip_seed", settings_.noise.chipSeed},
          {"samples", samples_},
          {"counters", counters}};
}

} // namespace

std::unique_ptr<StepKernel> prepareCimLinear(const StepAttrs &attrs,
                                             const CimOverrides &overrides) {
  return std::make_unique<CimLinearKernel>(attrs, overrides);
}

} // namespace cimlir
