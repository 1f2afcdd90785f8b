// cimlir CIM kernels: the crossbar partial sums of one row over one row block
// (cim-numerics.md §3 DAC slices and §4 partial sums, before read noise).
//
// DacSlices holds the sign-magnitude DAC slices u_i of one row's analog inputs over a row block,
// kept sparse (only nonzero u_i[k], like a DAC that skips zero inputs). SliceLevels holds the
// programmed differential levels L~+ - L~- of every weight slice of one row block side by side,
// so that one pass over a row's active inputs gives the partial sums of all weight slices:
//   P[i][j·N + n] = sum_k u_i[k] · (L~+_j - L~-_j)[k, n].
// With integer levels (no programming noise) the sums are exact and accumulated in vector
// registers: int16 lanes when every |P| of the block fits (rows·(2^max a - 1)·(2^max b - 1) <
// 2^15), else int32 (§10 bounds |P| below 2^31). With programming noise they are summed in
// double. The hot functions are compiled for AVX-512, AVX2 and baseline x86-64 (Philox.h's
// CIMLIR_VECTOR_CLONES) and give the same numbers on each.
#pragma once

#include "kernels/cpu/cim/WeightProgramming.h"

#include <cstdint>
#include <vector>

namespace cimlir::cpu {

/// The DAC slices u_i of one row over one row block (§3), sparse: slice i has count[i] nonzero
/// entries (index[i][e] = row within the block, value[i][e] = u_i) and sum of squares
/// sumSquares[i] (the read-noise variance of §4 is proportional to it).
class DacSlices {
public:
  /// Slices of widths `widths` (LSB first) at offsets `offsets`, for blocks of up to `rows`.
  DacSlices(std::vector<int> widths, std::vector<int> offsets, int64_t rows);

  /// u_i = sign(l) · ((|l| >> o_i) & (2^{a_i} - 1)) for the analog inputs l[0, rows).
  void slice(const int16_t *l, int64_t rows);

  int sliceCount() const { return static_cast<int>(widths_.size()); }
  bool active(int i) const { return sumSquares_[i] != 0; }
  /// active(i) for every i, for the fresh-draw batching of the caller.
  const std::vector<uint8_t> &activeMask() const { return active_; }
  int32_t count(int i) const { return count_[i]; }
  const int32_t *index(int i) const { return index_[i].data(); }
  const int32_t *value(int i) const { return value_[i].data(); }
  int64_t sumSquares(int i) const { return sumSquares_[i]; }

private:
  std::vector<int> widths_, offsets_;
  std::vector<std::vector<int32_t>> index_, value_; // [T][rows], the first count_[i] used
  std::vector<int32_t> count_;
  std::vector<int64_t> sumSquares_;
  std::vector<uint8_t> active_;
  std::vector<int32_t> inputIndex_, inputMagnitude_, inputNegative_; // nonzero l of the row
};

/// The differential levels of every weight slice of one row block [k0, k1), side by side:
/// row k holds slice j's levels at columns [j·N, (j+1)·N).
class SliceLevels {
public:
  /// Reads the levels of rows [k0, k1) of `weights`; `maxInputWidth` is the widest DAC slice
  /// (it decides whether every partial sum fits int16).
  SliceLevels(const ProgrammedWeights &weights, int64_t k0, int64_t k1, int maxInputWidth);

  int64_t rows() const { return rows_; }
  /// S·N: the partial sums of one input slice.
  int64_t width() const { return width_; }

  /// True without programming noise: the partial sums are exact integers.
  bool integer() const { return noisy_.empty(); }
  /// P [T, width()] of one row: P[i·width() + j·N + n] (§4 without read noise): the int32
  /// form when integer(), else the double form.
  void partialSums(const DacSlices &u, int32_t *P) const;
  void partialSums(const DacSlices &u, double *P) const;

private:
  int64_t rows_ = 0, width_ = 0;
  int64_t stride_ = 0;          // width_ rounded up to the register chunk, zero padded
  bool narrow_ = false;         // every |P| fits int16
  std::vector<int16_t> levels_; // integer levels [rows, stride]
  std::vector<float> noisy_;    // with programming noise, [rows, width]
};

} // namespace cimlir::cpu
