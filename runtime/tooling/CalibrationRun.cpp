#include "runtime/tooling/CalibrationRun.h"

#include "core/Error.h"
#include "kernels/cpu/cim/Calibration.h"
#include "runtime/backends/cpu/CpuBackend.h"
#include "runtime/device/DeviceJson.h"
#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/LinearStep.h"
#include "runtime/exec/StepAttrs.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cimlir {

namespace {

/// One layer to calibrate: a DigitalLinear step of the calibration plan with `calibrate`.
struct Target {
  std::string layer;
  cim::CimParams params; // the layer's, without calibrated values
  bool isStatic = false, calibrated = false;
  /// inputs.smooth_alpha > 0: max |x| per input channel, a row element k of group g being
  /// channel g·channelsPerGroup + k / taps (im2col's [C/g, kernel taps] order; 1 tap for a
  /// gemm or matmul).
  bool smooth = false;
  int64_t channelsPerGroup = 0, taps = 1;
  std::vector<double> channelMax;
  double percentile = 100.0;
  std::vector<Tensor> weights; // W_g [K,N] per group
  std::vector<float> scales;   // pass 1's s_x per group
  std::vector<cpu::InputRangeCalibrator> inputs;
  std::vector<cpu::AdcRangeCalibrator> adcs;
  std::vector<std::vector<float>> fullScales;
};

std::string where(const Target &t) { return "layer '" + t.layer + "'"; }

/// The parameters the input calibrator validates: only inputs.bits and clip_percentile
/// matter to it, so the modes that need calibrated values are set aside.
cim::CimParams inputProbe(cim::CimParams p) {
  p.inputs.scale = cim::InputScale::DynamicRow;
  p.adc.mode = cim::AdcMode::Full;
  return p;
}

/// The layer's parameters with pass 1's scale of group g.
cim::CimParams groupParams(const Target &t, int64_t g) {
  cim::CimParams p = t.params;
  if (t.isStatic)
    p.staticScale = t.scales.at(g);
  return p;
}

class Runner {
public:
  explicit Runner(const CalibrationOptions &o) : o_(o), program_(o.plan) {
    if (!program_)
      throw Error("calibration: no calibration plan");
    if (o.batch < 1)
      throw Error("calibration: the batch must be at least 1");
    if (o.limit < 1)
      throw Error("calibration: the sample limit must be at least 1");
    BackendOptions none;
    for (const Step &step : program_->steps()) {
      if (step.op != "DigitalLinear" || !step.attrs.contains("calibrate"))
        continue;
      StepAttrs a(*program_, step, none);
      Target t;
      t.layer = step.name; // a layer's step is named after it (the ONNX node name)
      if (step.name.empty() || byStep_.count(step.name))
        a.fail("needs a unique step name to be calibrated");
      try {
        device::LayerSettings s =
            device::parseDevice(nlohmann::ordered_json(step.attrs.at("calibrate")), "calibrate")
                .defaults;
        t.params = toCimParams(s, "calibrate");
        t.isStatic = s.inputs.scale == device::InputScale::Static;
        t.calibrated = s.adc.mode == device::AdcMode::Calibrated;
        t.smooth = s.inputs.smoothAlpha > 0;
        if (o.channelMaximaOnly)
          t.isStatic = t.calibrated = false;
        t.percentile = s.adc.percentile;
      } catch (const Error &e) {
        a.fail(e.what());
      }
      const LinearStep linear = LinearStep::decode(a, "calibration reads W when the plan is loaded",
                                                   DType::F32, "float32");
      for (int64_t g = 0; g < linear.groups(); ++g)
        t.weights.push_back(linear.groupWeights(a, g));
      if (t.smooth) {
        // cim-smooth-inputs refuses the other kinds; their channels are not measured.
        t.smooth = linear.kind == LinearKind::Gemm || linear.kind == LinearKind::MatMul ||
                   linear.kind == LinearKind::Conv;
        const int64_t k = t.weights.front().dim(0); // W_g [K, N]
        t.channelsPerGroup = linear.kind == LinearKind::Conv ? linear.conv.channelsPerGroup() : k;
        t.taps = k / std::max<int64_t>(1, t.channelsPerGroup);
        t.channelMax.assign(static_cast<size_t>(t.channelsPerGroup * linear.groups()), 0.0);
      }
      byStep_[step.name] = targets_.size();
      targets_.push_back(std::move(t));
    }
  }

