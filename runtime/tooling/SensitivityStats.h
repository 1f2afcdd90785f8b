// cimlir runtime: the statistics of cim-opt --sensitivity (docs/sensitivity.md), accumulated
// batch by batch so that no run has to hold a layer's activations over the whole dataset.
//  - ValueStats: a layer's input activations (the proxies: range ratio, kurtosis);
//  - OutputDivergence: a layer's outputs on CIM against its fp32 outputs on the same inputs
//    (KL divergence of the value histograms, MSE);
//  - RunScore: a run's end-to-end metric against the labels or the all-digital run's outputs;
//  - spearman: how well a proxy ranks the layers against a measured ranking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir {

/// Count, extremes, moments and quantiles of a stream of values. Non-finite values are
/// counted apart and left out of everything else.
class ValueStats {
public:
  /// Quantiles come from a uniform reservoir sample of `reservoir` values (exact while the
  /// stream is no longer; Algorithm R with a fixed seed, so the same stream gives the same
  /// answer).
  explicit ValueStats(size_t reservoir = size_t(1) << 18);
  void add(const float *values, size_t n);

  int64_t count() const { return count_; }
  int64_t nonFinite() const { return nonFinite_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const { return mean_; }
  /// Population variance.
  double variance() const;
  /// Excess kurtosis m4/m2² − 3 (0 for a normal distribution); NaN with no spread.
  double kurtosis() const;
  /// The q-quantile (0 <= q <= 1) of the sample, numpy's default "linear" interpolation.
  double quantile(double q) const;
  /// (max − min) / (q3 − q1): how far the extremes lie beyond the bulk (1.5..2 for a uniform
  /// range, about 7 for 2^20 normal values, far more with outliers). +inf when q3 == q1.
  double rangeRatio() const;

private:
  int64_t count_ = 0, nonFinite_ = 0;
  double min_ = 0, max_ = 0, mean_ = 0, m2_ = 0, m3_ = 0, m4_ = 0;
  std::vector<float> sample_;
  size_t capacity_;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  mutable std::vector<float> sorted_;
  mutable bool sortedValid_ = false;
};

/// A layer's outputs on CIM against its fp32 outputs on the same inputs.
class OutputDivergence {
public:
  /// The histograms span [lo, hi] (the fp32 outputs' range over the dataset) in `bins` equal
  /// bins; values outside go to the edge bins.
  OutputDivergence(double lo, double hi, int bins = 2048);
  void add(const float *digital, const float *cim, size_t n);

  int64_t count() const { return count_; }
  /// KL(P ‖ Q) in nats of the fp32 (P) and CIM (Q) value histograms, each bin count smoothed
  /// by +0.5 (so that equal histograms give 0 and an empty bin no infinity); NaN when the
  /// range is empty (constant fp32 outputs).
  double kl() const;
  /// Mean of (cim − digital)².
  double mse() const;
  /// mse / mean(digital²): the error relative to the signal (1/SQNR).
  double nmse() const;

private:
  size_t bin(float v) const;
  double lo_, scale_;
  std::vector<int64_t> p_, q_;
  int64_t count_ = 0;
  double squaredError_ = 0, squaredSignal_ = 0;
};

/// The end-to-end metric of one run, sample by sample, on a model's first output:
///  - "accuracy": argmax of each sample's one row of class scores against its label (higher
///    is better);
///  - "kl": mean over the rows of the last axis of KL(softmax(ref) ‖ softmax(out)); a row that
///    already is a probability row (values in [0, 1] summing to 1 within 1e-3) is taken as it
///    is, with probabilities below 1e-12 raised to that;
///  - "mse": mean squared difference from the reference.
/// kl and mse compare with the all-digital run's outputs (lower is better).
class RunScore {
public:
  RunScore(std::string metric, const std::vector<int64_t> *labels,
           const std::vector<float> *reference, int64_t rowLength);
  /// Adds samples [begin, begin + count): `out` holds count · perSample values.
  void add(int64_t begin, int64_t count, const float *out, int64_t perSample);
  /// The metric over what was added.
  double value() const;
  /// The loss the ranking compares: 1 − accuracy, or kl, or mse.
  double loss() const;

private:
  std::string metric_;
  const std::vector<int64_t> *labels_;
  const std::vector<float> *reference_;
  int64_t rowLength_;
  double sum_ = 0;
  int64_t terms_ = 0;
};

/// The loss the rankings compare for a value of `metric`: 1 − accuracy, or kl, or mse (the
/// same map turns a loss back into its value).
double metricLoss(const std::string &metric, double value);

/// Spearman's rank correlation of a and b (average ranks for ties, +inf ranked highest),
/// over the pairs where neither is NaN; NaN with fewer than 3 such pairs or a constant side.
double spearman(const std::vector<double> &a, const std::vector<double> &b);

} // namespace cimlir
