// The signal windows against independent forms of them: Hann as sin²(πn/N), Hamming and
// Blackman at known points, the symmetry of every symmetric window, a periodic window as the
// first `size` points of the symmetric one of size + 1, and the edge sizes.
#include "kernels/cpu/SignalWindows.h"

#include "KernelTestUtil.h"

#include <cmath>

namespace cimlir::cpu {
namespace {

constexpr SignalWindow kAll[] = {SignalWindow::Hann, SignalWindow::Hamming, SignalWindow::Blackman};

TEST(SignalWindows, HannIsSineSquared) {
  CIMLIR_RANDOM_TEST();
  const int64_t size = rng.range(2, 600);
  const double pi = std::acos(-1.0);
  for (bool periodic : {true, false}) {
    const auto w = signalWindow(SignalWindow::Hann, size, periodic);
    const double N = periodic ? size : size - 1;
    for (int64_t n = 0; n < size; ++n)
      ASSERT_NEAR(w[n], std::pow(std::sin(pi * n / N), 2), 1e-15) << n;
  }
}

TEST(SignalWindows, KnownPointsSymmetryAndPeriodicity) {
  CIMLIR_RANDOM_TEST();
  const int64_t size = rng.range(3, 500);
  for (SignalWindow kind : kAll) {
    SCOPED_TRACE(signalWindowOpTypes()[static_cast<size_t>(kind)] + " size " +
                 std::to_string(size));
    const auto sym = signalWindow(kind, size, false);
    for (int64_t n = 0; n < size; ++n)
      ASSERT_NEAR(sym[n], sym[size - 1 - n], 1e-14) << n;
    const auto longer = signalWindow(kind, size + 1, false);
    const auto periodic = signalWindow(kind, size, true);
    for (int64_t n = 0; n < size; ++n)
      ASSERT_NEAR(periodic[n], longer[n], 1e-14) << n;
  }
  // The ends and the middle of a symmetric window of odd size: Hann 0 and 1, Hamming
  // 2·25/46 - 1 and 1, Blackman 0 and 1.
  const auto hann = signalWindow(SignalWindow::Hann, 9, false);
  const auto hamming = signalWindow(SignalWindow::Hamming, 9, false);
  const auto blackman = signalWindow(SignalWindow::Blackman, 9, false);
  EXPECT_NEAR(hann[0], 0, 1e-15);
  EXPECT_NEAR(hann[4], 1, 1e-15);
  EXPECT_NEAR(hamming[0], 50.0 / 46 - 1, 1e-15);
  EXPECT_NEAR(hamming[4], 1, 1e-15);
  EXPECT_NEAR(blackman[0], 0, 1e-15);
  EXPECT_NEAR(blackman[4], 1, 1e-15);
}

TEST(SignalWindows, EdgeSizes) {
  for (SignalWindow kind : kAll) {
    EXPECT_TRUE(signalWindow(kind, 0, true).empty());
    EXPECT_EQ(signalWindow(kind, 1, false), std::vector<double>{1.0});
    EXPECT_THROW(signalWindow(kind, -1, true), Error);
  }
  EXPECT_NEAR(signalWindow(SignalWindow::Hann, 1, true)[0], 0, 1e-15); // N = 1: cos(0)
}

} // namespace
} // namespace cimlir::cpu
