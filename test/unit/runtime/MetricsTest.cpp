// cim-run's metrics (runtime/tooling/Metrics.h): --perplexity against a direct computation on
// fresh random logits, masks and per-sample runs; counts merged from parts of the samples give
// what one Metrics seeing them all gives (cim-run over MPI ranks); bad token ids and shapes
// are errors.
#include "runtime/tooling/Metrics.h"

#include "core/Error.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cimlir::runtimetest {
namespace {

Tensor ids(std::mt19937 &gen, const Shape &shape, int64_t vocab) {
  Tensor t = Tensor::allocate(DType::I64, shape);
  std::uniform_int_distribution<int64_t> token(0, vocab - 1);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<int64_t>()[i] = token(gen);
  return t;
}

Metrics lm(bool perSampleRuns, bool masked) {
  return Metrics("logits", std::nullopt, std::nullopt, {}, Tolerance(), perSampleRuns,
                 TokenInputs{"input_ids", masked ? "attention_mask" : ""});
}

/// The perplexity as its definition reads: exp of the mean of -log p(next token), p the
/// softmax of the logits at the position before it, in long double without a shift.
double directPerplexity(const Tensor &tokens, const Tensor *mask, const Tensor &logits) {
  const int64_t t = tokens.shape().back(), v = logits.shape().back();
  long double nll = 0;
  int64_t n = 0;
  for (int64_t row = 0; row < tokens.numel() / t; ++row)
    for (int64_t p = 1; p < t; ++p) {
      if (mask && mask->data<int64_t>()[row * t + p] == 0)
        continue;
      long double z = 0;
      const float *x = logits.data<float>() + (row * t + p - 1) * v;
      for (int64_t k = 0; k < v; ++k)
        z += std::exp(static_cast<long double>(x[k]));
      nll -=
          std::log(std::exp(static_cast<long double>(x[tokens.data<int64_t>()[row * t + p]])) / z);
      ++n;
    }
  return static_cast<double>(std::exp(nll / n));
}

TEST(Metrics, PerplexityIsTheMeanNextTokenLikelihoodOfTheLogits) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 gen(seed);
  const int64_t n = 5, t = 9, v = 13;
  const Tensor tokens = ids(gen, {n, t}, v);
  const Tensor logits = randomF32(gen, {n, t, v}, -4.0, 4.0);
  Metrics m = lm(false, false);
  m.add(0, n, {{"input_ids", tokens}}, {{"logits", logits}});
  const nlohmann::json s = m.summary();
  EXPECT_EQ(s["tokens"], n * (t - 1));
  EXPECT_NEAR(s["perplexity"].get<double>(), directPerplexity(tokens, nullptr, logits),
              1e-12 * s["perplexity"].get<double>());
  EXPECT_DOUBLE_EQ(std::exp(s["nll_per_token"].get<double>()), s["perplexity"].get<double>());

  // Padding: the positions whose mask is 0 are not predicted.
  Tensor mask = Tensor::allocate(DType::I64, {n, t});
  int64_t kept = 0;
  for (int64_t i = 0; i < n * t; ++i) {
    mask.data<int64_t>()[i] = i % t < 2 + i / t; // row r keeps its first r + 2 tokens
    kept += i % t != 0 && mask.data<int64_t>()[i];
  }
  Metrics masked = lm(false, true);
  masked.add(0, n, {{"input_ids", tokens}, {"attention_mask", mask}}, {{"logits", logits}});
  EXPECT_EQ(masked.summary()["tokens"], kept);
  EXPECT_NEAR(masked.summary()["perplexity"].get<double>(), directPerplexity(tokens, &mask, logits),
              1e-12 * masked.summary()["perplexity"].get<double>());
}

TEST(Metrics, CountsOfPartsMergeIntoTheWholeBitForBit) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 gen(seed);
  // Per-sample runs (a static plan): each run is one sample's [1, T] ids and [1, T, V] logits.
  const int64_t samples = 7, t = 6, v = 11;
  std::vector<Tensor> tokens, logits;
  for (int64_t i = 0; i < samples; ++i) {
    tokens.push_back(ids(gen, {1, t}, v));
    logits.push_back(randomF32(gen, {1, t, v}, -3.0, 3.0));
  }
  Metrics whole = lm(true, false);
  for (int64_t i = 0; i < samples; ++i)
    whole.add(i, 1, {{"input_ids", tokens[i]}}, {{"logits", logits[i]}});
  // The samples in three parts, as three MPI ranks run them, merged in order.
  Metrics merged = lm(true, false);
  for (const auto &[begin, end] : {std::pair<int64_t, int64_t>{0, 3}, {3, 5}, {5, 7}}) {
    Metrics part = lm(true, false);
    for (int64_t i = begin; i < end; ++i)
      part.add(i, 1, {{"input_ids", tokens[i]}}, {{"logits", logits[i]}});
    merged.merge(part.counts());
  }
  EXPECT_EQ(merged.summary(), whole.summary()); // every double the same bits
  EXPECT_EQ(whole.summary()["samples"], samples);
}

TEST(Metrics, PerplexityRefusesTokensOutsideTheLogitsAndOtherShapes) {
  std::mt19937 gen(3);
  Tensor tokens = ids(gen, {2, 4}, 5);
  tokens.data<int64_t>()[6] = 9; // sample 1, token 2
  Metrics m = lm(false, false);
  const Tensor logits = randomF32(gen, {2, 4, 5});
  EXPECT_EQ(errorOf([&] {
              m.add(10, 2, {{"input_ids", tokens}}, {{"logits", logits}});
            }),
            "--perplexity: token 2 of sample 11 is 9, not one of the logits' 5 tokens");
  const Tensor flat = randomF32(gen, {2, 5});
  EXPECT_EQ(errorOf([&] {
              m.add(0, 2, {{"input_ids", ids(gen, {2, 4}, 5)}}, {{"logits", flat}});
            }),
            "--perplexity: output 'logits' [2,5] is not next-token logits [..., T, V] (float) of "
            "the token ids 'input_ids' [2,4]");
}

} // namespace
} // namespace cimlir::runtimetest
