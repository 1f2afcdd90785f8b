// The GPU digital layer (kernels/cuda/DigitalLinear.h) against the CPU kernel in every
// precision of cim-numerics.md §8, on fresh random shapes: int8 gives the same bits (exact sums,
// the same epilogue), the float precisions agree up to float32 summation order.
#include "kernels/cpu/DigitalLinear.h"
#include "kernels/cpu/Gemm.h"
#include "kernels/cuda/DigitalLinear.h"
#include "kernels/cuda/Gemm.h"
#include "test/unit/cim/CimTestUtil.h"
#include "test/unit/cuda/CudaTestUtil.h"

#include <cmath>
#include <limits>

namespace cimlir::cuda::test {
namespace {

using cim::DigitalPrecision;

class CudaDigitalLinear : public ::testing::TestWithParam<DigitalPrecision> {};

TEST_P(CudaDigitalLinear, MatchesTheCpuKernel) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  Blas blas(nullptr);
  for (int c = 0; c < 30; ++c) {
    const int64_t M = rng.range(1, 90), K = rng.range(1, 300), N = rng.range(1, 130);
    SCOPED_TRACE("case " + std::to_string(c) + ": M " + std::to_string(M) + ", K " +
                 std::to_string(K) + ", N " + std::to_string(N));
    const Tensor w = rng.f32({K, N});
    Tensor x = rng.f32({M, K}, -3.0, 3.0);
    if (M > 2 && rng.coin(0.3))
      x.data<float>()[rng.range(0, M - 1) * K + rng.range(0, K - 1)] =
          std::numeric_limits<float>::infinity();
    const cpu::DigitalWeights weights = cpu::DigitalWeights::prepare(w, GetParam());
    Tensor expected = Tensor::allocate(DType::F32, {M, N});
    cpu::digitalLinear(x, weights, nullptr, expected);

    const DeviceDigitalWeights device =
        uploadDigitalWeights(weights, [](const void *h, size_t bytes, const std::string &) {
          return deviceCopy(h, bytes);
        });
    auto dx = deviceCopy(x.raw(), x.byteSize());
    std::vector<float> zeros(static_cast<size_t>(M * N));
    auto dz = deviceCopy(zeros.data(), zeros.size() * sizeof(float));
    digitalLinear(
        blas, static_cast<const float *>(dx.get()), M, device,
        [](size_t bytes, const std::string &) {
          std::vector<unsigned char> none(bytes ? bytes : 1);
          return deviceCopy(none.data(), none.size());
        },
        static_cast<float *>(dz.get()));
    check(cudaDeviceSynchronize(), "running the digital layer");
    const std::vector<float> got = hostCopy<float>(dz.get(), zeros.size());
    for (int64_t m = 0; m < M; ++m) {
      for (int64_t n = 0; n < N; ++n) {
        // sum_k |x|·|W| bounds the float32 rounding of the sum in any order.
        double bound = 0.0;
        for (int64_t k = 0; k < K; ++k)
          bound += std::fabs(x.data<float>()[m * K + k]) * std::fabs(w.data<float>()[k * N + n]);
        const float e = expected.data<float>()[m * N + n], g = got[m * N + n];
        if (std::isnan(e) || std::isnan(g) || std::isinf(e)) {
          ASSERT_EQ(std::isnan(e), std::isnan(g)) << "m " << m << " n " << n;
          continue;
        }
        if (GetParam() == DigitalPrecision::Int8)
          ASSERT_EQ(e, g) << "m " << m << " n " << n;
        else
          ASSERT_NEAR(e, g, 2e-6 * bound + 1e-30) << "m " << m << " n " << n;
      }
    }
  }
}

TEST(CudaGemm, MatchesTheCpuKernelWithTransposesAlphaBetaAndBroadcastC) {
  CIMLIR_REQUIRE_GPU();
  CIMLIR_CIM_RANDOM_TEST();
  Blas blas(nullptr);
  for (int c = 0; c < 40; ++c) {
    const int64_t m = rng.range(1, 70), k = rng.range(0, 200), n = rng.range(1, 90);
    const bool ta = rng.coin(), tb = rng.coin();
    const float alpha = static_cast<float>(rng.uniform(-2.0, 2.0));
    const float beta = rng.coin(0.2) ? 0.0f : static_cast<float>(rng.uniform(-2.0, 2.0));
    const Tensor a = rng.f32(ta ? Shape{k, m} : Shape{m, k});
    const Tensor b = rng.f32(tb ? Shape{n, k} : Shape{k, n});
    const Shape cShapes[] = {{}, {n}, {1, n}, {m, 1}, {m, n}};
    const bool hasC = rng.coin(0.8);
    const Tensor cT = rng.f32(cShapes[rng.range(0, 4)]);
    SCOPED_TRACE("case " + std::to_string(c) + ": m " + std::to_string(m) + " k " +
                 std::to_string(k) + " n " + std::to_string(n));
    Tensor expected = Tensor::allocate(DType::F32, {m, n});
    cpu::gemm(a, b, hasC ? &cT : nullptr, alpha, beta, ta, tb, expected);
    const cpu::GemmExtents e = cpu::gemmExtents(a, b, hasC ? &cT : nullptr, ta, tb, expected);
    auto da = deviceCopy(a.raw(), std::max<size_t>(4, a.byteSize()));
    auto db = deviceCopy(b.raw(), std::max<size_t>(4, b.byteSize()));
    auto dc = deviceCopy(cT.raw(), cT.byteSize());
    auto dy = deviceCopy(expected.raw(), expected.byteSize());
    gemm(blas, static_cast<const float *>(da.get()), static_cast<const float *>(db.get()),
         hasC ? static_cast<const float *>(dc.get()) : nullptr, e, alpha, beta, ta, tb,
         static_cast<float *>(dy.get()));
    check(cudaDeviceSynchronize(), "gemm");
    const std::vector<float> got = hostCopy<float>(dy.get(), static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m * n; ++i)
      ASSERT_NEAR(got[i], expected.data<float>()[i], 1e-5 * (k + 2)) << "element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaDigitalLinear,
                         ::testing::Values(DigitalPrecision::Fp32, DigitalPrecision::Bf16,
                                           DigitalPrecision::Int8, DigitalPrecision::W8A16),
                         [](const auto &info) { return std::string(cim::toString(info.param)); });

} // namespace
} // namespace cimlir::cuda::test
