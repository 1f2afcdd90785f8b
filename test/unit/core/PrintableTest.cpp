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

bool isContinuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

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

TEST(Printable, LongTextKeepsItsHeadAndTailAndSaysWhatWasCut) {
  EXPECT_EQ(printable(std::string(kPrintableLimit, 'a')), std::string(kPrintableLimit, 'a'))
      << "up to the limit, nothing is cut";
  for (int round = 0; round < 50; ++round) {
    const size_t limit = std::uniform_int_distribution<size_t>(16, 2000)(rng());
    const size_t size = limit + std::uniform_int_distribution<size_t>(1, 1 << 22)(rng());
    // "é" is two bytes: a cut may fall inside it, and must not.
    std::string raw;
    while (raw.size() < size)
      raw += (raw.size() % 3 == 0) ? "\xc3\xa9" : "x\n";
    raw.resize(size);
    if (isContinuation(raw.back()))
      raw.pop_back();
    const std::string out = printable(raw, limit);
    const size_t marker = out.find("...[");
    ASSERT_NE(marker, std::string::npos);
    const size_t close = out.find(" bytes cut]...", marker);
    ASSERT_NE(close, std::string::npos);
    const std::string head = unescape(out.substr(0, marker));
    const std::string tail = unescape(out.substr(close + 14));
    const size_t cut = std::stoul(out.substr(marker + 4, close - marker - 4));
    ASSERT_EQ(head.size() + cut + tail.size(), raw.size());
    EXPECT_EQ(raw.compare(0, head.size(), head), 0);
    EXPECT_EQ(raw.compare(raw.size() - tail.size(), tail.size(), tail), 0);
    EXPECT_LE(head.size() + tail.size(), limit);
    EXPECT_GE(head.size() + tail.size() + 1, limit - 2) << "a cut moves by at most a character";
    EXPECT_FALSE(isContinuation(raw[head.size()])) << "the head ends on a character boundary";
    EXPECT_FALSE(!tail.empty() && isContinuation(tail.front())) << "the tail starts on one";
    EXPECT_LE(out.size(), 4 * limit + 40) << "escapes are 4 bytes at most";
  }
}
