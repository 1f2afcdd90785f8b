// cimlir CIM numerics: searching a quantizer's range on calibration data, besides the
// percentile of §1. Issue 12's `kl` and `mse` ranges, for `static` input scales (§3) and
// `calibrated` ADC full scales (§5):
//  - mseClip: the clip c that minimises the squared error of the symmetric quantizer
//    Q_c(v) = min(rint(v·qmax/c), qmax)·c/qmax over the data's magnitudes (the error of the
//    values it rounds plus that of the values it clips).
//  - klClip: the entropy calibration of INT8 tools (TensorRT, MXNet's
//    _get_optimal_threshold, on magnitudes): the |x| histogram over 2048 equal bins; for each
//    threshold bin count i, the reference distribution P (the bins below i, the tail added to
//    bin i - 1) against Q (those bins merged into qmax + 1 groups of i / (qmax + 1) bins, the
//    last taking the rest, each group's mass spread over the bins where P is nonzero), both
//    smoothed with 1e-4 as MXNet does; the threshold of least KL(P || Q), at the upper edge of
//    bin i - 1.
// Both take the magnitudes as a histogram of distinct values and counts (a float layer's |x|,
// or the ADC's integer |P|), so that any number of rows reduces to one pass over bins. They
// are searches (double precision, not the contract's float32 arithmetic): the clip they return
// then goes through §3's or §5's arithmetic like a percentile's.
#pragma once

#include <cstdint>
#include <vector>

namespace cimlir::cim {

/// Magnitudes with multiplicities: values[b] (>= 0, strictly ascending) occurs counts[b] (> 0)
/// times.
struct Magnitudes {
  std::vector<double> values;
  std::vector<int64_t> counts;
  /// The values with their counts, sorted and merged (any order, repeats and zeros allowed;
  /// negative values are taken as their magnitude).
  static Magnitudes of(std::vector<double> values);
  /// Many float magnitudes (a layer's |x| over the calibration rows) as `bins` equal bins of
  /// [0, max |x|], each at its centre: the searches then take time in bins, not in values
  /// (the centre is within max |x| / (2·bins) of each value).
  static Magnitudes binned(const std::vector<float> &values, int bins = 1 << 16);
  /// A histogram of integers: counts[v] of magnitude v (an ADC's |P|), zero counts left out;
  /// with more than `bins` distinct magnitudes, `bins` equal bins of [0, largest] at their
  /// centres instead (as `binned`).
  static Magnitudes ofHistogram(const std::vector<int64_t> &counts, int bins = 1 << 16);
  int64_t total() const;
  double largest() const { return values.empty() ? 0.0 : values.back(); }
};

/// The squared error of Q_c over `m` (see above), c > 0.
double quantizationError(const Magnitudes &m, double clip, int64_t qmax);

/// The clip in (0, largest] of least quantizationError among `candidates` clips evenly spaced
/// up to the largest magnitude and, when there are at most 4·candidates of them, every
/// distinct magnitude (the error changes slope there), then twice a 65-point grid around the
/// best so far, each 32 times finer; ties go to the clip found first. 0 when every magnitude
/// is 0.
double mseClip(const Magnitudes &m, int64_t qmax, int candidates = 1024);

/// The entropy threshold (see above) over `bins` equal bins of [0, largest]; qmax + 1 <= bins.
/// The largest magnitude when no candidate has a finite divergence; 0 when every magnitude is
/// 0.
double klClip(const Magnitudes &m, int64_t qmax, int bins = 2048);

} // namespace cimlir::cim
