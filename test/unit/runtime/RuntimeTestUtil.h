// Helpers for the runtime tests: plans built by hand as the compiler's emitter writes them
// (compiler/emitter/PlanEmitter.cpp: metadata format 1 with inputs, outputs, values,
// constants and steps, one tensor section per constant), random tensors, and tolerant
// comparison against references computed in double.
#pragma once

#include "core/Tensor.h"
#include "runtime/backends/Registry.h"
#include "runtime/plan/PlanWriter.h"
#include "test/unit/plan/PlanTestUtil.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace cimlir::runtimetest {

/// The backend these tests run on: ctest runs the suite once per registered backend, naming it
/// in CIMLIR_TEST_BACKEND (test/unit/runtime/CMakeLists.txt); "cpu" when run by hand.
inline std::string testBackend() {
  const char *name = std::getenv("CIMLIR_TEST_BACKEND");
  return name && *name ? name : "cpu";
}
inline std::unique_ptr<Backend> makeBackend(const BackendOptions &options = {}) {
  return createBackend(testBackend(), options);
}

using nlohmann::json;
using plantest::containsAll;
using plantest::errorOf;
using plantest::randInt;
using plantest::TempDir;
namespace fs = std::filesystem;

/// Builds plan metadata and sections the way PlanEmitter does.
class PlanBuilder {
public:
  int64_t value(const std::string &name, const std::string &dtype, const Shape &shape) {
    values_.push_back({{"name", name}, {"dtype", dtype}, {"shape", shape}});
    return static_cast<int64_t>(values_.size()) - 1;
  }
  int64_t value(const std::string &name, DType dtype, const Shape &shape) {
    return value(name, dtypeName(dtype), shape);
  }
  int64_t input(const std::string &name, DType dtype, const Shape &shape) {
    int64_t id = value(name, dtype, shape);
    inputs_.push_back({{"name", name}, {"value", id}});
    return id;
  }
  void output(const std::string &name, int64_t id) {
    outputs_.push_back({{"name", name}, {"value", id}});
  }
  /// A constant value with its own section holding `t`'s bytes.
  int64_t constant(const std::string &name, const Tensor &t) {
    int64_t id = value(name, t.dtype(), t.shape());
    int64_t section = addSection("const:" + name, t);
    constants_.push_back({{"value", id}, {"section", section}});
    return id;
  }
  int64_t addSection(const std::string &name, const Tensor &t) {
    keep_.push_back(t);
    return writer_.addTensor(name, t.raw(), t.byteSize());
  }
  int64_t step(const std::string &op, const std::string &name, const std::vector<int64_t> &inputs,
               const std::vector<int64_t> &outputs, const json &attrs = json::object()) {
    steps_.push_back(
        {{"op", op}, {"name", name}, {"inputs", inputs}, {"outputs", outputs}, {"attrs", attrs}});
    return static_cast<int64_t>(steps_.size()) - 1;
  }
  json metadata() const {
    return {{"format", 1},
            {"producer", "cim-opt test"},
            {"source", "handmade.onnx"},
            {"inputs", inputs_},
            {"outputs", outputs_},
            {"values", values_},
            {"constants", constants_},
            {"steps", steps_}};
  }
  /// The header's device fingerprint (0, no device, unless set).
  void setDeviceFingerprint(uint64_t fingerprint) { writer_.setDeviceFingerprint(fingerprint); }
  /// Writes the plan with `meta` (default: metadata()) to `path`.
  void write(const std::string &path) { write(path, metadata()); }
  void write(const std::string &path, const json &meta) {
    writer_.setMetadata(meta.dump());
    writer_.setProducer("cim-opt test");
    std::string err = writer_.write(path);
    ASSERT_EQ(err, "");
  }

private:
  plan::PlanWriter writer_;
  std::vector<Tensor> keep_; // section bytes stay alive until write()
  json values_ = json::array(), inputs_ = json::array(), outputs_ = json::array(),
       constants_ = json::array(), steps_ = json::array();
};

inline Tensor randomF32(std::mt19937 &gen, const Shape &shape, double lo = -1.0, double hi = 1.0) {
  Tensor t = Tensor::allocate(DType::F32, shape);
  std::uniform_real_distribution<double> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = static_cast<float>(d(gen));
  return t;
}

inline json gemmAttrs(double alpha, double beta, int transA, int transB) {
  return {{"alpha", alpha}, {"beta", beta}, {"transA", transA}, {"transB", transB}};
}

/// |got - ref| <= atol + rtol * scale for every element (scale: the sum of the absolute
/// values of the terms that made the reference element, or |ref| when absent).
inline void expectClose(const Tensor &got, const std::vector<double> &ref,
                        const std::vector<double> &scale, double rtol, double atol,
                        const std::string &what) {
  ASSERT_EQ(got.dtype(), DType::F32) << what;
  ASSERT_EQ(static_cast<size_t>(got.numel()), ref.size()) << what;
  ASSERT_TRUE(got.raw() != nullptr || ref.empty()) << what << " has no storage";
  int bad = 0;
  for (size_t i = 0; i < ref.size() && bad < 10; ++i) {
    double s = scale.empty() ? std::fabs(ref[i]) : scale[i];
    double g = got.data<float>()[i];
    if (!(std::fabs(g - ref[i]) <= atol + rtol * s)) {
      ADD_FAILURE() << what << ": element " << i << " is " << g << ", expected " << ref[i]
                    << " (tolerance " << atol + rtol * s << ")";
      ++bad;
    }
  }
}

} // namespace cimlir::runtimetest
