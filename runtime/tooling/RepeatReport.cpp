#include "runtime/tooling/RepeatReport.h"

#include "core/Error.h"
#include "runtime/device/DeviceJson.h"

#include <cmath>
#include <cstdio>

namespace cimlir {

const std::vector<std::string> &repeatedMetricNames() {
  static const std::vector<std::string> names = {
      "accuracy",      "top5_accuracy", "reference_agreement",
      "max_abs_error", "perplexity",    "nll_per_token"};
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
  metric("perplexity ", "perplexity", "%.4f");
  if (report.contains("max_abs_error")) {
    metric("max abs error ", "max_abs_error", "%.3g");
    line += " vs reference";
  }
  return line;
}

namespace {

/// A layer entry's counters priced per sample (docs/cost-model.md): a CIM layer on its mapping
/// (its "settings" as it ran), a digital one per MAC; both with their memory traffic.
device::LayerCost priceLayer(const nlohmann::json &layer, const device::CostSettings &cost) {
  const int64_t samples = layer.at("samples").get<int64_t>();
  const nlohmann::json &c = layer.at("counters");
  const int64_t groups = layer.at("groups").get<int64_t>();
  const int64_t k = layer.at("k").get<int64_t>(), n = layer.at("n").get<int64_t>();
  if (layer.at("op") == "DigitalLinear") {
    const auto precision =
        cim::enumFromString<cim::DigitalPrecision>(layer.at("precision").get<std::string>());
    if (!precision)
      throw Error("internal: a digital layer's report has no known precision");
    return device::digitalLayerCost(cost, {groups, k, n, *precision}, c.at("macs").get<int64_t>(),
                                    samples)
        .perSample(samples);
  }
  device::CimLayerShape shape;
  shape.groups = groups;
  shape.k = k;
  shape.n = n;
  shape.settings = device::parseDevice(nlohmann::ordered_json(layer.at("settings")),
                                       layer.at("name").get<std::string>())
                       .defaults;
  // The groups run side by side, each on the rows of x.
  const device::CimActivity activity{c.at("rows").get<int64_t>() / groups,
                                     c.at("active_input_digits").get<int64_t>(),
                                     c.at("adc_conversions").get<int64_t>()};
  return device::cimLayerCost(cost, shape, device::cimLayerCounts(shape, activity))
      .perSample(samples);
}

} // namespace

void LayerReports::add(const Executor &executor, int64_t repeat) {
  for (size_t i = 0, steps = executor.program().steps().size(); i < steps; ++i) {
    const nlohmann::json r = executor.stepReport(i);
    if (r.is_object() && (r.value("op", "") == "CimLinear" || r.value("op", "") == "DigitalLinear"))
      addLayer(i, r,
               r.contains("chip_seed") ? std::map<int64_t, nlohmann::json>{{repeat, r["chip_seed"]}}
                                       : std::map<int64_t, nlohmann::json>{});
  }
}

void LayerReports::addLayer(size_t step, const nlohmann::json &report,
                            const std::map<int64_t, nlohmann::json> &chipSeeds) {
  auto [it, added] = layers_.try_emplace(step);
  Layer &layer = it->second;
  layer.chipSeeds.insert(chipSeeds.begin(), chipSeeds.end());
  if (added) {
    layer.report = report;
    layer.report.erase("chip_seed");
    return;
  }
  nlohmann::json &merged = layer.report;
  merged["samples"] = merged["samples"].get<int64_t>() + report.at("samples").get<int64_t>();
  for (auto c = report.at("counters").begin(); c != report.at("counters").end(); ++c)
    merged["counters"][c.key()] = merged["counters"][c.key()].get<int64_t>() + c->get<int64_t>();
}

nlohmann::json LayerReports::state() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &[step, layer] : layers_) {
    nlohmann::json seeds = nlohmann::json::array();
    for (const auto &[repeat, seed] : layer.chipSeeds)
      seeds.push_back({repeat, seed});
    out.push_back({{"step", step}, {"report", layer.report}, {"chip_seeds", seeds}});
  }
  return out;
}

void LayerReports::merge(const nlohmann::json &state) {
  for (const nlohmann::json &entry : state) {
    std::map<int64_t, nlohmann::json> seeds;
    for (const nlohmann::json &pair : entry.at("chip_seeds"))
      seeds[pair.at(0).get<int64_t>()] = pair.at(1);
    addLayer(entry.at("step").get<size_t>(), entry.at("report"), seeds);
  }
}

nlohmann::json LayerReports::json(const device::CostSettings &cost) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &[step, layer] : layers_) {
    nlohmann::json entry = layer.report;
    entry["step"] = step;
    const double samples = static_cast<double>(entry["samples"].get<int64_t>());
    nlohmann::json perSample = nlohmann::json::object();
    for (auto it = entry["counters"].begin(); it != entry["counters"].end(); ++it)
      perSample[it.key()] = samples > 0 ? it.value().get<int64_t>() / samples : 0.0;
    entry["per_sample"] = perSample;
    if (entry["op"] == "CimLinear") {
      nlohmann::json seeds = nlohmann::json::array();
      for (const auto &[repeat, seed] : layer.chipSeeds)
        seeds.push_back(seed);
      entry["chip_seeds"] = seeds;
      const nlohmann::json &c = entry["counters"];
      auto ratio = [&c](const char *part, const char *whole) {
        const int64_t all = c[whole].get<int64_t>();
        return all > 0 ? static_cast<double>(c[part].get<int64_t>()) / all : 0.0;
      };
      entry["dac_activity"] = ratio("active_input_digits", "input_digits");
      entry["digital_activity"] = ratio("digital_nonzero", "digital_elements");
    }
    entry["cost"] = device::toJson(priceLayer(entry, cost));
    out.push_back(std::move(entry));
  }
  return out;
}

nlohmann::json LayerReports::chipCost(const device::CostSettings &cost) const {
  device::LayerCost chip;
  for (const auto &[step, layer] : layers_)
    chip += priceLayer(layer.report, cost);
  return layers_.empty() ? nlohmann::json::object() : device::toJson(chip);
}

} // namespace cimlir
