#include "kernels/cim/RangeSearch.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cim {

namespace {

/// `bins` equal bins of [0, top] (top > 0), each at its centre with the count of the
/// magnitudes in it; `forEach(add)` calls add(magnitude, count) for every magnitude.
template <typename ForEach> Magnitudes binnedOver(double top, int bins, ForEach forEach) {
  const double width = top / bins;
  std::vector<int64_t> counts(static_cast<size_t>(bins), 0);
  forEach([&](double v, int64_t n) {
    counts[std::min<size_t>(static_cast<size_t>(v / width), bins - 1)] += n;
  });
  Magnitudes m;
  for (int b = 0; b < bins; ++b)
    if (counts[static_cast<size_t>(b)] > 0) {
      m.values.push_back((b + 0.5) * width);
      m.counts.push_back(counts[static_cast<size_t>(b)]);
    }
  return m;
}

} // namespace

Magnitudes Magnitudes::of(std::vector<double> values) {
  for (double &v : values)
    v = std::fabs(v);
  std::sort(values.begin(), values.end());
  Magnitudes m;
  for (double v : values) {
    if (!m.values.empty() && m.values.back() == v) {
      ++m.counts.back();
      continue;
    }
    m.values.push_back(v);
    m.counts.push_back(1);
  }
  return m;
}

Magnitudes Magnitudes::binned(const std::vector<float> &values, int bins) {
  float top = 0.0f;
  for (float v : values)
    top = std::max(top, std::fabs(v));
  Magnitudes m;
  if (!(top > 0.0f)) {
    if (!values.empty()) {
      m.values.push_back(0.0);
      m.counts.push_back(static_cast<int64_t>(values.size()));
    }
    return m;
  }
  return binnedOver(static_cast<double>(top), bins, [&](auto add) {
    for (float v : values)
      add(std::fabs(v), 1);
  });
}

Magnitudes Magnitudes::ofHistogram(const std::vector<int64_t> &counts, int bins) {
  Magnitudes m;
  for (size_t v = 0; v < counts.size(); ++v)
    if (counts[v] > 0) {
      m.values.push_back(static_cast<double>(v));
      m.counts.push_back(counts[v]);
    }
  if (static_cast<int64_t>(m.values.size()) <= bins || !(m.largest() > 0.0))
    return m;
  return binnedOver(m.largest(), bins, [&](auto add) {
    for (size_t b = 0; b < m.values.size(); ++b)
      add(m.values[b], m.counts[b]);
  });
}

int64_t Magnitudes::total() const {
  int64_t n = 0;
  for (int64_t c : counts)
    n += c;
  return n;
}

double quantizationError(const Magnitudes &m, double clip, int64_t qmax) {
  const double step = clip / static_cast<double>(qmax);
  double error = 0.0;
  for (size_t b = 0; b < m.values.size(); ++b) {
    const double level = std::min(std::nearbyint(m.values[b] / step), static_cast<double>(qmax));
    const double d = m.values[b] - level * step;
    error += static_cast<double>(m.counts[b]) * d * d;
  }
  return error;
}

double mseClip(const Magnitudes &m, int64_t qmax, int candidates) {
  if (qmax < 1 || candidates < 1)
    throw Error("range search: qmax and the candidate count must be at least 1");
  const double top = m.largest();
  if (!(top > 0.0))
    return 0.0;
  std::vector<double> clips;
  if (m.values.size() <= 4 * static_cast<size_t>(candidates))
    clips = m.values;
  for (int c = 1; c <= candidates; ++c)
    clips.push_back(top * c / candidates);
  std::sort(clips.begin(), clips.end());
  double best = top, bestError = std::numeric_limits<double>::infinity();
  auto consider = [&](double clip) {
    if (!(clip > 0.0))
      return;
    const double error = quantizationError(m, clip, qmax);
    if (error < bestError) {
      best = clip;
      bestError = error;
    }
  };
  for (double clip : clips)
    consider(clip);
  // The error is smooth between the candidates: twice, a finer grid around the best one.
  double span = top / candidates;
  for (int round = 0; round < 2; ++round) {
    const double centre = best;
    for (int s = -32; s <= 32; ++s)
      consider(std::min(top, centre + span * s / 32.0));
    span /= 32.0;
  }
  return best;
}

