// Helpers for the CimLinear step tests: hand-built plans with CimLinear steps (the format
// of docs/plan-format.md) holding what the compiler's passes decide for given device
// settings, and an independent reference of an ideal CIM layer (cim-numerics.md §1, §3, §6
// written out here, not taken from the kernel).
#pragma once

#include "kernels/cim/LayerId.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cim/WeightLayout.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/Program.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cimlir::runtimetest {

/// `cim-ideal`-like settings: the defaults, no ADC conversion, no noise.
inline device::LayerSettings idealSettings() {
  device::LayerSettings s;
  s.adc.mode = device::AdcMode::Ideal;
  return s;
}

/// A CimLinear step as the compiler writes it for float weights `w` (in the kind's layout:
/// gemm [K,N] or [N,K] with transB, matmul [K,N], conv [M, C/g, k...]) under `settings`:
/// `levels` is Wq, the step's W constant, and `attrs` the kind's attributes (`extra`) with
/// the decisions of the CIM passes (weights, inputs, hybrid, mapping, adc, noise), made
/// with the kernels' own functions as the passes make them.
struct CimStep {
  Tensor levels;
  json attrs;
};

inline CimStep cimStep(const std::string &name, const std::string &kind,
                       const device::LayerSettings &s, const Tensor &w,
                       json extra = json::object()) {
  const cim::WeightLayout layout =
      kind == "conv" ? cim::WeightLayout::conv(w.shape(), extra.value("group", int64_t(1)))
                     : cim::WeightLayout::matrix(w.shape(), extra.value("transB", 0) != 0);
  cim::LayerWeights q = cim::quantizeLayerWeights(w, layout, toCimParams(s, "test"));
  auto sliced = [](const std::vector<int> &widths) {
    std::vector<int> offsets = cim::sliceOffsets(widths);
    return std::make_pair(json(widths), json(offsets));
  };
  auto [wSlices, wOffsets] = sliced(s.weights.slices);
  auto [aSlices, aOffsets] = sliced(s.inputs.slices);
  json ids = json::array();
  for (int64_t g = 0; g < layout.groups; ++g)
    ids.push_back(cim::layerId(name, g));
  extra["kind"] = kind;
  extra["weights"] = {{"bits", s.weights.bits},
                      {"granularity", cim::toString(s.weights.granularity)},
                      {"clip_percentile", s.weights.clipPercentile},
                      {"source", cim::toString(s.weights.source)},
                      {"scales", q.scales},
                      {"slices", wSlices},
                      {"offsets", wOffsets}};
  extra["inputs"] = {{"bits", s.inputs.bits},
                     {"scale", cim::toString(s.inputs.scale)},
                     {"clip_percentile", s.inputs.clipPercentile},
                     {"slices", aSlices},
                     {"offsets", aOffsets}};
  if (s.inputs.hybridAnalogBits)
    extra["hybrid"] = {{"analog_bits", s.inputs.hybridAnalogBits},
                       {"analog_qmax", cim::symmetricQmax(s.inputs.hybridAnalogBits)}};
  extra["mapping"] = {{"rows", s.crossbar.rows},
                      {"cols", s.crossbar.cols},
                      {"k", layout.K},
                      {"n", layout.N},
                      {"groups", layout.groups}};
  extra["adc"] = {{"mode", cim::toString(s.adc.mode)},
                  {"bits", s.adc.bits},
                  {"percentile", s.adc.percentile},
                  {"noise_lsb", s.adc.noiseLsb},
                  {"samples", s.adc.samples},
                  {"full_scales", cim::fullModeScales(layout.K, s.crossbar.rows, s.inputs.slices,
                                                      s.weights.slices)}};
  extra["noise"] = {{"read", s.noise.read},
                    {"program", s.noise.program},
                    {"stuck_at_min", s.noise.stuckAtMin},
                    {"stuck_at_max", s.noise.stuckAtMax},
                    {"seed", s.noise.seed},
                    {"chip_seed", s.noise.chipSeed},
                    {"normals", cim::toString(s.noise.normals)},
                    {"layer_ids", ids}};
  return {q.levels, extra};
}

