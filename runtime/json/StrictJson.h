// cimlir: JSON text as every reader of ours takes it: device files, calibration tables and
// plan metadata go through parseStrict, so a file can neither exhaust the stack of a
// recursive reader, nor hide one of two equal keys, nor be larger than its kind may be.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace cimlir::json {

/// How deep objects and arrays may nest: far more than any file of ours needs, far less than
/// what exhausts a stack.
inline constexpr size_t kMaxNesting = 64;

/// Parses `text` (nlohmann::json or nlohmann::ordered_json) with the rules every reader of
/// ours applies: at most `maxBytes` bytes; nesting at most kMaxNesting deep, checked while
/// parsing, before anything recursive sees the value; no key twice in one object. Throws
/// cimlir::Error, one line naming `source` and where: "dev.json:3:14: JSON syntax error:
/// ...", "dev.json: layers./fc: duplicate field (each field may appear once)".
template <typename Json>
Json parseStrict(std::string_view text, const std::string &source, size_t maxBytes);

/// "a.json:3:14: JSON syntax error: ..." from nlohmann's parse error at byte `byte`
/// (1-based) of `text`.
std::string syntaxError(std::string_view text, const std::string &source, size_t byte,
                        const std::string &what);

} // namespace cimlir::json
