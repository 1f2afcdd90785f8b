// cimlir device files (cim-numerics.md §10): files, presets, per-layer entries and --set,
// shared by cim-opt (which compiles a device into a plan) and cim-run (which changes its
// run-time parameters with --set). A layer's settings and their rules are defined once in
// kernels/cim/LayerSettings.h. docs/device-files.md is the user's reference.
//
// This header is free of nlohmann-json and of exceptions in its interface so that the
// compiler (built with -fno-exceptions) can include it and call the try*() forms. The
// throwing forms throw cimlir::Error with one line naming the file (or preset, or --set)
// and the JSON field path: "dev.json: adc.bits: 20 is outside 2..16".
// DeviceJson.h adds the nlohmann-json forms (parseDevice, toJson) for the runtime.
#pragma once

#include "kernels/cim/LayerSettings.h"
#include "runtime/device/CostModel.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cimlir::device {

// ---- The settings of one layer ---------------------------------------------------------------

// A device file's sections are one layer's settings, defined once (with their field table and
// §10 rules) in kernels/cim/LayerSettings.h.
using cim::AdcMode;
using cim::DigitalPrecision;
using cim::InputScale;
using cim::LayerSettings;
using cim::WeightGranularity;

/// One `layers` entry: node names matching `glob` get `overrides` merged in.
struct LayerEntry {
  std::string glob;
  /// The partial settings as canonical compact JSON text (sections and fields in the order
  /// of docs/device-files.md, numbers normalised, `"digital": true` spelled as an object).
  std::string overrides;
  bool operator==(const LayerEntry &o) const { return glob == o.glob && overrides == o.overrides; }
};

/// A validated device file.
struct DeviceConfig {
  std::string name;
  LayerSettings defaults;
  /// The effective entries in the order they apply: the built-in default entries that the
  /// file did not replace, then the file's entries in file order.
  std::vector<LayerEntry> layers;
  /// The chip's per-operation costs (`cost`, docs/cost-model.md), for reports only: no
  /// number a plan computes depends on them.
  CostSettings cost;
  /// Where it came from, for messages: the path, or "preset NAME". Not part of the device:
  /// operator==, toJson and fingerprint ignore it.
  std::string source;
  bool operator==(const DeviceConfig &o) const {
    return name == o.name && defaults == o.defaults && layers == o.layers && cost == o.cost;
  }
  bool operator!=(const DeviceConfig &o) const { return !(*this == o); }
};

// ---- Loading ----------------------------------------------------------------------------

/// §10's rule for `--device X`: X names a file if one exists at that path, else a preset;
/// neither -> Error listing the presets.
DeviceConfig loadDevice(const std::string &fileOrPreset);

/// Parses and validates device-file text. `sourceName` is what the messages name (the path).
/// Syntax errors name the line and column: "dev.json:3:14: JSON syntax error: ...".
DeviceConfig parseDeviceText(std::string_view text, const std::string &sourceName);

/// The presets, in the order the docs list them: digital, cim-ideal, rram-256, harsh.
const std::vector<std::string> &presetNames();
bool isPreset(const std::string &name);
/// The JSON text of a preset (Presets.cpp); throws Error for an unknown name.
const std::string &presetText(const std::string &name);

// ---- Per-layer settings -----------------------------------------------------------------

/// The settings of the node named `nodeName`: the defaults, then every matching entry of
/// `layers` in order (later ones override earlier ones, field by field). Throws Error if the
/// merged entries together are invalid (each entry alone was checked when the file loaded).
LayerSettings resolveLayer(const DeviceConfig &device, const std::string &nodeName);

/// `*` matches any run of characters ('/' included), every other character itself; the glob
/// must match the whole name.
bool globMatch(std::string_view glob, std::string_view name);

/// The built-in default `layers` entries every device starts with ("/lm_head*" digital).
const std::vector<LayerEntry> &defaultLayerEntries();

// ---- Run-time parameters (cim-run --set) ------------------------------------------------