/// Adds step `name` to `b` with `inputs` = {x, Wq (a new constant), the rest of `others`}.
inline void addCimStep(PlanBuilder &b, const std::string &name, const CimStep &step, int64_t x,
                       std::vector<int64_t> others, int64_t y) {
  std::vector<int64_t> ins = {x, b.constant(name + ".wq", step.levels)};
  ins.insert(ins.end(), others.begin(), others.end());
  b.step("CimLinear", name, ins, {y}, step.attrs);
}

inline Executor cimExecutor(const std::string &path, const BackendOptions &options = {}) {
  return Executor(Program::load(path), makeBackend(options));
}

/// §1/§3 scale: max|v| / 127 in float32 (IEEE division), 1 for an all-zero vector.
inline float refScale(float maxAbs) { return maxAbs == 0.0f ? 1.0f : maxAbs / 127.0f; }
/// §1/§3 level: clamp(rint(v / s), -127, 127), half to even.
inline int64_t refLevel(float v, float s) {
  float r = std::nearbyint(v / s);
  return static_cast<int64_t>(std::max(-127.0f, std::min(127.0f, r)));
}

/// An ideal 8-bit CIM layer (§6 with adc ideal and no noise): for x [M,K] and w [K,N]
/// (row-major), y[m,n] = fl32(s_x[m]·s_w[n]) · fl32(Σ_k xq[m,k]·Wq[k,n]) with per-channel
/// weight scales max|W[:,n]|/127 and per-row input scales max|x[m,:]|/127.
inline std::vector<float> idealCimReference(const float *x, int64_t M, int64_t K, const float *w,
                                            int64_t N) {
  std::vector<float> sw(static_cast<size_t>(N));
  std::vector<int64_t> wq(static_cast<size_t>(K * N));
  for (int64_t n = 0; n < N; ++n) {
    float m = 0.0f;
    for (int64_t k = 0; k < K; ++k)
      m = std::max(m, std::fabs(w[k * N + n]));
    sw[n] = refScale(m);
    for (int64_t k = 0; k < K; ++k)
      wq[k * N + n] = refLevel(w[k * N + n], sw[n]);
  }
  std::vector<float> y(static_cast<size_t>(M * N));
  std::vector<int64_t> xq(static_cast<size_t>(K));
  for (int64_t m = 0; m < M; ++m) {
    float mx = 0.0f;
    for (int64_t k = 0; k < K; ++k)
      mx = std::max(mx, std::fabs(x[m * K + k]));
    float sx = refScale(mx);
    for (int64_t k = 0; k < K; ++k)
      xq[k] = refLevel(x[m * K + k], sx);
    for (int64_t n = 0; n < N; ++n) {
      int64_t acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc += xq[k] * wq[k * N + n];
      float scale = sx * sw[n];
      y[m * N + n] = scale * static_cast<float>(acc);
    }
  }
  return y;
}

/// got == ref within a tight tolerance (the same float32 operations up to contraction).
inline void expectNear(const Tensor &got, const std::vector<float> &ref, const std::string &what) {
  ASSERT_EQ(got.dtype(), DType::F32) << what;
  ASSERT_EQ(static_cast<size_t>(got.numel()), ref.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < ref.size() && bad < 10; ++i) {
    float g = got.data<float>()[i];
    if (!(std::fabs(g - ref[i]) <= 1e-6f * std::fabs(ref[i]) + 1e-6f)) {
      ADD_FAILURE() << what << ": element " << i << " is " << g << ", expected " << ref[i];
      ++bad;
    }
  }
}

inline bool sameBytes(const Tensor &a, const Tensor &b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw(), b.raw(), a.byteSize()) == 0;
}

} // namespace cimlir::runtimetest
