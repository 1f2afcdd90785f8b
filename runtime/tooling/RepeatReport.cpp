#include "runtime/tooling/RepeatReport.h"

#include "core/Error.h"

#include <cmath>
#include <cstdio>

namespace cimlir {

const std::vector<std::string> &repeatedMetricNames() {
  static const std::vector<std::string> names = {"accuracy", "top5_accuracy", "reference_agreement",
                                                 "max_abs_error"};
  return names;
}

nlohmann::json combineRepeats(const std::vector<nlohmann::json> &summaries) {
  if (summaries.empty())
    throw Error("internal: no repeats to combine");
  nlohmann::json out = summaries[0];
  const size_t n = summaries.size();
  nlohmann::json over = nlohmann::json::object();
  for (const std::string &name : repeatedMetricNames()) {
    if (!summaries[0].contains(name))
      continue;
    std::vector<double> values;
    for (const auto &s : summaries)
      values.push_back(s.at(name).get<double>());
    // Shifted by the first value, so that chips that agree give exactly that value and a std
    // of exactly 0 (sum / n of equal values need not be the value in floating point).
    double shift = 0.0;
    for (double v : values)
      shift += v - values[0];
    const double mean = values[0] + shift / static_cast<double>(n);
    double var = 0.0;
    for (double v : values)
      var += (v - mean) * (v - mean);
    double sd = n > 1 ? std::sqrt(var / static_cast<double>(n - 1)) : 0.0;
    over[name] = {{"values", values}, {"mean", mean}, {"std", sd}};
    out[name] = mean;
  }
  out["over_repeats"] = over;
  if (n > 1) {
    out.erase("correct");
    if (out.contains("elements_compared")) {
      int64_t compared = 0, outside = 0;
      bool match = true;
      for (const auto &s : summaries) {
        compared += s.at("elements_compared").get<int64_t>();
        outside += s.at("elements_outside_tolerance").get<int64_t>();
        match = match && s.at("outputs_match_reference").get<bool>();
      }
      out["elements_compared"] = compared;
      out["elements_outside_tolerance"] = outside;
      out["outputs_match_reference"] = match;
    }
  }
  return out;
}

std::string metricsLine(const nlohmann::json &report, int64_t samples, int64_t repeats) {
  std::string line;
  char buf[200];
  bool chipsShown = false;
  const nlohmann::json &over = report.at("over_repeats");
  // One chip: the value; several: mean ± std, and the chip count after the first metric.
  auto metric = [&](const char *label, const char *key, const char *format) {
    if (!report.contains(key))
      return;
    if (!line.empty())
      line += " | ";
    std::snprintf(buf, sizeof buf, format, report[key].get<double>());
    line += label;
    line += buf;
    if (repeats > 1) {
      std::snprintf(buf, sizeof buf, format, over[key]["std"].get<double>());
      line += std::string(" \u00b1 ") + buf;
      if (!chipsShown)
        line += " over " + std::to_string(repeats) + " chips";
      chipsShown = true;
    }
  };
  metric("accuracy ", "accuracy", "%.4f");
  if (repeats == 1 && report.contains("correct")) {
    std::snprintf(buf, sizeof buf, " (%lld/%lld)",
                  static_cast<long long>(report["correct"].get<int64_t>()),
                  static_cast<long long>(samples));
    line += buf;
  }
  metric("agreement with reference ", "reference_agreement", "%.4f");
  if (report.contains("max_abs_error")) {
    metric("max abs error ", "max_abs_error", "%.3g");
    line += " vs reference";
  }
  return line;
}

void LayerReports::add(const Executor &executor) {
  const size_t steps = executor.program().steps().size();
  size_t next = 0;
  for (size_t i = 0; i < steps; ++i) {
    nlohmann::json r = executor.stepReport(i);
    // Only the CIM layers: a DigitalLinear step reports no crossbars, counters or chip seed.
    if (r.is_null() || r.value("op", "") != "CimLinear")
      continue;
    if (first_) {
      r["step"] = i;
      r["chip_seeds"] = nlohmann::json::array({r["chip_seed"]});
      r.erase("chip_seed");
      layers_.emplace_back(i, std::move(r));
      continue;
    }
    if (next >= layers_.size() || layers_[next].first != i)
      throw Error("internal: repeats report different CIM layers");
    nlohmann::json &merged = layers_[next++].second;
    merged["samples"] = merged["samples"].get<int64_t>() + r["samples"].get<int64_t>();
    for (auto it = r["counters"].begin(); it != r["counters"].end(); ++it)
      merged["counters"][it.key()] =
          merged["counters"][it.key()].get<int64_t>() + it.value().get<int64_t>();
    merged["chip_seeds"].push_back(r["chip_seed"]);
  }
  first_ = false;
}

nlohmann::json LayerReports::json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &[step, layer] : layers_) {
    nlohmann::json entry = layer;
    const double samples = static_cast<double>(layer["samples"].get<int64_t>());
    nlohmann::json perSample = nlohmann::json::object();
    for (auto it = layer["counters"].begin(); it != layer["counters"].end(); ++it)
      perSample[it.key()] = samples > 0 ? it.value().get<int64_t>() / samples : 0.0;
    entry["per_sample"] = perSample;
    const int64_t elements = layer["counters"]["digital_elements"].get<int64_t>();
    entry["digital_activity"] =
        elements > 0
            ? static_cast<double>(layer["counters"]["digital_nonzero"].get<int64_t>()) / elements
            : 0.0;
    out.push_back(std::move(entry));
  }
  return out;
}

} // namespace cimlir