  calibration::Table run() {
    calibration::Table table;
    auto dataset = openDataset(o_.dataset, o_.split, program_->inputs(), program_->outputs());
    table.dataset = dataset->describe();
    if (o_.splitGiven && dataset->describe().rfind("idx:", 0) != 0)
      throw Error("--calibration-split " + o_.split + ": the dataset " + o_.dataset +
                  " has no splits (only an IDX dataset does); drop it");
    table.samples = std::min(dataset->size(), o_.limit);
    if (table.samples == 0)
      throw Error("calibration: the dataset " + dataset->describe() + " holds no samples");
    // Pass 1: static scales, and the full scales of layers that need no static scale.
    bool second = false;
    for (Target &t : targets_) {
      for (size_t g = 0; g < t.weights.size(); ++g) {
        if (t.isStatic)
          t.inputs.emplace_back(inputProbe(t.params));
        else if (t.calibrated)
          t.adcs.emplace_back(t.weights[g], t.params, t.percentile);
      }
      second |= t.isStatic && t.calibrated;
    }
    pass(*dataset, table.samples, /*first=*/true);
    for (Target &t : targets_)
      for (size_t g = 0; g < t.inputs.size(); ++g)
        t.scales.push_back(guarded(t, [&] { return t.inputs[g].scale(); }));
    // Pass 2: the full scales of static layers, with their scales of pass 1.
    if (second) {
      for (Target &t : targets_)
        if (t.isStatic && t.calibrated)
          for (size_t g = 0; g < t.weights.size(); ++g)
            guarded(t, [&] {
              t.adcs.emplace_back(t.weights[g], groupParams(t, g), t.percentile);
              return 0;
            });
      pass(*dataset, table.samples, /*first=*/false);
    }
    for (Target &t : targets_) {
      calibration::Layer &out = table.layers[t.layer];
      out.groups.emplace(t.weights.size());
      for (size_t g = 0; g < t.scales.size(); ++g)
        out.groups->at(g).inputScale = t.scales[g]; // float -> double: exact
      for (size_t g = 0; g < t.adcs.size(); ++g) {
        const std::vector<float> fs = guarded(t, [&] { return t.adcs[g].fullScales(); });
        out.groups->at(g).adcFullScales.emplace(fs.begin(), fs.end());
      }
      out.measuredFor = calibration::measuredFor(t.params, t.percentile);
      if (t.smooth)
        out.inputChannelMax = t.channelMax;
    }
    return table;
  }

private:
  template <typename F> auto guarded(const Target &t, F f) -> decltype(f()) {
    try {
      return f();
    } catch (const Error &e) {
      // One "calibration" prefix: the kernels' own ("cim calibration: ") is dropped.
      std::string what = e.what();
      const std::string kernel = "cim calibration: ";
      if (what.rfind(kernel, 0) == 0)
        what.erase(0, kernel.size());
      throw Error("calibration: " + where(t) + ": " + what);
    }
  }

  static void observeChannels(Target &t, int64_t g, const Tensor &rows) {
    const int64_t k = rows.dim(1);
    const float *x = rows.data<float>();
    double *out = t.channelMax.data() + g * t.channelsPerGroup;
    for (int64_t r = 0; r < rows.dim(0); ++r)
      for (int64_t e = 0; e < k; ++e) {
        const double v = std::fabs(double(x[r * k + e]));
        double &m = out[e / t.taps];
        if (v > m) // NaN never is: a non-finite input does not poison the channel's maximum
          m = std::isinf(v) ? m : v;
      }
  }

  void pass(Dataset &dataset, int64_t total, bool first) {
    BackendOptions options;
    options.digitalRowsTap = [&](const std::string &step, int64_t g, const Tensor &rows) {
      auto it = byStep_.find(step);
      if (it == byStep_.end())
        return;
      Target &t = targets_[it->second];
      if (first && t.smooth)
        observeChannels(t, g, rows);
      if (first && t.isStatic)
        guarded(t, [&] {
          t.inputs.at(g).add(rows);
          return 0;
        });
      else if (first != t.isStatic && t.calibrated)
        guarded(t, [&] {
          t.adcs.at(g).add(rows);
          return 0;
        });
    };
    // Calibration observes the rows on the host: the CPU backend, whatever --backend says.
    Executor executor(program_, createCpuBackend(options));
    const int64_t batch = program_->hasBatchAxis() ? o_.batch : 1;
    for (int64_t begin = 0; begin < total; begin += batch) {
      const int64_t count = std::min(batch, total - begin);
      executor.run(dataset.inputs(begin, count), RunContext{begin, 0});
    }
  }

  const CalibrationOptions &o_;
  std::shared_ptr<const Program> program_;
  std::vector<Target> targets_;
  std::map<std::string, size_t> byStep_;
};

} // namespace

calibration::Table runCalibration(const CalibrationOptions &options) {
  return Runner(options).run();
}

} // namespace cimlir
