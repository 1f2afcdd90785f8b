// The exact ADC code of the CIM kernels (kernels/cuda/CimProduct.cuh) against integer
// arithmetic on the host: rint(P·qmax / FS), half to even, for every P of small full scales and
// fresh random ones up to smallCode's bounds, ties included.
#include "kernels/cuda/CimProduct.cuh"
#include "test/unit/cuda/CudaTestUtil.h"

#include <cstdint>
#include <random>
#include <vector>

namespace cimlir::cuda::test {
namespace {

__global__ void smallCodes(const int32_t *P, const int32_t *fs, int32_t qmax, int64_t count,
                           int32_t *codes) {
  const int64_t at = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (at >= count)
    return;
  const float ratio = __fdiv_rn(static_cast<float>(qmax), static_cast<float>(fs[at]));
  codes[at] = product::smallCode(P[at], ratio, fs[at], 2 * fs[at], 2 * qmax);
}

/// rint(P·qmax / FS), half to even, in int64 (FS > 0).
int64_t referenceCode(int64_t P, int64_t fs, int64_t qmax) {
  const int64_t num = P * qmax;
  int64_t q = num / fs, rem = num % fs; // truncated: rem has num's sign
  if (rem < 0) {
    --q;
    rem += fs;
  }
  // num / fs = q + rem / fs with 0 <= rem < fs.
  if (2 * rem > fs || (2 * rem == fs && (q & 1)))
    ++q;
  return q;
}

TEST(CudaCimAdc, SmallCodeIsTheExactHalfToEvenCode) {
  CIMLIR_REQUIRE_GPU();
  std::mt19937_64 gen(20261204);
  for (int32_t qmax : {1, 3, 7, 127, 511, 2047}) {
    SCOPED_TRACE("qmax " + std::to_string(qmax));
    std::vector<int32_t> P, fs;
    auto add = [&](int64_t p, int64_t f) {
      P.push_back(static_cast<int32_t>(p));
      fs.push_back(static_cast<int32_t>(f));
    };
    // Every P of the full scales up to 600 (the one-bit kernel's 256-row blocks among them).
    for (int64_t f = 1; f <= 600; ++f)
      for (int64_t p = -f; p <= f; ++p)
        add(p, f);
    // Random full scales up to the bound 2·FS·qmax < 2^24, P within ±FS, and beyond FS where
    // a plan's `full` scale is below the largest |P| (2·|P|·qmax < 2^24, |P|·qmax < 2^21·FS,
    // |P| < 2^22).
    const int64_t fsLimit = ((int64_t(1) << 24) - 1) / (2 * qmax);
    for (int c = 0; c < 200000; ++c) {
      const int64_t f = 1 + static_cast<int64_t>(gen() % static_cast<uint64_t>(fsLimit));
      const int64_t pLimit =
          std::min({fsLimit, ((int64_t(1) << 21) * f - 1) / qmax, (int64_t(1) << 22) - 1});
      const int64_t span = c % 2 == 0 ? f : pLimit;
      const int64_t p = static_cast<int64_t>(gen() % static_cast<uint64_t>(2 * span + 1)) - span;
      add(p, f);
      // The ties of this FS: 2·P·qmax = (2n + 1)·FS, for P = FS / 2 when FS is even.
      if (f % 2 == 0)
        add(f / 2, f);
    }
    const int64_t count = static_cast<int64_t>(P.size());
    auto dP = deviceCopy(P.data(), P.size() * sizeof(int32_t));
    auto dFs = deviceCopy(fs.data(), fs.size() * sizeof(int32_t));
    std::vector<int32_t> zeros(P.size());
    auto dCodes = deviceCopy(zeros.data(), zeros.size() * sizeof(int32_t));
    smallCodes<<<static_cast<unsigned>((count + 255) / 256), 256>>>(
        static_cast<const int32_t *>(dP.get()), static_cast<const int32_t *>(dFs.get()), qmax,
        count, static_cast<int32_t *>(dCodes.get()));
    check(cudaDeviceSynchronize(), "running smallCode");
    const std::vector<int32_t> codes = hostCopy<int32_t>(dCodes.get(), P.size());
    int64_t ties = 0;
    for (int64_t at = 0; at < count; ++at) {
      const int64_t expected = referenceCode(P[at], fs[at], qmax);
      ties += (2 * static_cast<int64_t>(P[at]) * qmax) % fs[at] == 0 &&
              (2 * static_cast<int64_t>(P[at]) * qmax / fs[at]) % 2 != 0;
      ASSERT_EQ(codes[at], expected) << "P " << P[at] << ", FS " << fs[at];
    }
    EXPECT_GT(ties, 100) << "the cases hold ties";
  }
}

} // namespace
} // namespace cimlir::cuda::test
