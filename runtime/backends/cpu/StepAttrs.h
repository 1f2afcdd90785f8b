// cimlir runtime: reading a plan step's attributes when the CPU backend prepares it.
//
// A missing or mistyped attribute, or a step with the wrong number of inputs and outputs,
// is a corrupt plan (or one from a newer cim-opt): every failure throws cimlir::Error with
// one line naming the plan, the op and the step.
#pragma once

#include "runtime/core/Error.h"
#include "runtime/exec/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

struct CpuBackendOptions;

class StepAttrs {
public:
  StepAttrs(const Program &program, const Step &step, const CpuBackendOptions &options)
      : program_(program), step_(step), options_(options) {}

  const Program &program() const { return program_; }
  const Step &step() const { return step_; }
  /// The backend's options (run-time overrides for CIM steps).
  const CpuBackendOptions &options() const { return options_; }

  bool has(const char *key) const { return step_.attrs.contains(key); }
  int64_t i(const char *key) const {
    const auto &v = get(key);
    if (!v.is_number_integer())
      fail(std::string("attribute '") + key + "' is not an integer");
    return v.get<int64_t>();
  }
  float f(const char *key) const {
    const auto &v = get(key);
    if (!v.is_number())
      fail(std::string("attribute '") + key + "' is not a number");
    return v.get<float>();
  }
  std::string s(const char *key) const {
    const auto &v = get(key);
    if (!v.is_string())
      fail(std::string("attribute '") + key + "' is not a string");
    return v.get<std::string>();
  }
  std::vector<int64_t> ints(const char *key) const {
    const auto &v = get(key);
    std::vector<int64_t> out;
    if (!v.is_array())
      fail(std::string("attribute '") + key + "' is not a list");
    for (const auto &e : v) {
      if (!e.is_number_integer())
        fail(std::string("attribute '") + key + "' holds a non-integer");
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  void arity(size_t minIn, size_t maxIn) const {
    if (step_.inputs.size() < minIn || step_.inputs.size() > maxIn || step_.outputs.size() != 1)
      fail("has " + std::to_string(step_.inputs.size()) + " inputs and " +
           std::to_string(step_.outputs.size()) + " outputs");
  }
  [[noreturn]] void fail(const std::string &what) const {
    throw Error(program_.path() + ": step " + step_.op + " '" + step_.name + "' " + what);
  }

private:
  const nlohmann::json &get(const char *key) const {
    if (!step_.attrs.contains(key))
      fail(std::string("has no attribute '") + key + "'");
    return step_.attrs.at(key);
  }
  const Program &program_;
  const Step &step_;
  const CpuBackendOptions &options_;
};

} // namespace cimlir
