#include "kernels/cim/Philox.h"

#include "kernels/cim/LayerId.h"

#include "CimTestUtil.h"

#include <algorithm>
#include <set>

namespace cimlir::cim {
namespace {

// Random123's kat_vectors for philox4x32_10.
TEST(CimPhilox, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (PhiloxBlock{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            (PhiloxBlock{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            (PhiloxBlock{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(CimPhilox, UniformIsStrictlyInsideZeroOne) {
  EXPECT_GT(uniformOpen(0), 0.0);
  EXPECT_LT(uniformOpen(0xffffffffu), 1.0);
  EXPECT_EQ(uniformOpen(0), 0x1p-33);
  EXPECT_EQ(uniformOpen(0xffffffffu), 1.0 - 0x1p-33);
}

TEST(CimPhilox, ProbabilityThresholdIsTheUniformTest) {
  CIMLIR_CIM_RANDOM_TEST();
  EXPECT_EQ(probabilityThreshold(0.0), 0u);
  EXPECT_EQ(probabilityThreshold(-1.0), 0u);
  EXPECT_EQ(probabilityThreshold(1.0), uint64_t(1) << 32);
  EXPECT_EQ(probabilityThreshold(0.5), uint64_t(1) << 31);
  for (int t = 0; t < 1000; ++t) {
    double p = rng.coin() ? rng.uniform(0.0, 1.0) : rng.uniform(0.0, 1e-6);
    uint64_t th = probabilityThreshold(p);
    // w < th  <=>  uniformOpen(w) < p, checked at the boundary words.
    if (th > 0) {
      EXPECT_LT(uniformOpen(static_cast<uint32_t>(th - 1)), p) << p;
    }
    if (th < (uint64_t(1) << 32)) {
      EXPECT_GE(uniformOpen(static_cast<uint32_t>(th)), p) << p;
    }
  }
}

// The batch generator runs blocks in vector lanes: every lane position gives the reference
// block (Random123's vectors placed at several positions of batches that cross lane groups).
TEST(CimPhilox, BatchMatchesKnownAnswersInEveryLane) {
  const PhiloxCounter kCounter = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
  const PhiloxKey kKey = {0xa4093822u, 0x299f31d0u};
  const PhiloxBlock kExpected = {0xd16cfe09u, 0x94fdcceb, 0x5001e420u, 0x24126ea1u};
  for (int64_t count : {1, 15, 16, 17, 40}) {
    std::vector<PhiloxCounter> counters(static_cast<size_t>(count));
    for (int64_t b = 0; b < count; ++b)
      counters[b] = {static_cast<uint32_t>(b), 1u, 2u, 3u};
    for (int64_t at : {int64_t(0), count / 2, count - 1})
      counters[at] = kCounter;
    std::vector<PhiloxBlock> blocks(static_cast<size_t>(count));
    philoxBlocks(counters.data(), count, kKey, blocks.data());
    for (int64_t b = 0; b < count; ++b)
      if (counters[b] == kCounter)
        EXPECT_EQ(blocks[b], kExpected) << "count " << count << " lane " << b;
      else
        EXPECT_NE(blocks[b], kExpected);
  }
}

// The series of Philox.cpp (not libm) against libm's Box–Muller, over random words and the
// words where the angle crosses a quarter turn or the radius is largest; and the batch equals
// normals4 one block at a time.
TEST(CimPhilox, NormalsMatchLibmBoxMuller) {
  CIMLIR_CIM_RANDOM_TEST();
  std::vector<PhiloxBlock> blocks;
  for (uint32_t w : {0u, 1u, 2u, 0x3fffffffu, 0x40000000u, 0x7fffffffu, 0x80000000u, 0xbfffffffu,
                     0xc0000000u, 0xfffffffeu, 0xffffffffu})
    blocks.push_back({w, w, w ^ 0x5a5a5a5au, w});
  for (int b = 0; b < 20000; ++b)
    blocks.push_back({static_cast<uint32_t>(rng.u64()), static_cast<uint32_t>(rng.u64()),
                      static_cast<uint32_t>(rng.u64()), static_cast<uint32_t>(rng.u64())});
  std::vector<double> z(4 * blocks.size());
  normalsFromBlocks(blocks.data(), static_cast<int64_t>(blocks.size()), z.data());
  for (size_t b = 0; b < blocks.size(); ++b) {
    std::array<double, 4> one = normals4(blocks[b]);
    for (int h = 0; h < 2; ++h) {
      const double radius = std::sqrt(-2.0 * std::log(uniformOpen(blocks[b][2 * h])));
      const double angle = 6.283185307179586476925286766559 * uniformOpen(blocks[b][2 * h + 1]);
      const double expected[2] = {radius * std::cos(angle), radius * std::sin(angle)};
      for (int q = 0; q < 2; ++q) {
        const size_t at = 4 * b + 2 * h + q;
        ASSERT_EQ(z[at], one[2 * h + q]) << "block " << b;
        // libm's 2π·u loses up to an ulp of the angle; the radius is below 6.7.
        ASSERT_NEAR(z[at], expected[q], 1e-14)
            << "block " << b << " words " << blocks[b][2 * h] << ", " << blocks[b][2 * h + 1];
      }
    }
    ASSERT_EQ(normalFromPair(blocks[b][0], blocks[b][1]), z[4 * b]);
  }
}

TEST(CimPhilox, NormalsAreStandard) {
  CIMLIR_CIM_RANDOM_TEST();
  PhiloxKey key = {static_cast<uint32_t>(rng.u64()), static_cast<uint32_t>(rng.u64())};
  std::vector<double> z, pairs;
  double products = 0.0;
  for (uint32_t c = 0; c < 40000; ++c) {
    auto four = normals4(philox4x32_10({c, 7, 0, 0}, key));
    z.insert(z.end(), four.begin(), four.end());
    products += four[0] * four[1] + four[2] * four[3];
    PhiloxBlock b = philox4x32_10({c, 8, 0, 0}, key);
    pairs.push_back(normalFromPair(b[2], b[3]));
    pairs.push_back(normalFromPair(b[0], b[1]));
    pairs.push_back(normalFromPair(b[1], b[0]));
  }
  test::expectStandardNormal(z, 0.01, 0.02);
  test::expectStandardNormal(pairs, 0.015, 0.025);
  // The two normals of a Box–Muller pair are uncorrelated.
  EXPECT_LT(std::fabs(products / 80000.0), 0.02);
  // Tails: P(|z| > 3) = 0.0027.
  int64_t tail = 0;
  for (double v : z)
    tail += std::fabs(v) > 3.0;
  EXPECT_NEAR(static_cast<double>(tail) / z.size(), 0.0027, 0.0008);
}

// noise.normals = fast: the same words in float32 Box–Muller. Standard normals (moments,
// tails, uncorrelated pairs), within float error of the exact transform (whose angle, moved by
// π, flips both signs): 1e-3 at worst, near u = 1 where the float uniform rounds most.
TEST(CimPhilox, FastNormalsAreStandardAndNearTheExactOnes) {
  CIMLIR_CIM_RANDOM_TEST();
  PhiloxKey key = {static_cast<uint32_t>(rng.u64()), static_cast<uint32_t>(rng.u64())};
  const int64_t count = 100000;
  std::vector<PhiloxCounter> counters(count);
  for (int64_t c = 0; c < count; ++c)
    counters[c] = {static_cast<uint32_t>(c), 9, 0, 0};
  std::vector<PhiloxBlock> blocks(count);
  philoxBlocks(counters.data(), count, key, blocks.data());
  std::vector<double> fast(4 * count), exact(4 * count);
  fastNormalsFromBlocks(blocks.data(), count, fast.data());
  normalsFromBlocks(blocks.data(), count, exact.data());
  test::expectStandardNormal(fast, 0.01, 0.02);
  double products = 0.0, worst = 0.0;
  int64_t tail = 0;
  for (int64_t i = 0; i < 4 * count; i += 2) {
    products += fast[i] * fast[i + 1];
    tail += (std::fabs(fast[i]) > 3.0) + (std::fabs(fast[i + 1]) > 3.0);
    // cos(θ − π) = −cos θ: the fast pair is the exact pair with both signs flipped.
    worst = std::max({worst, std::fabs(fast[i] + exact[i]), std::fabs(fast[i + 1] + exact[i + 1])});
  }
  EXPECT_LT(std::fabs(products / (2.0 * count)), 0.01);
  EXPECT_NEAR(static_cast<double>(tail) / fast.size(), 0.0027, 0.0005);
  EXPECT_LE(worst, 1e-3);
}

TEST(CimPhilox, KeysSeparateStreamsAndSeeds) {
  CIMLIR_CIM_RANDOM_TEST();
  uint64_t s = rng.u64(), layer = rng.u64();
  EXPECT_EQ(staticKey(s, layer), staticKey(s, layer));
  EXPECT_EQ(freshKey(s, 3, layer), freshKey(s, 3, layer));
  EXPECT_NE(staticKey(s, layer), freshKey(s, 0, layer)) << "static and fresh must differ";
  EXPECT_NE(staticKey(s, layer), staticKey(s + 1, layer));
  EXPECT_NE(staticKey(s, layer), staticKey(s, layer + 1));
  EXPECT_NE(freshKey(s, 0, layer), freshKey(s, 1, layer));
  EXPECT_NE(freshKey(s, 0, layer), freshKey(s + 1, 0, layer));
  // Pinned values (from an independent Python transcription of the layout in Philox.h): the
  // layout is part of the contract with other backends and docs/numerics.md.
  EXPECT_EQ(staticKey(0, 0), (PhiloxKey{0xbe3a2ec3u, 0x63356742u}));
  EXPECT_EQ(freshKey(0, 0, 0), (PhiloxKey{0xe9ad4a98u, 0x9113c52fu}));
  const uint64_t fc = layerId("fc", 0);
  PhiloxKey chip = staticKey(42, fc);
  EXPECT_EQ(chip, (PhiloxKey{0xcdab2985u, 0xa85acd54u}));
  EXPECT_EQ(philox4x32_10(staticCellCounter(1, 0, 2, 3), chip),
            (PhiloxBlock{0xe4ad58c9u, 0x005b27b8u, 0x2b7bc510u, 0x4cceaa9cu}));
  PhiloxKey fresh = freshKey(7, 1, fc);
  EXPECT_EQ(fresh, (PhiloxKey{0xe5e61a7au, 0x429daf90u}));
  EXPECT_EQ(philox4x32_10(freshCounter(FreshKind::ReadNoise, 11, 5, 3, 1, 2, 9), fresh),
            (PhiloxBlock{0xaaaf38cbu, 0x27c40006u, 0x93f2557eu, 0x573a0246u}));
  std::set<std::pair<uint32_t, uint32_t>> keys;
  for (uint64_t seed = 0; seed < 100; ++seed)
    for (uint64_t l = 0; l < 100; ++l) {
      PhiloxKey k = staticKey(seed, l);
      keys.insert({k[0], k[1]});
    }
  EXPECT_EQ(keys.size(), 10000u);
}

TEST(CimPhilox, CountersAreDistinctPerDraw) {
  std::set<PhiloxCounter> seen;
  for (int kind = 0; kind < 2; ++kind)
    for (uint32_t r : {0u, 1u, (1u << 22) - 1})
      for (int i : {0, 1, 14})
        for (int j : {0, 1, 14})
          for (uint32_t n : {0u, 3u, 4u, 0xfffffffcu}) {
            PhiloxCounter c = freshCounter(static_cast<FreshKind>(kind), 5, 6, r, i, j, n);
            seen.insert(c);
          }
  // n = 0 and 3 share a block (4 normals), everything else differs.
  EXPECT_EQ(seen.size(), size_t(2 * 3 * 3 * 3 * 3));
  EXPECT_EQ(freshCounter(FreshKind::AdcNoise, 5, 6, 9, 2, 3, 17),
            (PhiloxCounter{5u, 6u, 4u, (1u << 30) | (2u << 26) | (3u << 22) | 9u}));
  EXPECT_EQ(staticCellCounter(3, 1, 10, 20), (PhiloxCounter{10u, 20u, 3u | (1u << 8), 0u}));
}

TEST(CimPhilox, SplitmixMatchesReference) {
  // splitmix64 of state 0, 1, 2, ... as the first outputs of Vigna's splitmix64 seeded with 0.
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafull);
  EXPECT_EQ(splitmix64(0x9e3779b97f4a7c15ull), 0x6e789e6aa1b965f4ull);
}

} // namespace
} // namespace cimlir::cim
