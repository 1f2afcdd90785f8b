// PhiloxMath.h on the GPU gives the host's bits: the Philox blocks and the series Box–Muller
// normals of cim-numerics.md §9 (docs/numerics.md), so a noisy run draws the same numbers on
// both backends.
#include "kernels/cim/Philox.h"
#include "kernels/cim/PhiloxMath.h"
#include "test/unit/cuda/CudaTestUtil.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace cimlir::cuda::test {
namespace {

__global__ void philoxNormalsKernel(const uint32_t *counters, int64_t count, uint32_t k0,
                                    uint32_t k1, uint32_t *blocks, double *normals) {
  const int64_t b = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (b >= count)
    return;
  uint32_t words[4];
  cim::philox::block(counters + 4 * b, k0, k1, words);
  for (int w = 0; w < 4; ++w)
    blocks[4 * b + w] = words[w];
  cim::philox::normalPair(words[0], words[1], normals[4 * b], normals[4 * b + 1]);
  cim::philox::normalPair(words[2], words[3], normals[4 * b + 2], normals[4 * b + 3]);
}

/// The normals of word pairs, by the exact or the fast transform.
template <bool Fast>
__global__ void normalsOfWordsKernel(const uint32_t *words, int64_t pairs, double *normals) {
  const int64_t p = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (p >= pairs)
    return;
  if (Fast)
    cim::philox::fastNormalPair(words[2 * p], words[2 * p + 1], normals[2 * p], normals[2 * p + 1]);
  else
    cim::philox::normalPair(words[2 * p], words[2 * p + 1], normals[2 * p], normals[2 * p + 1]);
}

TEST(CudaPhilox, BlocksAndNormalsAreTheHostsBits) {
  CIMLIR_REQUIRE_GPU();
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 gen(seed);
  const int64_t count = 1 << 20;
  std::vector<cim::PhiloxCounter> counters(count);
  for (auto &c : counters)
    c = {uint32_t(gen()), uint32_t(gen()), uint32_t(gen()), uint32_t(gen())};
  // The extreme words: the radius is largest at 0 and the angle crosses quarter turns.
  const uint32_t edges[] = {0u,          1u,          0x3fffffffu, 0x40000000u, 0x7fffffffu,
                            0x80000000u, 0xbfffffffu, 0xc0000000u, 0xfffffffeu, 0xffffffffu};
  const cim::PhiloxKey key = {uint32_t(gen()), uint32_t(gen())};
  auto dCounters = deviceCopy(counters.data(), counters.size() * sizeof(cim::PhiloxCounter));
  std::shared_ptr<void> dBlocks = deviceCopy(counters.data(), count * 16);
  std::vector<double> zeros(4 * count);
  std::shared_ptr<void> dNormals = deviceCopy(zeros.data(), zeros.size() * sizeof(double));
  philoxNormalsKernel<<<(count + 255) / 256, 256>>>(
      static_cast<const uint32_t *>(dCounters.get()), count, key[0], key[1],
      static_cast<uint32_t *>(dBlocks.get()), static_cast<double *>(dNormals.get()));
  checkLaunch("philoxNormalsKernel");
  const auto blocks = hostCopy<uint32_t>(dBlocks.get(), 4 * count);
  const auto normals = hostCopy<double>(dNormals.get(), 4 * count);

  std::vector<cim::PhiloxBlock> expected(count);
  cim::philoxBlocks(counters.data(), count, key, expected.data());
  int64_t wrong = 0;
  for (int64_t b = 0; b < count; ++b)
    for (int w = 0; w < 4; ++w)
      wrong += blocks[4 * b + w] != expected[b][w];
  EXPECT_EQ(wrong, 0) << "Philox words differ";
  // Normals of the device's own blocks, and of edge words put through the same series.
  std::vector<cim::PhiloxBlock> deviceBlocks(count);
  for (int64_t b = 0; b < count; ++b)
    deviceBlocks[b] = {blocks[4 * b], blocks[4 * b + 1], blocks[4 * b + 2], blocks[4 * b + 3]};
  std::vector<double> hostNormals(4 * count);
  cim::normalsFromBlocks(deviceBlocks.data(), count, hostNormals.data());
  wrong = 0;
  for (int64_t i = 0; i < 4 * count; ++i)
    wrong += normals[i] != hostNormals[i];
  EXPECT_EQ(wrong, 0) << "normals differ in their bits";
  std::vector<uint32_t> edgeWords;
  for (uint32_t a : edges)
    for (uint32_t b : edges) {
      edgeWords.push_back(a);
      edgeWords.push_back(b);
    }
  const int64_t pairs = static_cast<int64_t>(edgeWords.size() / 2);
  auto dWords = deviceCopy(edgeWords.data(), edgeWords.size() * sizeof(uint32_t));
  std::vector<double> edgeZeros(2 * pairs);
  auto dEdgeNormals = deviceCopy(edgeZeros.data(), edgeZeros.size() * sizeof(double));
  normalsOfWordsKernel<false><<<1, 128>>>(static_cast<const uint32_t *>(dWords.get()), pairs,
                                          static_cast<double *>(dEdgeNormals.get()));
  checkLaunch("normalsOfWordsKernel<false>");
  const auto edgeNormals = hostCopy<double>(dEdgeNormals.get(), 2 * pairs);
  for (int64_t p = 0; p < pairs; ++p)
    EXPECT_EQ(edgeNormals[2 * p], cim::normalFromPair(edgeWords[2 * p], edgeWords[2 * p + 1]))
        << "words " << edgeWords[2 * p] << ", " << edgeWords[2 * p + 1];
}

// noise.normals = fast: the GPU's hardware log, cos and sin against the host's libm on the same
// words. Not the same bits: within 1e-3 of each other (near u = 1, where __logf's absolute error
// of 2^-21 is largest against ln u), finite, and standard normal moments.
TEST(CudaPhilox, FastNormalsAreTheHostsWithinFloatError) {
  CIMLIR_REQUIRE_GPU();
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 gen(seed);
  const int64_t pairs = 1 << 20;
  std::vector<uint32_t> words(2 * pairs);
  for (auto &w : words)
    w = gen();
  const uint32_t edges[] = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
  for (int a = 0; a < 6; ++a)
    for (int b = 0; b < 6; ++b) {
      words[2 * (6 * a + b)] = edges[a];
      words[2 * (6 * a + b) + 1] = edges[b];
    }
  auto dWords = deviceCopy(words.data(), words.size() * sizeof(uint32_t));
  std::vector<double> zeros(2 * pairs);
  auto dNormals = deviceCopy(zeros.data(), zeros.size() * sizeof(double));
  normalsOfWordsKernel<true><<<(pairs + 255) / 256, 256>>>(
      static_cast<const uint32_t *>(dWords.get()), pairs, static_cast<double *>(dNormals.get()));
  checkLaunch("normalsOfWordsKernel<true>");
  const auto gpu = hostCopy<double>(dNormals.get(), 2 * pairs);
  double worst = 0.0, sum = 0.0, squares = 0.0;
  for (int64_t p = 0; p < pairs; ++p) {
    double z0, z1;
    cim::philox::fastNormalPair(words[2 * p], words[2 * p + 1], z0, z1);
    ASSERT_TRUE(std::isfinite(gpu[2 * p]) && std::isfinite(gpu[2 * p + 1])) << "pair " << p;
    worst = std::max({worst, std::fabs(z0 - gpu[2 * p]), std::fabs(z1 - gpu[2 * p + 1])});
    sum += gpu[2 * p] + gpu[2 * p + 1];
    squares += gpu[2 * p] * gpu[2 * p] + gpu[2 * p + 1] * gpu[2 * p + 1];
  }
  EXPECT_LE(worst, 1e-3);
  const double n = 2.0 * pairs, mean = sum / n;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(squares / n - mean * mean, 1.0, 10.0 / std::sqrt(n));
}

} // namespace
} // namespace cimlir::cuda::test
