// cimlir core: text from models, plans and datasets made safe to print on one line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cimlir {

/// How much of a text printable() shows: messages stay readable whatever a file holds.
inline constexpr size_t kPrintableLimit = 1024;

/// `text` with every control byte (< 0x20, and 0x7f) written as \xNN, so that a name read
/// from a file can neither break a message over several lines nor send terminal escape
/// codes. Bytes >= 0x80 (UTF-8) are kept as they are. A text of more than `limit` bytes
/// keeps its first 5/8 and last 3/8 of `limit` bytes (cut at UTF-8 character boundaries) with
/// "...[N bytes cut]..." between: what starts a message (where, what) and what ends it (what
/// was expected) both show.
std::string printable(std::string_view text, size_t limit = kPrintableLimit);

} // namespace cimlir
