// cimlir device files: the schema and value checks shared by DeviceConfig.cpp's parsing,
// --set and printing. Internal to runtime/device (not part of the public API).
#pragma once

#include "core/Error.h"
#include "core/Printable.h"
#include "runtime/device/DeviceConfig.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cimlir::device::detail {

using ojson = nlohmann::ordered_json;

inline constexpr size_t kMaxFileBytes = 16u << 20;
inline constexpr size_t kMaxNesting = 64;

/// Throws for one source (a file, a preset, --set): "SOURCE: PATH: WHAT".
struct Reporter {
  std::string source;
  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error(printable(source) + ": " + (path.empty() ? "" : path + ": ") + what);
  }
};

enum class Kind {
  Int,    ///< a JSON integer in lo..hi
  Seed,   ///< a JSON integer in 0..2^64-1
  Number, ///< any finite JSON number in the range
  Enum,   ///< one of `choices`
  Slices, ///< an array of integers in 1..7
  Bool,
};

struct Field {
  const char *section = "";
  const char *name = "";
  Kind kind = Kind::Int;
  double lo = 0, hi = 0; ///< Int: inclusive; Number: see loOpen / hi (inf: no bound)
  bool loOpen = false;   ///< Number: lo excluded ((0, 100] for percentiles)
  std::vector<std::string> choices;
  bool runtime = false;                                    ///< may be changed by cim-run --set
  std::function<void(LayerSettings &, const ojson &)> set; ///< from a checked value
  std::function<ojson(const LayerSettings &)> get;         ///< the canonical value
  std::string key() const { return std::string(section) + "." + name; }
};

/// The six sections of a device file, and the spellings of the enum fields.
extern const std::vector<std::string> kSections, kGranularity, kScale, kAdcMode, kPrecision;

/// Every field of a device file, in the order the docs and --print-device list them.
const std::vector<Field> &schema();
/// The fields of one section.
std::vector<const Field *> sectionFields(const std::string &section);

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
/// "a.json:3:14: JSON syntax error: ..." from a parse error at byte `byte` (1-based).
std::string syntaxError(std::string_view text, const std::string &source, size_t byte,
                        const std::string &what);

} // namespace cimlir::device::detail
