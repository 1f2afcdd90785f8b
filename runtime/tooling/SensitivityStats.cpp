#include "runtime/tooling/SensitivityStats.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cimlir {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// splitmix64: the reservoir's random stream (fixed seed: reproducible statistics).
uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace

// ---- ValueStats -------------------------------------------------------------------------------

ValueStats::ValueStats(size_t reservoir) : capacity_(std::max<size_t>(reservoir, 1)) {}

void ValueStats::add(const float *values, size_t n) {
  // The batch's central moments, then Pébay's formulas to merge them into the running ones
  // (stable where the sums of powers would cancel).
  int64_t nb = 0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) {
      sum += values[i];
      ++nb;
    }
  nonFinite_ += static_cast<int64_t>(n) - nb;
  if (nb == 0)
    return;
  const double meanB = sum / static_cast<double>(nb);
  double m2 = 0, m3 = 0, m4 = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    const float v = values[i];
    if (!std::isfinite(v))
      continue;
    const double d = v - meanB, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
  }
  // The reservoir (Algorithm R): the k-th finite value replaces a random slot with
  // probability capacity / k.
  int64_t seen = count_;
  for (size_t i = 0; i < n; ++i) {
    const float v = values[i];
    if (!std::isfinite(v))
      continue;
    ++seen;
    if (sample_.size() < capacity_)
      sample_.push_back(v);
    else {
      const uint64_t j = nextRandom(rng_) % static_cast<uint64_t>(seen);
      if (j < capacity_)
        sample_[j] = v;
    }
  }
  sortedValid_ = false;

  const double na = static_cast<double>(count_), nbd = static_cast<double>(nb);
  const double total = na + nbd, delta = meanB - mean_;
  const double d2 = delta * delta;
  const double m2n = m2_ + m2 + d2 * na * nbd / total;
  const double m3n = m3_ + m3 + d2 * delta * na * nbd * (na - nbd) / (total * total) +
                     3.0 * delta * (na * m2 - nbd * m2_) / total;
  const double m4n =
      m4_ + m4 + d2 * d2 * na * nbd * (na * na - na * nbd + nbd * nbd) / (total * total * total) +
      6.0 * d2 * (na * na * m2 + nbd * nbd * m2_) / (total * total) +
      4.0 * delta * (na * m3 - nbd * m3_) / total;
  mean_ += delta * nbd / total;
  m2_ = m2n;
  m3_ = m3n;
  m4_ = m4n;
  min_ = count_ == 0 ? lo : std::min(min_, lo);
  max_ = count_ == 0 ? hi : std::max(max_, hi);
  count_ += nb;
}

double ValueStats::variance() const { return count_ > 0 ? m2_ / double(count_) : kNaN; }

double ValueStats::kurtosis() const {
  if (count_ == 0 || m2_ <= 0)
    return kNaN;
  return double(count_) * m4_ / (m2_ * m2_) - 3.0;
}

double ValueStats::quantile(double q) const {
  if (sample_.empty())
    return kNaN;
  if (!sortedValid_) {
    sorted_ = sample_;
    std::sort(sorted_.begin(), sorted_.end());
    sortedValid_ = true;
  }
  const double pos = std::clamp(q, 0.0, 1.0) * double(sorted_.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const size_t j = std::min(i + 1, sorted_.size() - 1);
  return sorted_[i] + (pos - double(i)) * (double(sorted_[j]) - double(sorted_[i]));
}

double ValueStats::rangeRatio() const {
  if (count_ == 0)
    return kNaN;
  const double iqr = quantile(0.75) - quantile(0.25);
  if (iqr <= 0)
    return max_ > min_ ? std::numeric_limits<double>::infinity() : kNaN;
  return (max_ - min_) / iqr;
}

// ---- OutputDivergence -------------------------------------------------------------------------

OutputDivergence::OutputDivergence(double lo, double hi, int bins)
    : lo_(lo), p_(static_cast<size_t>(std::max(bins, 1))), q_(p_.size()) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    throw Error("output divergence: the histogram range [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "] is not finite");
  scale_ = hi > lo ? double(p_.size()) / (hi - lo) : 0.0;
}

size_t OutputDivergence::bin(float v) const {
  // NaN lands in bin 0; the position is compared before the cast (one past size_t's range,
  // +inf among them, would be undefined).
  const double pos = (double(v) - lo_) * scale_;
  if (!(pos > 0))
    return 0;
  if (pos >= double(p_.size() - 1))
    return p_.size() - 1;
  return static_cast<size_t>(pos);
}

void OutputDivergence::add(const float *digital, const float *cim, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    ++p_[bin(digital[i])];
    ++q_[bin(cim[i])];
    const double e = double(cim[i]) - double(digital[i]);
    squaredError_ += e * e;
    squaredSignal_ += double(digital[i]) * double(digital[i]);
  }
  count_ += static_cast<int64_t>(n);
}

double OutputDivergence::kl() const {
  // Constant fp32 outputs give one bin: no histogram to compare.
  if (count_ == 0 || scale_ == 0)
    return kNaN;
  const double total = double(count_) + 0.5 * double(p_.size());
  double kl = 0;
  for (size_t i = 0; i < p_.size(); ++i) {
    const double p = (double(p_[i]) + 0.5) / total, q = (double(q_[i]) + 0.5) / total;
    kl += p * std::log(p / q);
  }
  return std::max(kl, 0.0);
}

