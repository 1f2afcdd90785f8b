// Helpers for the CimLinear step tests: hand-built plans with CimLinear steps (the format
// of docs/plan-format.md), device settings as the compiler writes them, and an independent
// reference of an ideal CIM layer (cim-numerics.md §1, §3, §6 written out here, not taken
// from the kernel).
#pragma once

#include "runtime/backends/cpu/CpuBackend.h"
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

/// The attrs of a CimLinear step with `settings`, plus the kind's own attributes.
inline json cimAttrs(const std::string &kind, const device::LayerSettings &settings,
                     json extra = json::object()) {
  extra["kind"] = kind;
  extra["settings"] = device::toJsonText(settings, -1);
  return extra;
}

inline Executor cimExecutor(const std::string &path, const CpuBackendOptions &options = {}) {
  return Executor(Program::load(path), createCpuBackend(options));
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
