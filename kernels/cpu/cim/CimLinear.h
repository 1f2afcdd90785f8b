// cimlir CIM kernels: the CPU reference of one CIM layer, y = CIM(x · W) (cim-numerics.md §3–§7).
//
// cimLinear() computes, for x [M,K] float32 and weights programmed on a chip (ProgrammedWeights,
// WeightProgramming.h), y [M,N] float32:
//   §3  the input scale s_x (dynamic_row: max or clip percentile of |x[m,:]| per row; static:
//       the layer's calibrated scale), xq, and the sign-magnitude DAC slices u_i;
//   §4  the partial sum P of every (row block r, input slice i, weight slice j, row m, output n)
//       over the programmed levels, plus read noise drawn in the output form §4 allows,
//       N(0, 2·sigma_r^2·r_j^2·sum_{k in r} u_i[m,k]^2) per (r, i, j, m, n);
//   §5  the ADC: `ideal` (Q(P) = P), `full` (FS = params.fullScales, by default
//       fullModeScales(): R_r·(2^a_i - 1)·r_j), `dynamic` (FS = max |P| over the outputs of
//       column block c, per (r, c, i, j, m)) or `calibrated` (the layer's FS per (i, j),
//       Calibration.h), thermal noise n_a; in `full` and `dynamic` without read, programming
//       and ADC noise every code is rint(P·qmax_a / FS) exactly, half to even;
//   §6  y = fl32(s_x·s_w) · fl32(sum_{r,i,j} 2^{o_i + p_j} Q(P)) + bias, where the sum is exact
//       (int64; in `full`/`dynamic` an exact int128 numerator over qmax_a) without noise;
//   §7  hybrid inputs: the analog path runs on l = clamp(xq, ±(2^{h-1} - 1)) and d = xq - l is
//       multiplied by Wq exactly (the digital part sees the ideal Wq, not the chip);
//   §9  every fresh draw is keyed by (seed, repeat, layer id, sample, row in sample, r, i, j, n)
//       (Philox.h), so outputs are bitwise identical for any batch split and thread count.
// In `ideal` mode the partial sums are linear in the inputs, so the kernel multiplies xq by the
// chip's effective weights W~ = sum_j 2^{p_j}(L~+_j - L~-_j) once per row block instead of once
// per slice pair, and adds the read noise of every (r, i, j) pair with its weight 2^{o_i + p_j}:
// the same numbers up to float summation order.
//
// How it is fast without changing a number: the slices of a row are kept sparse (only nonzero
// u_i[k] are applied, like a DAC that skips zero inputs), the partial sums of all weight slices
// are accumulated at once in vector registers (int16 lanes when every |P| fits, else int32),
// the fresh normals of a row are drawn in one vectorised batch (Philox.h), and the hot loops
// are compiled for AVX-512, AVX2 and baseline x86-64 with no FMA contraction, so every clone
// gives the same bits. Rows are split over threads (Parallel.h).
//
// Rows with a non-finite x give a row of NaN in y (nothing else in that row is computed).
//
// Not modelled (see docs/numerics.md): conductance drift and retention; IR drop, wire and
// sneak-path resistance; nonlinear I–V or DAC/ADC nonlinearity (INL/DNL), ADC offset and gain
// error, per-column mismatch; device-to-device variation other than the Gaussian programming
// noise, and correlated (row/column) faults; input- or conductance-dependent read noise (read
// noise is Gaussian, in units of the cell range, per cell and read); temperature; write
// endurance and write-verify; timing, latency and energy (only the counters below).
#pragma once

#include "core/Tensor.h"
#include "kernels/cim/CimParams.h"
#include "kernels/cpu/cim/WeightProgramming.h"

#include <cstdint>
#include <vector>

