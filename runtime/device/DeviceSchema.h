// cimlir device files: JSON in and out of a layer's settings, through the one field table
// (kernels/cim/LayerSettings.h), shared by DeviceConfig.cpp's parsing, --set and printing.
// Internal to runtime/device (not part of the public API).
#pragma once

#include "core/Error.h"
#include "core/Printable.h"
#include "kernels/cim/LayerSettings.h"
#include "runtime/device/DeviceConfig.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cimlir::device::detail {

using ojson = nlohmann::ordered_json;

inline constexpr size_t kMaxFileBytes = 16u << 20;

/// Throws for one source (a file, a preset, --set): "SOURCE: PATH: WHAT".
struct Reporter {
  std::string source;
  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error(printable(source) + ": " + (path.empty() ? "" : path + ": ") + what);
  }
};

/// A field's value from JSON that has passed checkValue (its kind's JSON type).
cim::FieldValue fromJson(const cim::LayerField &field, const ojson &value);
/// A field's value as device files write it (integers as integers, numbers as doubles).
ojson toJson(const cim::LayerField &field, const cim::FieldValue &value);

/// A value as the user wrote it, short: numbers and strings as JSON, containers by kind.
std::string describe(const ojson &v);
/// A name quoted for messages, control characters escaped.
std::string shown(std::string_view s);
bool validUtf8(std::string_view s);
std::string joinNames(const std::vector<std::string> &names);

/// Checks and applies the sections of one object (the file's top level or a layers entry).
void applySections(LayerSettings &s, const ojson &obj, const std::string &prefix,
                   const Reporter &rep);
/// The checks across fields of one layer (slice sums, the 2^31 product, hybrid bits, ...).
void checkLayer(const LayerSettings &s, const std::string &prefix, const Reporter &rep);
/// A layers entry with every value in canonical form.
ojson canonicalEntry(const ojson &entry);
/// Parses JSON the library wrote itself (presets, stored overrides).
ojson parseTrusted(const std::string &text, const Reporter &rep, const std::string &path);

} // namespace cimlir::device::detail
