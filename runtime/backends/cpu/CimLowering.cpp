#include "runtime/backends/cpu/CimLowering.h"

namespace cimlir {

void im2col(const float *x, const ConvGeometry &geo, const std::vector<int64_t> &offsets, int64_t g,
            int64_t n0, int64_t n1, float *out) {
  const int64_t d = geo.spatialRank();
  const int64_t cg = geo.channelsPerGroup(), P = geo.positions(), K = geo.patchSize();
  int64_t plane = 1, taps = 1;
  for (int64_t a = 0; a < d; ++a) {
    plane *= geo.in[a];
    taps *= geo.kernel[a];
  }
  for (int64_t p = 0; p < P; ++p) {
    const int64_t *offset = offsets.data() + p * taps;
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
