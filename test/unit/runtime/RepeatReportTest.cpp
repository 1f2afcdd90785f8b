// cim-run --repeats: the mean and standard deviation of each metric over chips.
#include "runtime/tooling/RepeatReport.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cimlir {
namespace {

nlohmann::json summary(double accuracy, int64_t correct) {
  return {{"accuracy", accuracy}, {"correct", correct}, {"samples", 10000}};
}

TEST(RepeatReport, ChipsThatAgreeHaveTheirValueAndAStdOfExactlyZero) {
  // (0.9008 + 0.9008 + 0.9008) / 3 is not 0.9008 in double: a naive mean leaves a std of ~1e-16.
  nlohmann::json out =
      combineRepeats({summary(0.9008, 9008), summary(0.9008, 9008), summary(0.9008, 9008)});
  EXPECT_EQ(out["accuracy"].get<double>(), 0.9008);
  EXPECT_EQ(out["over_repeats"]["accuracy"]["mean"].get<double>(), 0.9008);
  EXPECT_EQ(out["over_repeats"]["accuracy"]["std"].get<double>(), 0.0);
  EXPECT_FALSE(out.contains("correct")); // a count of one chip
}

TEST(RepeatReport, MeanAndSampleStandardDeviation) {
  nlohmann::json out = combineRepeats({summary(0.1, 1), summary(0.2, 2), summary(0.6, 6)});
  EXPECT_NEAR(out["over_repeats"]["accuracy"]["mean"].get<double>(), 0.3, 1e-15);
  // Sample std (divisor N - 1): sqrt((0.04 + 0.01 + 0.09) / 2).
  EXPECT_NEAR(out["over_repeats"]["accuracy"]["std"].get<double>(), std::sqrt(0.07), 1e-15);
  nlohmann::json one = combineRepeats({summary(0.5, 5)});
  EXPECT_EQ(one["over_repeats"]["accuracy"]["std"].get<double>(), 0.0);
}

} // namespace
} // namespace cimlir