/// `--set KEY=VALUE`: changes one run-time parameter (adc.mode, adc.bits, adc.noise_lsb,
/// adc.samples, noise.*) of `settings`, with the file's type and range rules (an integer
/// field takes an integer only). Any other known field -> Error "KEY is fixed when the plan is
/// compiled; recompile with cim-opt"; adc.mode=calibrated is refused unless the layer already
/// is calibrated (its full scales come from calibration at compile time).
void applySetting(LayerSettings &settings, const std::string &key, const std::string &value);
/// The same with "KEY=VALUE" in one string.
void applySetting(LayerSettings &settings, const std::string &assignment);
/// Several assignments in order (cim-run's --set list), each "KEY=VALUE" or "GLOB:KEY=VALUE"
/// (the layers whose names GLOB matches; split at the last ':' before the first '='), for the
/// CIM layer named `layerName`: the assignments without a glob and those whose glob matches
/// the name. Each value is checked with its own field's type and range as it is applied; the
/// rules between fields (p_min + p_max <= 1, adc.mode=calibrated only on a calibrated layer)
/// are checked once, on the final state. On error `settings` is left as it was.
void applySettings(LayerSettings &settings, const std::vector<std::string> &assignments,
                   const std::string &layerName = "");
/// Checks the assignments before a run, on `base`: the ones without a glob together, and with
/// them those of each glob in turn (a layer that two globs match is checked when its settings
/// are made, applySettings). Throws the first error.
void checkSettings(const LayerSettings &base, const std::vector<std::string> &assignments);
/// The keys applySetting accepts.
const std::vector<std::string> &runtimeSettingKeys();

// ---- Globs that must match a layer -------------------------------------------------------

/// How many names listLayers shows before it counts the rest.
constexpr size_t kListedLayers = 40;
/// Layer names for a message: the first kListedLayers, then how many there are in all.
std::string listLayers(const std::vector<std::string> &names);
/// The first `layers` entry of the device that matches none of the model's `layerNames`, as the
/// one-line error "dev.json: layers./conv9*: the glob matches no layer (layers: ...)"; "" when
/// each matches one. The built-in default entries the file kept are not checked (a model
/// without /lm_head layers is the common case).
std::string unmatchedLayerGlob(const DeviceConfig &device,
                               const std::vector<std::string> &layerNames);
/// The first GLOB:KEY=VALUE of `assignments` whose glob matches none of a plan's CIM layers
/// `layerNames`, as the one-line error "--set: ...: the glob ... matches no CIM layer (CIM
/// layers: ...)"; "" when each matches one.
std::string unmatchedSetGlob(const std::vector<std::string> &assignments,
                             const std::vector<std::string> &layerNames);

/// The device with the layers `names` (exact node names) kept digital: each gets a `layers`
/// entry of its own name holding "digital": {"enabled": true} (after the file's entries, or
/// merged into the file's entry of that very glob), at the precision the device gives it,
/// but "fp32" for those also in `fp32Names` (recurrent layers, which are digital in fp32 only)
/// (cim-opt --digital-budget --save-device). Throws cimlir::Error for a name holding '*' (a
/// glob would read it as a wildcard) and for a name a later entry would put back on CIM.
DeviceConfig keepDigital(const DeviceConfig &device, const std::vector<std::string> &names,
                         const std::vector<std::string> &fp32Names = {});

// ---- Printing and identity ----------------------------------------------------------------

/// The resolved file (every field, defaults filled in, the effective layers list) as JSON
/// text; parseDeviceText(toJsonText(d)) == d. indent < 0: compact.
std::string toJsonText(const DeviceConfig &device, int indent = 2);
/// One layer's complete settings as a JSON object text (the sections of the file, no name).
std::string toJsonText(const LayerSettings &settings, int indent = -1);

/// FNV-1a 64 of the compact canonical JSON (toJsonText(device, -1)), for the plan header.
uint64_t fingerprint(const DeviceConfig &device);

// ---- Exception-free forms for the compiler (-fno-exceptions) ------------------------------

/// loadDevice; returns "" on success, else the one-line error (out is then unchanged).
std::string tryLoadDevice(const std::string &fileOrPreset, DeviceConfig &out);
/// parseDeviceText; returns "" on success, else the one-line error (out is then unchanged).
std::string tryParseDeviceText(std::string_view text, const std::string &sourceName,
                               DeviceConfig &out);
/// resolveLayer; returns "" on success, else the one-line error.
std::string tryResolveLayer(const DeviceConfig &device, const std::string &nodeName,
                            LayerSettings &out);

} // namespace cimlir::device
