// cimlir CPU kernels: the window functions of ONNX's signal operators (opset 17): Hann,
// Hamming and Blackman. Their size is constant in every model cimlir takes, so the importer
// computes a window once, as a constant (compiler/importer/SignalImport.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir::cpu {

enum class SignalWindow { Hann, Hamming, Blackman };

/// The op type of each window ("HannWindow", ...), in the enum's order.
const std::vector<std::string> &signalWindowOpTypes();

/// `size` values w[n] of the window in double, with N = size for a periodic window (the first
/// `size` points of one of size + 1) and N = size - 1 for a symmetric one:
///   Hann     0.5 - 0.5·cos(2πn/N)
///   Hamming  α - (1 - α)·cos(2πn/N), α = 25/46
///   Blackman 0.42 - 0.5·cos(2πn/N) + 0.08·cos(4πn/N)
/// A symmetric window of size 1 is [1]. Throws cimlir::Error for a negative size.
std::vector<double> signalWindow(SignalWindow kind, int64_t size, bool periodic);

} // namespace cimlir::cpu