double OutputDivergence::mse() const { return count_ ? squaredError_ / double(count_) : kNaN; }

double OutputDivergence::nmse() const {
  if (count_ == 0 || squaredSignal_ <= 0)
    return kNaN;
  return squaredError_ / squaredSignal_;
}

// ---- RunScore ---------------------------------------------------------------------------------

RunScore::RunScore(std::string metric, const std::vector<int64_t> *labels,
                   const std::vector<float> *reference, int64_t rowLength)
    : metric_(std::move(metric)), labels_(labels), reference_(reference), rowLength_(rowLength) {
  if (metric_ != "accuracy" && metric_ != "kl" && metric_ != "mse")
    throw Error("sensitivity: metric '" + metric_ + "' is not one of accuracy, kl, mse");
  if (metric_ == "accuracy" && !labels_)
    throw Error("sensitivity: the accuracy metric needs labels");
  if (metric_ != "accuracy" && !reference_)
    throw Error("sensitivity: the " + metric_ + " metric needs the all-digital outputs");
  if (rowLength_ < 1)
    throw Error("sensitivity: the output's last axis is empty");
}

namespace {

/// A row as probabilities: itself if it is one, else its softmax (in double).
void probabilities(const float *row, int64_t n, std::vector<double> &out) {
  out.resize(static_cast<size_t>(n));
  double sum = 0;
  bool isProbability = true;
  for (int64_t i = 0; i < n; ++i) {
    isProbability &= row[i] >= 0.0f && row[i] <= 1.0f;
    sum += row[i];
  }
  if (isProbability && std::fabs(sum - 1.0) <= 1e-3) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::max(double(row[i]), 1e-12);
    return;
  }
  const double top = *std::max_element(row, row + n);
  double z = 0;
  for (int64_t i = 0; i < n; ++i)
    z += out[i] = std::exp(double(row[i]) - top);
  for (double &v : out)
    v /= z;
}

} // namespace

void RunScore::add(int64_t begin, int64_t count, const float *out, int64_t perSample) {
  if (perSample % rowLength_ != 0)
    throw Error("sensitivity: an output of " + std::to_string(perSample) +
                " values per sample is not rows of " + std::to_string(rowLength_));
  const int64_t rows = perSample / rowLength_;
  if (metric_ == "accuracy" && rows != 1)
    throw Error("the accuracy metric needs one row of class scores per sample; the model's "
                "first output has " +
                std::to_string(perSample) +
                " values per sample (--sensitivity-metric kl or mse compares them all)");
  std::vector<double> p, q;
  for (int64_t s = 0; s < count; ++s) {
    const float *o = out + s * perSample;
    if (metric_ == "accuracy") {
      const int64_t label = labels_->at(static_cast<size_t>(begin + s));
      sum_ += (std::max_element(o, o + rowLength_) - o) == label;
      ++terms_;
      continue;
    }
    const size_t at = static_cast<size_t>((begin + s) * perSample);
    if (at + static_cast<size_t>(perSample) > reference_->size())
      throw Error("sensitivity: sample " + std::to_string(begin + s) +
                  " has no all-digital output to compare with");
    const float *ref = reference_->data() + at;
    if (metric_ == "mse") {
      for (int64_t i = 0; i < perSample; ++i) {
        const double e = double(o[i]) - double(ref[i]);
        sum_ += e * e;
      }
      terms_ += perSample;
      continue;
    }
    for (int64_t r = 0; r < rows; ++r) {
      probabilities(ref + r * rowLength_, rowLength_, p);
      probabilities(o + r * rowLength_, rowLength_, q);
      double kl = 0;
      for (size_t i = 0; i < p.size(); ++i)
        if (p[i] > 0) // a probability that underflowed adds nothing (0·log 0 = 0)
          kl += p[i] * std::log(p[i] / std::max(q[i], 1e-300));
      sum_ += kl;
      ++terms_;
    }
  }
}

double RunScore::value() const { return terms_ ? sum_ / double(terms_) : kNaN; }

double RunScore::loss() const { return metricLoss(metric_, value()); }

double metricLoss(const std::string &metric, double value) {
  return metric == "accuracy" ? 1.0 - value : value;
}

// ---- spearman ---------------------------------------------------------------------------------

namespace {

/// Average ranks (1-based) of v; ties share the mean of their ranks.
std::vector<double> ranks(const std::vector<double> &v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
      ++j;
    const double rank = (double(i) + double(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k)
      r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

} // namespace

double spearman(const std::vector<double> &a, const std::vector<double> &b) {
  std::vector<double> x, y;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (!std::isnan(a[i]) && !std::isnan(b[i])) {
      x.push_back(a[i]);
      y.push_back(b[i]);
    }
  if (x.size() < 3)
    return kNaN;
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = double(rx.size()), mean = (n + 1) / 2.0;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx <= 0 || syy <= 0)
    return kNaN;
  return sxy / std::sqrt(sxx * syy);
}

} // namespace cimlir
