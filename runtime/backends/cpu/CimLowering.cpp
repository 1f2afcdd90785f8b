#include "runtime/backends/cpu/CimLowering.h"

#include "core/Error.h"

#include <algorithm>

namespace cimlir {

void im2col(const float *x, const ConvGeometry &geo, int64_t g, int64_t n0, int64_t n1,
            float *out) {
  const int64_t d = geo.spatialRank();
  const int64_t cg = geo.channelsPerGroup(), P = geo.positions(), K = geo.patchSize();
  int64_t plane = 1, taps = 1;
  for (int64_t a = 0; a < d; ++a) {
    plane *= geo.in[a];
    taps *= geo.kernel[a];
  }
  // coord[a][o·k_a + t]: the input coordinate that tap t of output o reads on axis a, or -1
  // in the padding. Precomputed so the inner loops only add offsets.
  std::vector<std::vector<int64_t>> coord(static_cast<size_t>(d));
  for (int64_t a = 0; a < d; ++a) {
    coord[a].resize(static_cast<size_t>(geo.out[a] * geo.kernel[a]));
    for (int64_t o = 0; o < geo.out[a]; ++o)
      for (int64_t t = 0; t < geo.kernel[a]; ++t) {
        int64_t c = o * geo.strides[a] - geo.pads[a] + t * geo.dilations[a];
        coord[a][o * geo.kernel[a] + t] = c >= 0 && c < geo.in[a] ? c : -1;
      }
  }
  std::vector<int64_t> o(static_cast<size_t>(d)), t(static_cast<size_t>(d));
  std::vector<int64_t> offset(static_cast<size_t>(taps)); // input offset of each tap, or -1
  for (int64_t p = 0; p < P; ++p) {
    for (int64_t a = d - 1, rest = p; a >= 0; --a) {
      o[a] = rest % geo.out[a];
      rest /= geo.out[a];
    }
    for (int64_t q = 0; q < taps; ++q) {
      for (int64_t a = d - 1, rest = q; a >= 0; --a) {
        t[a] = rest % geo.kernel[a];
        rest /= geo.kernel[a];
      }
      int64_t off = 0;
      for (int64_t a = 0; a < d && off >= 0; ++a) {
        int64_t c = coord[a][o[a] * geo.kernel[a] + t[a]];
        off = c < 0 ? -1 : off * geo.in[a] + c;
      }
      offset[q] = off;
    }
    for (int64_t n = n0; n < n1; ++n) {
      const float *image = x + (n * geo.channels + g * cg) * plane;
      float *row = out + ((n - n0) * P + p) * K;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t q = 0; q < taps; ++q)
          row[c * taps + q] = offset[q] < 0 ? 0.0f : image[c * plane + offset[q]];
    }
  }
}

} // namespace cimlir
