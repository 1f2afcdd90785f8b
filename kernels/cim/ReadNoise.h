// cimlir CIM kernels: §4's read noise drawn as output noise, written once for the host and the
// GPU so that both backends scale the same normal by the same bits.
#pragma once

#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>

namespace cimlir::cim {

/// The standard deviation of a partial sum's read noise (cim-numerics.md §4): the cells are
/// independent, so Σ_k u_i[m,k]·(ε⁺ − ε⁻)·σ_r·r_j is N(0, 2·σ_r²·r_j²·Σ_k u_i²). `sumSquares` is
/// Σ_k u_i[m,k]² over the row block, `cellRange` r_j = 2^{b_j} − 1.
CIMLIR_HOST_DEVICE inline double readNoiseDeviation(int64_t sumSquares, double sigmaRead,
                                                    double cellRange) {
  return ::sqrt(2.0 * static_cast<double>(sumSquares)) * sigmaRead * cellRange;
}

} // namespace cimlir::cim
