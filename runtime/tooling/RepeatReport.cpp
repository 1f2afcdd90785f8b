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
    // The linear layers: their counters and cost (other steps report nothing or no cost).
    if (r.is_null() || !r.contains("cost"))
      continue;
    const bool cim = r.contains("chip_seed");
    if (first_) {
      r["step"] = i;
      if (cim) {
        r["chip_seeds"] = nlohmann::json::array({r["chip_seed"]});
        r.erase("chip_seed");
      }
      layers_.emplace_back(i, std::move(r));
      continue;
    }
    if (next >= layers_.size() || layers_[next].first != i)
      throw Error("internal: repeats report different layers");
    nlohmann::json &merged = layers_[next++].second;
    const int64_t before = merged["samples"].get<int64_t>(), added = r["samples"].get<int64_t>();
    merged["samples"] = before + added;
    for (auto it = r["counters"].begin(); it != r["counters"].end(); ++it)
      merged["counters"][it.key()] =
          merged["counters"][it.key()].get<int64_t>() + it.value().get<int64_t>();
    // Per sample over all repeats' samples (the area is every repeat's).
    for (auto it = r["cost"].begin(); it != r["cost"].end(); ++it)
      if (it.key() != "area_mm2" && before + added > 0)
        merged["cost"][it.key()] =
            (merged["cost"][it.key()].get<double>() * static_cast<double>(before) +
             it.value().get<double>() * static_cast<double>(added)) /
            static_cast<double>(before + added);
    if (cim)
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
    if (layer.contains("chip_seeds")) {
      const nlohmann::json &c = layer["counters"];
      auto ratio = [&c](const char *part, const char *whole) {
        const int64_t all = c[whole].get<int64_t>();
        return all > 0 ? static_cast<double>(c[part].get<int64_t>()) / all : 0.0;
      };
      entry["dac_activity"] = ratio("active_input_digits", "input_digits");
      entry["digital_activity"] = ratio("digital_nonzero", "digital_elements");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::json LayerReports::chipCost() const {
  nlohmann::json total = nlohmann::json::object();
  if (layers_.empty())
    return total;
  for (auto it = layers_.front().second["cost"].begin(); it != layers_.front().second["cost"].end();
       ++it)
    total[it.key()] = 0.0;
  for (const auto &[step, layer] : layers_)
    for (auto it = layer["cost"].begin(); it != layer["cost"].end(); ++it)
      total[it.key()] = total[it.key()].get<double>() + it.value().get<double>();
  return total;
}

} // namespace cimlir