namespace cimlir::cpu {

/// How rows of x map to dataset samples (§9): row m is row rowOffset + (m % rowsPerSample) of
/// sample firstSample + m / rowsPerSample. Gemm and 2-D MatMul: rowsPerSample = 1. Conv: OH·OW
/// (row oy·OW + ox). N-D MatMul: the product of the middle axes. A recurrent layer's hidden
/// product reads one row per sample at a time: rowsPerSample = 1 and rowOffset the read's
/// index (docs/numerics.md, "Recurrent layers"). Sample indices count from the start of the
/// dataset, so a batch passes the index of its first sample.
struct RowMapping {
  int64_t firstSample = 0;
  int64_t rowsPerSample = 1;
  int64_t rowOffset = 0;
};

/// What one call did, for reports (sum over calls; divide by samples for "per sample"). The
/// shapes set most counts (kernels/cim/CrossbarMapping.h); the data set the active input digits,
/// the conversions of a `dynamic` ADC and the hybrid digital activity.
struct CimCounters {
  /// Rows of x: M.
  int64_t rows = 0;
  /// Input digits u_i[m,k] (§3): M·K·T; and those that are nonzero, which drive their rows
  /// (of the analog part l with hybrid inputs; a row with a NaN or infinity drives none).
  int64_t inputDigits = 0;
  int64_t activeInputDigits = 0;
  /// Input-slice vectors applied to a row block (one DAC activation of R_r rows): M·R_b·T.
  int64_t dacInputSlices = 0;
  /// Array activations: one input slice on one (row block, column block, weight slice) array:
  /// M·R_b·C_b·T·S.
  int64_t arrayReads = 0;
  /// ADC conversions made, one per (r, i, j, m, n): M·R_b·T·S·N (0 in `ideal` mode). A
  /// `dynamic` ADC makes none for an array read whose full scale is 0 (§5: its codes are 0),
  /// nor for a row with a NaN or infinity.
  int64_t adcConversions = 0;
  /// Hybrid mode: nonzero digital residuals d and all residual elements (M·K); else 0.
  int64_t digitalNonzero = 0;
  int64_t digitalElements = 0;

  /// Fraction of nonzero d (§7's digital activity); 0 when not hybrid.
  double digitalActivity() const {
    return digitalElements ? static_cast<double>(digitalNonzero) / digitalElements : 0.0;
  }
  CimCounters &operator+=(const CimCounters &o) {
    rows += o.rows;
    inputDigits += o.inputDigits;
    activeInputDigits += o.activeInputDigits;
    dacInputSlices += o.dacInputSlices;
    arrayReads += o.arrayReads;
    adcConversions += o.adcConversions;
    digitalNonzero += o.digitalNonzero;
    digitalElements += o.digitalElements;
    return *this;
  }
};

/// The counters of one call on M rows of a layer with K rows and N outputs as the shapes set
/// them: every input digit active, every conversion made, the hybrid digital activity 0.
/// Every backend starts from these and replaces the counts its data set.
CimCounters shapeCounters(int64_t M, int64_t K, int64_t N, const cim::CimParams &params);

/// Optional record of every conversion (`full` and `dynamic` modes only), for tests and
/// debugging. Entry (m, r, i, j, n) is at index(m, r, i, j, n).
struct CimTrace {
  int64_t rows = 0, rowBlocks = 0, inputSlices = 0, weightSlices = 0, cols = 0;
  std::vector<double> partialSums; ///< P with read noise (before ADC noise)
  std::vector<double> fullScales;  ///< FS of the conversion
  std::vector<int32_t> codes;      ///< the ADC code, in -qmax_a..qmax_a

  size_t index(int64_t m, int64_t r, int64_t i, int64_t j, int64_t n) const {
    return static_cast<size_t>((((m * rowBlocks + r) * inputSlices + i) * weightSlices + j) * cols +
                               n);
  }
};

/// The CIM layer: y [M,N] (pre-allocated float32) from x [M,K] float32, the programmed weights
/// and an optional bias [N] float32. `params` must have the programming fields the weights were
/// programmed with (ProgrammedWeights::sameProgramming); its other fields (inputs, crossbar,
/// adc, read noise, seed, repeat) apply to this call. Throws cimlir::Error on bad arguments.
CimCounters cimLinear(const Tensor &x, const ProgrammedWeights &weights,
                      const cim::CimParams &params, const Tensor *bias, const RowMapping &rows,
                      Tensor &y, CimTrace *trace = nullptr);

} // namespace cimlir::cpu
