// cimlir device files: the nlohmann-json forms of DeviceConfig.h, for runtime code (built with
// exceptions). The compiler uses DeviceConfig.h's text forms instead.
//
// Device JSON is nlohmann::ordered_json because the order of the `layers` entries matters
// (later entries override earlier ones); a nlohmann::json converts implicitly but has already
// sorted its keys.
#pragma once

#include "runtime/device/CostModel.h"
#include "runtime/device/DeviceConfig.h"

#include <nlohmann/json.hpp>

#include <string>

namespace cimlir::device {

/// Validates a parsed device file; every error is a cimlir::Error of one line naming
/// `sourceName` and the field path ("dev.json: layers./fc1*.adc.bits: 20 is outside 2..16").
/// Without a `name`, the device is named after the file (the stem of `sourceName`).
DeviceConfig parseDevice(const nlohmann::ordered_json &file, const std::string &sourceName);

/// The resolved file: every field with defaults filled in, and the effective `layers` list;
/// parseDevice(toJson(d), any) == d.
nlohmann::ordered_json toJson(const DeviceConfig &device);
/// One layer's complete settings: {"crossbar": …, "weights": …, …, "digital": …}.
nlohmann::ordered_json toJson(const LayerSettings &settings);
/// A layer's cost as cim-run's report gives it: {"energy_pj_per_sample": …, …} (costFigures).
nlohmann::json toJson(const LayerCost &cost);

} // namespace cimlir::device