namespace {

/// MXNet's _smooth_distribution: each zero bin takes eps, the nonzero bins give it up evenly.
/// False when no bin is nonzero or the nonzero bins cannot give it (then the candidate is
/// skipped, as MXNet skips it by an infinite divergence).
bool smooth(std::vector<double> &d, double eps) {
  int64_t zeros = 0;
  for (double v : d)
    zeros += v == 0.0;
  const int64_t nonzeros = static_cast<int64_t>(d.size()) - zeros;
  if (nonzeros == 0)
    return false;
  const double taken = eps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  for (double &v : d) {
    v = v == 0.0 ? eps : v - taken;
    if (!(v > 0.0))
      return false;
  }
  return true;
}

} // namespace

double klClip(const Magnitudes &m, int64_t qmax, int bins) {
  const int64_t levels = qmax + 1;
  if (qmax < 1 || levels > bins)
    throw Error("range search: the KL search needs 1 <= qmax < bins");
  const double top = m.largest();
  if (!(top > 0.0))
    return 0.0;
  const double width = top / bins;
  std::vector<double> histogram(static_cast<size_t>(bins), 0.0);
  for (size_t b = 0; b < m.values.size(); ++b)
    histogram[std::min<size_t>(static_cast<size_t>(m.values[b] / width), bins - 1)] +=
        static_cast<double>(m.counts[b]);
  // The mass at and beyond each bin, for P's tail.
  std::vector<double> beyond(static_cast<size_t>(bins) + 1, 0.0);
  for (int64_t b = bins - 1; b >= 0; --b)
    beyond[static_cast<size_t>(b)] =
        beyond[static_cast<size_t>(b) + 1] + histogram[static_cast<size_t>(b)];
  double bestKl = std::numeric_limits<double>::infinity();
  int64_t bestBins = bins;
  std::vector<double> p, q; // reused: one allocation for every candidate
  for (int64_t i = levels; i <= bins; ++i) {
    const auto at = [](int64_t b) { return static_cast<size_t>(b); };
    // P: the bins below i, the mass beyond added to the last.
    p.assign(histogram.begin(), histogram.begin() + i);
    p[at(i - 1)] += beyond[at(i)];
    // Q: the bins below i merged into `levels` groups of i / levels bins (the last takes the
    // rest), each group's mass spread over the bins where P is nonzero.
    const int64_t merged = i / levels;
    q.assign(at(i), 0.0);
    for (int64_t j = 0; j < levels; ++j) {
      const int64_t start = j * merged, stop = j + 1 == levels ? i : start + merged;
      double mass = 0.0;
      int64_t nonzero = 0;
      for (int64_t b = start; b < stop; ++b) {
        mass += histogram[at(b)];
        nonzero += p[at(b)] != 0.0;
      }
      for (int64_t b = start; b < stop; ++b)
        if (p[at(b)] != 0.0)
          q[at(b)] = mass / static_cast<double>(nonzero);
    }
    if (!smooth(p, 1e-4) || !smooth(q, 1e-4))
      continue;
    // KL(P || Q) of the normalised distributions (scipy.stats.entropy).
    double pTotal = 0.0, qTotal = 0.0;
    for (int64_t b = 0; b < i; ++b) {
      pTotal += p[at(b)];
      qTotal += q[at(b)];
    }
    double kl = 0.0;
    for (int64_t b = 0; b < i; ++b) {
      const double pb = p[at(b)] / pTotal, qb = q[at(b)] / qTotal;
      kl += pb * std::log(pb / qb);
    }
    if (kl < bestKl) {
      bestKl = kl;
      bestBins = i;
    }
  }
  return static_cast<double>(bestBins) * width;
}

} // namespace cimlir::cim
