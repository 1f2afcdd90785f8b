// cimlir CIM kernels: what calibration measures (cim-numerics.md §3 `static` input scales and
// §5 `calibrated` ADC full scales).
//
// Calibration runs a layer's inputs x (rows [M,K] as the crossbars would see them: im2col rows
// for Conv) from calibration data through these accumulators, batch by batch, and ends with
// the numbers the plan stores:
//  - InputRangeCalibrator: the static input scale s_x = clip / qmax_x, where clip is max |x| over
//    every element of every calibration row, or its inputs.clip_percentile-th percentile (§1's
//    rule), or with inputs.range `mse` or `kl` the searched clip of kernels/cim/RangeSearch.h
//    over a 2^16-bin histogram of |x|. A percentile below 100 or a search keeps every |x| in
//    memory (4 bytes each); max needs none.
//  - AdcRangeCalibrator: for every (input slice i, weight slice j), FS = the adc.percentile-th
//    percentile (or with adc.range `mse` or `kl` the searched clip for the ADC's qmax_a) of the
//    noise-free |P[r,i,j][m,n]| over all row blocks r, rows m and outputs n:
//    the layer's own weight quantization and slicing (§1, §2), its input quantization (§3,
//    static or dynamic_row) and hybrid clamp (§7), ideal levels (no stuck-at faults, no
//    programming or read noise). P is an integer, so a histogram of |P| per pair gives the
//    percentile exactly; it needs crossbar.rows·(2^a_i - 1)·(2^b_j - 1) < 2^24 (a bin each).
// Rows with a non-finite value are skipped (they give NaN rows at run time). The results are
// a pure function of the rows added (in any order or batching).
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace cimlir::cpu {

class InputRangeCalibrator {
public:
  /// Uses params.inputs.bits, clipPercentile and range; the layer's own parameters
  /// (`static` inputs without their scale yet, a `calibrated` ADC) are accepted.
  explicit InputRangeCalibrator(const cim::CimParams &params);

  /// Adds the rows of x [M,K] float32.
  void add(const Tensor &x);
  /// Finite rows added so far.
  int64_t rows() const { return rows_; }
  /// s_x = clip / qmax_x (1 for a clip of 0). Throws cimlir::Error when no finite row was added.
  float scale() const;

private:
  int bits_;
  double percentile_;
  cim::RangeMethod range_;
  int64_t rows_ = 0;
  float max_ = 0.0f;
  std::vector<float> magnitudes_; // percentile < 100 or a searched range only
};

class AdcRangeCalibrator {
public:
  /// `w` is the group's float32 weight matrix [K,N]. `params` is the layer's (inputs.scale
  /// `static` needs staticScale; adc.range and adc.bits choose the search); its noise and
  /// adc.mode are ignored. Throws
  /// cimlir::Error for invalid parameters or a histogram over the 2^24-bin limit.
  AdcRangeCalibrator(const Tensor &w, const cim::CimParams &params, double percentile);

  void add(const Tensor &x);
  int64_t rows() const { return rows_; }
  /// FS per (i, j) at [i·S + j] (CimParams::calibratedFullScales). Throws cimlir::Error
  /// when no finite row was added.
  std::vector<float> fullScales() const;

private:
  struct State;
  std::shared_ptr<const State> state_;
  std::vector<std::vector<int64_t>> histograms_; // [i·S + j][|P|]
  int64_t rows_ = 0;
};

} // namespace cimlir::cpu
