#include "kernels/cpu/cim/LayerId.h"

#include <gtest/gtest.h>

namespace cimlir::cpu::cim {
namespace {

TEST(CimLayerId, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cull, "constexpr");
}

TEST(CimLayerId, NodeNameAndGroup) {
  EXPECT_EQ(layerId("conv1", 0), fnv1a64("conv1#g0"));
  EXPECT_EQ(layerId("conv1", 0), 0x2e636c4c68676084ull);
  EXPECT_EQ(layerId("/layer1/conv/Conv", 3), 0x6ea9e9357256ee07ull);
  EXPECT_NE(layerId("conv1", 0), layerId("conv1", 1));
  // Bytes above 0x7f are hashed as unsigned bytes.
  EXPECT_EQ(fnv1a64("\xff"), (0xcbf29ce484222325ull ^ 0xffull) * 0x100000001b3ull);
}

} // namespace
} // namespace cimlir::cpu::cim
