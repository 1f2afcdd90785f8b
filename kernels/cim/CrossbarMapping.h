// cimlir CIM numerics: how one group of a CIM layer lies on crossbar arrays (cim-numerics.md
// §2), and what M rows of x make those arrays do (§3–§5). The one definition of a layer's
// arrays, reads and conversions: the compiler's mapping attribute and report, the cost model
// and every backend's counters use it.
//
// Plain C++17 without exceptions: the compiler includes it.
#pragma once

#include "kernels/cim/LayerSettings.h"

#include <cstdint>

namespace cimlir::cim {

/// Row blocks of a layer with K rows on arrays of `rows` word lines: ceil(K / rows).
int64_t rowBlockCount(int64_t K, int64_t rows);
/// Column blocks of N outputs on arrays of `cols` bit lines: ceil(N / floor(cols / 2)), a
/// column pair per output.
int64_t colBlockCount(int64_t N, int64_t cols);

struct CrossbarMapping {
  int64_t k = 0, n = 0;        ///< the group's rows K and outputs N
  int64_t rowBlocks = 0;       ///< R_b
  int64_t colBlocks = 0;       ///< C_b
  int64_t inputSlices = 0;     ///< T
  int64_t weightSlices = 0;    ///< S
  int64_t outputsPerArray = 0; ///< floor(cols / 2)
  bool converts = false;       ///< adc.mode is not `ideal`

  /// A group with K rows and N outputs on `settings`' crossbars, slices and ADC.
  static CrossbarMapping of(int64_t K, int64_t N, const LayerSettings &settings);

  /// One array per (row block, column block, weight slice): R_b·C_b·S.
  int64_t arrays() const { return rowBlocks * colBlocks * weightSlices; }
  /// The input digits u_i[m,k] of M rows (§3): M·K·T.
  int64_t inputDigits(int64_t M) const { return M * k * inputSlices; }
  /// Input-slice vectors applied to a row block: M·R_b·T.
  int64_t dacInputSlices(int64_t M) const { return M * rowBlocks * inputSlices; }
  /// Array activations, one input slice on one array: M·R_b·C_b·T·S.
  int64_t arrayReads(int64_t M) const {
    return M * rowBlocks * colBlocks * inputSlices * weightSlices;
  }
  /// ADC conversions, one per (r, i, j, m, n) (§5): M·R_b·T·S·N; none in `ideal` mode.
  int64_t adcConversions(int64_t M) const {
    return converts ? M * rowBlocks * inputSlices * weightSlices * n : 0;
  }
  /// Row drives of `activeDigits` nonzero input digits: a DAC drives the digit's row in each of
  /// the S·C_b arrays of its row block (a zero digit drives nothing).
  int64_t rowDrives(int64_t activeDigits) const { return activeDigits * weightSlices * colBlocks; }
  /// Cells those drives read: 2N per digit and weight slice (a column pair per output).
  int64_t cellReads(int64_t activeDigits) const { return activeDigits * weightSlices * 2 * n; }
  /// Outputs one array converts per read: those of its column pairs (none in `ideal` mode).
  int64_t conversionsPerRead() const {
    return converts ? (n < outputsPerArray ? n : outputsPerArray) : 0;
  }
};

} // namespace cimlir::cim
