// cimlir CUDA kernels: the inputs that reach one output of a transposed convolution, in the
// CPU's order of additions (rising input position, the outer axis outermost), for the kernels
// that add them: the col2im of the CIM and digital conv_transpose layers (ConvLowering.cu) and
// the ConvTranspose op (ConvTranspose.cu).
#pragma once

#include "kernels/cuda/ConvLowering.h"

#include <cstdint>

namespace cimlir::cuda {

/// Calls visit(input position, tap) for each input position of `t` whose tap lands on output
/// position `o` (both row-major over the kMaxTransposedAxes axes). Along an axis, input
/// i = (o + pad − k·dilation) / stride falls as tap k rises, so the taps go highest first.
template <typename Visit>
__device__ void forEachTransposedInput(const TransposedConv &t, int64_t o, Visit visit) {
  int64_t pos[kMaxTransposedAxes];
  for (int64_t a = kMaxTransposedAxes - 1, r = o; a >= 0; --a) {
    pos[a] = r % t.out[a];
    r /= t.out[a];
  }
  // The input position of axis a for its tap k, or -1 where k does not land on pos.
  auto inputAt = [&](int a, int64_t k) -> int64_t {
    const int64_t numerator = pos[a] + t.pad[a] - k * t.dilation[a];
    if (numerator < 0 || numerator % t.stride[a] != 0 || numerator / t.stride[a] >= t.in[a])
      return -1;
    return numerator / t.stride[a];
  };
  for (int64_t k0 = t.kernel[0] - 1; k0 >= 0; --k0) {
    const int64_t i0 = inputAt(0, k0);
    if (i0 < 0)
      continue;
    for (int64_t k1 = t.kernel[1] - 1; k1 >= 0; --k1) {
      const int64_t i1 = inputAt(1, k1);
      if (i1 < 0)
        continue;
      for (int64_t k2 = t.kernel[2] - 1; k2 >= 0; --k2) {
        const int64_t i2 = inputAt(2, k2);
        if (i2 < 0)
          continue;
        visit((i0 * t.in[1] + i1) * t.in[2] + i2, (k0 * t.kernel[1] + k1) * t.kernel[2] + k2);
      }
    }
  }
}

} // namespace cimlir::cuda
