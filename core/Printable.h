// cimlir core: text from models, plans and datasets made safe to print on one line.
#pragma once

#include <string>
#include <string_view>

namespace cimlir {

/// `text` with every control byte (< 0x20, and 0x7f) written as \xNN, so that a name read
/// from a file can neither break a message over several lines nor send terminal escape
/// codes. Bytes >= 0x80 (UTF-8) are kept as they are.
std::string printable(std::string_view text);

} // namespace cimlir
