// printable(): control bytes become \xNN, everything else (UTF-8 included) stays.
#include "CoreTestUtil.h"

#include "core/Printable.h"

using namespace cimlir;
using namespace cimlir::coretest;

namespace {

/// Undoes printable() for text without backslashes of its own.
std::string unescape(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

TEST(Printable, EscapesControlBytes) {
  EXPECT_EQ(printable("fc1"), "fc1");
  EXPECT_EQ(printable(""), "");
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(printable("\r\t"), "\\x0d\\x09");
  EXPECT_EQ(printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(printable(std::string("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("\x1f \x20~"), "\\x1f  ~");
}

TEST(Printable, KeepsUtf8AndPrintableAscii) {
  EXPECT_EQ(printable("conv/权重/é"), "conv/权重/é");
  std::string ascii;
  for (int c = 0x20; c < 0x7f; ++c)
    ascii += static_cast<char>(c);
  EXPECT_EQ(printable(ascii), ascii);
  std::string high;
  for (int c = 0x80; c < 0x100; ++c)
    high += static_cast<char>(c);
  EXPECT_EQ(printable(high), high) << "bytes >= 0x80 are kept as they are";
}

TEST(Printable, RandomBytesBecomeOneSafeLineThatDecodesBack) {
  for (int round = 0; round < 200; ++round) {
    std::string raw = randomBytes(std::uniform_int_distribution<size_t>(0, 300)(rng()));
    for (char &c : raw)
      if (c == '\\')
        c = '/'; // so that unescape() is exact
    std::string out = printable(raw);
    for (char ch : out) {
      auto c = static_cast<unsigned char>(ch);
      ASSERT_TRUE(c >= 0x20 && c != 0x7f) << "control byte " << int(c) << " in the output";
    }
    ASSERT_EQ(unescape(out), raw);
  }
}
