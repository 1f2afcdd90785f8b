#include "kernels/cpu/SignalWindows.h"

#include "kernels/cpu/Check.h"

#include <cmath>

namespace cimlir::cpu {

const std::vector<std::string> &signalWindowOpTypes() {
  static const std::vector<std::string> types = {"HannWindow", "HammingWindow", "BlackmanWindow"};
  return types;
}

std::vector<double> signalWindow(SignalWindow kind, int64_t size, bool periodic) {
  if (size < 0)
    detail::fail(signalWindowOpTypes()[static_cast<size_t>(kind)].c_str(),
                 "size " + std::to_string(size) + " is negative");
  std::vector<double> w(static_cast<size_t>(size));
  const int64_t N = periodic ? size : size - 1;
  if (N <= 0) { // a symmetric window of one point
    std::fill(w.begin(), w.end(), 1.0);
    return w;
  }
  const double pi = std::acos(-1.0), alpha = 25.0 / 46.0;
  for (int64_t n = 0; n < size; ++n) {
    const double c1 = std::cos(2 * pi * static_cast<double>(n) / static_cast<double>(N));
    switch (kind) {
    case SignalWindow::Hann:
      w[n] = 0.5 - 0.5 * c1;
      break;
    case SignalWindow::Hamming:
      w[n] = alpha - (1 - alpha) * c1;
      break;
    case SignalWindow::Blackman:
      w[n] = 0.42 - 0.5 * c1 +
             0.08 * std::cos(4 * pi * static_cast<double>(n) / static_cast<double>(N));
      break;
    }
  }
  return w;
}

} // namespace cimlir::cpu
