#include "core/Fnv1a.h"

#include <gtest/gtest.h>

namespace cimlir {
namespace {

TEST(Fnv1a64, ReferenceValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cull, "constexpr");
}

TEST(Fnv1a64, BytesAboveAsciiAreUnsigned) {
  EXPECT_EQ(fnv1a64("\xff"), (0xcbf29ce484222325ull ^ 0xffull) * 0x100000001b3ull);
}

} // namespace
} // namespace cimlir
