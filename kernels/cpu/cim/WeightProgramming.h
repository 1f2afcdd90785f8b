// cimlir CPU kernels: chip programming (cim-numerics.md §2 and the static effects of §4).
//
// quantizeWeights() (kernels/cim/Quantization.h) turns the float matrix W [K,N] of one group
// into scales s_w and integer levels Wq (§1). ProgrammedWeights is that matrix written onto a
// chip: the differential cell
// levels L^±_j of every weight slice (§2) after stuck-at faults and programming noise (§4),
// which are a pure function of (chip_seed, layer id, j, sign, k, n) (§9, Philox.h).
//
// Memory: Wq is kept as int8 (int16 above 8 bits) and slice levels are derived from it on the
// fly. Stuck-at faults without programming noise keep levels integer; they are stored as one
// int8 differential level per (slice, k, n). With programming noise the float levels are cached
// when they fit `levelCacheBytes`, else regenerated per row block at every use (the same
// numbers either way), so a large layer never materialises float copies of all its slices.
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"
#include "kernels/cim/Philox.h"
#include "kernels/cim/Quantization.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cimlir::cpu {

enum class CellFault : uint8_t { None, StuckAtMin, StuckAtMax };

/// One programmed cell: its level (in level units) and whether it is stuck.
struct ProgrammedCell {
  float level = 0.0f;
  CellFault fault = CellFault::None;
};

constexpr size_t kDefaultLevelCacheBytes = size_t(64) << 20;

/// The chip of one layer group: Wq programmed into differential cell pairs per weight slice.
class ProgrammedWeights {
public:
  /// Quantizes `w` (float32 [K,N]) and programs it with params' weights.*, noise.program,
  /// noise.stuckAt*, noise.chipSeed and layerId.
  static ProgrammedWeights program(const Tensor &w, const cim::CimParams &params,
                                   size_t levelCacheBytes = kDefaultLevelCacheBytes);
  /// Programs already quantized weights (e.g. read from a plan). Also checks that
  /// params.fullScales, when given, fits the layer (validateFullScales).
  static ProgrammedWeights program(cim::QuantizedWeights quantized, const cim::CimParams &params,
                                   size_t levelCacheBytes = kDefaultLevelCacheBytes);

  const cim::QuantizedWeights &quantized() const { return q_; }
  const cim::CimParams &params() const { return params_; }
  int64_t rows() const { return q_.rows(); }
  int64_t cols() const { return q_.cols(); }
  int sliceCount() const { return static_cast<int>(widths_.size()); }
  const std::vector<int> &sliceWidths() const { return widths_; }
  const std::vector<int> &sliceOffsets() const { return offsets_; }
  /// r_j = 2^{b_j} - 1, the cell range of slice j.
  int32_t cellRange(int j) const { return (int32_t(1) << widths_[j]) - 1; }
  /// True without programming noise: every level is an integer (stuck-at keeps that).
  bool integerLevels() const { return params_.noise.program == 0.0; }
  /// True when stuck-at faults or programming noise can change a level.
  bool hasStaticEffects() const { return hasFaults_ || !integerLevels(); }

  /// L^±_j[k,n] of §2 before device effects; sign 0 is W+, 1 is W-.
  int32_t idealLevel(int j, int sign, int64_t k, int64_t n) const;
  /// The programmed level L~ of one cell (§4, §9): stuck-at from the cell's uniform, else the
  /// ideal level plus sigma_p·r_j·eta. A pure function of the chip seed, layer id and indices.
  ProgrammedCell cell(int j, int sign, int64_t k, int64_t n) const;

  /// L~+ - L~- of slice j for rows [k0, k1) and every n, row-major [k1-k0, N].
  /// The int8 form needs integerLevels().
  void differentialLevels(int j, int64_t k0, int64_t k1, int8_t *out) const;
  void differentialLevels(int j, int64_t k0, int64_t k1, float *out) const;
  /// W~[k,n] = sum_j 2^{p_j} (L~+_j - L~-_j) for rows [k0, k1): the weight the chip holds, equal
  /// to Wq without static effects. The int32 form needs integerLevels().
  void effectiveWeights(int64_t k0, int64_t k1, int32_t *out) const;
  void effectiveWeights(int64_t k0, int64_t k1, double *out) const;

  /// True when the programming fields (weights.*, noise.program, noise.stuckAt*, chipSeed,
  /// layerId) of `other` equal those these weights were programmed with.
  bool sameProgramming(const cim::CimParams &other) const;

private:
  void computeLevels(int j, int64_t k0, int64_t k1, float *out) const;

  cim::QuantizedWeights q_;
  cim::CimParams params_;
  std::vector<int> widths_, offsets_;
  bool hasFaults_ = false;
  cim::PhiloxKey key_{};                            // static key of (chip seed, layer)
  uint64_t thresholdMin_ = 0, thresholdMinMax_ = 0; // stuck-at tests on Philox word 0
  std::vector<int8_t> faultyLevels_;                // [S][K][N] when faults without noise
  std::vector<float> cachedLevels_;                 // [S][K][N] when noisy and it fits
};

} // namespace cimlir::cpu
