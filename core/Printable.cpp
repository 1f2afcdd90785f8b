#include "core/Printable.h"

namespace cimlir {

namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

void appendEscaped(std::string &out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;
    }
  }
}

} // namespace

std::string printable(std::string_view text, size_t limit) {
  std::string out;
  if (text.size() <= limit) {
    out.reserve(text.size());
    appendEscaped(out, text);
    return out;
  }
  // Cut at character boundaries: the head ends before a character's first byte, the tail
  // starts at one.
  size_t head = limit / 8 * 5, tail = text.size() - (limit - limit / 8 * 5);
  while (head > 0 && isContinuationByte(text[head]))
    --head;
  while (tail < text.size() && isContinuationByte(text[tail]))
    ++tail;
  appendEscaped(out, text.substr(0, head));
  out += "...[" + std::to_string(tail - head) + " bytes cut]...";
  appendEscaped(out, text.substr(tail));
  return out;
}

} // namespace cimlir
