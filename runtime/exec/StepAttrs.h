// cimlir runtime: reading a plan step's attributes when a backend prepares it.
//
// A missing or mistyped attribute, or a step with the wrong number of inputs and outputs,
// is a corrupt plan (or one from a newer cim-opt): every failure throws cimlir::Error with
// one line naming the plan, the op and the step. A key with dots ("weights.bits") names a
// field of an object attribute (a CimLinear step's decisions).
#pragma once

#include "core/Error.h"
#include "runtime/exec/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

struct BackendOptions;

class StepAttrs {
public:
  StepAttrs(const Program &program, const Step &step, const BackendOptions &options)
      : program_(program), step_(step), options_(options) {}

  const Program &program() const { return program_; }
  const Step &step() const { return step_; }
  /// The backend's options (run-time overrides for CIM steps).
  const BackendOptions &options() const { return options_; }

  bool has(const char *key) const { return find(key) != nullptr; }
  /// The attribute as the plan holds it (its type unchecked).
  const nlohmann::json &raw(const char *key) const { return get(key); }
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
  /// An integer in 0..2^64-1 (seeds, layer ids).
  uint64_t u64(const char *key) const { return unsignedValue(get(key), key); }
  std::vector<int64_t> ints(const char *key) const {
    std::vector<int64_t> out;
    for (const auto &e : list(key)) {
      if (!e.is_number_integer())
        fail(std::string("attribute '") + key + "' holds a non-integer");
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  std::vector<std::string> strings(const char *key) const {
    std::vector<std::string> out;
    for (const auto &e : list(key)) {
      if (!e.is_string())
        fail(std::string("attribute '") + key + "' holds a non-string");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  std::vector<uint64_t> u64s(const char *key) const {
    std::vector<uint64_t> out;
    for (const auto &e : list(key))
      out.push_back(unsignedValue(e, key));
    return out;
  }
  std::vector<float> floats(const char *key) const {
    std::vector<float> out;
    for (const auto &e : list(key)) {
      if (!e.is_number())
        fail(std::string("attribute '") + key + "' holds a non-number");
      out.push_back(e.get<float>());
    }
    return out;
  }
  std::vector<double> doubles(const char *key) const {
    std::vector<double> out;
    for (const auto &e : list(key)) {
      if (!e.is_number())
        fail(std::string("attribute '") + key + "' holds a non-number");
      out.push_back(e.get<double>());
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
  /// The attribute at `key`, descending into objects at each '.'; null when absent.
  const nlohmann::json *find(const std::string &key) const {
    const nlohmann::json *at = &step_.attrs;
    for (size_t begin = 0;;) {
      size_t dot = key.find('.', begin);
      std::string part = key.substr(begin, dot == std::string::npos ? dot : dot - begin);
      if (!at->is_object() || !at->contains(part))
        return nullptr;
      at = &at->at(part);
      if (dot == std::string::npos)
        return at;
      begin = dot + 1;
    }
  }
  const nlohmann::json &get(const char *key) const {
    const nlohmann::json *v = find(key);
    if (!v)
      fail(std::string("has no attribute '") + key + "'");
    return *v;
  }
  const nlohmann::json &list(const char *key) const {
    const auto &v = get(key);
    if (!v.is_array())
      fail(std::string("attribute '") + key + "' is not a list");
    return v;
  }
  uint64_t unsignedValue(const nlohmann::json &v, const char *key) const {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
      fail(std::string("attribute '") + key + "' is not an integer in 0..2^64-1");
    return v.get<uint64_t>();
  }
  const Program &program_;
  const Step &step_;
  const BackendOptions &options_;
};

} // namespace cimlir
