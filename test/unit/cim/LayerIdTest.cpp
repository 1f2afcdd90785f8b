#include "kernels/cim/LayerId.h"

#include <gtest/gtest.h>

namespace cimlir::cim {
namespace {

TEST(CimLayerId, NodeNameAndGroup) {
  EXPECT_EQ(layerId("conv1", 0), fnv1a64("conv1#g0"));
  EXPECT_EQ(layerId("conv1", 0), 0x2e636c4c68676084ull);
  EXPECT_EQ(layerId("/layer1/conv/Conv", 3), 0x6ea9e9357256ee07ull);
  EXPECT_NE(layerId("conv1", 0), layerId("conv1", 1));
}

} // namespace
} // namespace cimlir::cim
