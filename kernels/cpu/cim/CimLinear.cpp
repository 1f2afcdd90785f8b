#include "kernels/cpu/cim/CimLinear.h"

#include "core/Error.h"
#include "kernels/cim/Philox.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cim/ReadNoise.h"
#include "kernels/cpu/Parallel.h"
#include "kernels/cpu/cim/PartialSums.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace cimlir::cpu {

using namespace cimlir::cim;

using detail::parallelFor;

namespace {

__extension__ typedef __int128 int128;

[[noreturn]] void fail(const std::string &message) { throw Error("cim_linear: " + message); }

/// Scratch space of the fresh draws of one row (reused across rows).
struct FreshDraws {
  std::vector<PhiloxCounter> counters;
  std::vector<PhiloxBlock> blocks;
  std::vector<double> z;
  std::vector<int64_t> offset; // per (i, j): start of its normals in z, -1 if not drawn
};

/// Everything one call derives from the shapes and parameters.
struct Plan {
  int64_t M = 0, K = 0, N = 0;
  int64_t R = 0, rowBlocks = 0;            // crossbar rows, ⌈K/R⌉
  int64_t colsPerBlock = 0, colBlocks = 0; // N_c = ⌊C/2⌋, ⌈N/N_c⌉
  std::vector<int> a, o;                   // input slice widths and offsets
  std::vector<int> b, p;                   // weight slice widths and offsets
  int T = 0, S = 0;
  int32_t qmaxAdc = 0;
  std::vector<int64_t> fullScales;         // `full` mode, per (r, i, j)
  std::vector<float> calibratedFullScales; // `calibrated` mode, per (i, j)
  bool hybrid = false;
  AdcMode mode = AdcMode::Full;
  double sigmaRead = 0.0;   // sigma_r
  double sigmaAdcLsb = 0.0; // sigma_a / sqrt(S): the ADC noise in LSB after averaging
  bool noisyLevels = false; // programming noise: float levels
  bool exact = false;       // integer partial sums, full scales and codes
  RowMapping rows;
  PhiloxKey freshKey{};
  NormalTransform normals = NormalTransform::Exact;

  int64_t rowBegin(int64_t r) const { return r * R; }
  int64_t rowEnd(int64_t r) const { return std::min(K, (r + 1) * R); }
  uint32_t sample(int64_t m) const {
    return static_cast<uint32_t>(rows.firstSample + m / rows.rowsPerSample);
  }
  uint32_t rowInSample(int64_t m) const {
    return static_cast<uint32_t>(rows.rowOffset + m % rows.rowsPerSample);
  }
  int32_t cellRange(int j) const { return (int32_t(1) << b[j]) - 1; }
  int64_t fullScale(int64_t r, int i, int j) const { return fullScales[(r * T + i) * S + j]; }

  /// 2^shift as a double, shift = o_i + p_j (scaling by it is exact, like ldexp).
  double pow2(int shift) const { return std::ldexp(1.0, shift); }
  /// Blocks of one (i, j) draw: the fresh counters cover outputs in fours (§9).
  int64_t blocksPerPair() const { return (N + 3) / 4; }

  /// The fresh standard normals of one (kind, r, m) for the (i, j) pairs whose input slice i
  /// is `active`: pair (i, j)'s normal of output n is draws.z[draws.offset[i·S + j] + n].
  /// Drawn in one batch (Philox.h), so the numbers are those of §9's layout.
  void drawFresh(FreshKind kind, int64_t r, int64_t m, const std::vector<uint8_t> &active,
                 FreshDraws &draws) const {
    const int64_t nb = blocksPerPair();
    draws.offset.assign(static_cast<size_t>(T * S), -1);
    int64_t used = 0;
    for (int i = 0; i < T; ++i)
      used += active[i] ? S * nb : 0;
    draws.counters.resize(static_cast<size_t>(used));
    PhiloxCounter *counter = draws.counters.data();
    for (int i = 0; i < T; ++i) {
      if (!active[i])
        continue;
      for (int j = 0; j < S; ++j) {
        draws.offset[i * S + j] = (counter - draws.counters.data()) * 4;
        const PhiloxCounter first =
            freshCounter(kind, sample(m), rowInSample(m), static_cast<uint32_t>(r), i, j, 0);
        for (int64_t block = 0; block < nb; ++block, ++counter)
          *counter = {first[0], first[1], static_cast<uint32_t>(block), first[3]};
      }
    }
    const int64_t count = static_cast<int64_t>(draws.counters.size());
    draws.blocks.resize(static_cast<size_t>(count));
    draws.z.resize(static_cast<size_t>(count * 4));
    philoxBlocks(draws.counters.data(), count, freshKey, draws.blocks.data());
    if (normals == NormalTransform::Fast)
      fastNormalsFromBlocks(draws.blocks.data(), count, draws.z.data());
    else
      normalsFromBlocks(draws.blocks.data(), count, draws.z.data());
  }
};

/// §3 and §7 for every row: s_x, the analog inputs l, and the exact digital part d·Wq.
struct Inputs {
  std::vector<float> scale;     // s_x[m]
  std::vector<uint8_t> finite;  // row m has only finite values
  std::vector<int16_t> analog;  // l [M,K] (= xq without hybrid)
  std::vector<int64_t> digital; // d·Wq [M,N], hybrid only
  std::vector<int64_t> digitalNonzeroPerRow;
  std::vector<int64_t> activeDigitsPerRow; // nonzero u_i[m,k] of l
};

/// The nonzero input digits u_i (§3) of one row's analog inputs l [K].
int64_t activeDigits(const Plan &plan, const int16_t *l) {
  int64_t count = 0;
  for (int64_t k = 0; k < plan.K; ++k) {
    const int magnitude = std::abs(static_cast<int>(l[k]));
    if (magnitude == 0)
      continue;
    for (int i = 0; i < plan.T; ++i)
      count += ((magnitude >> plan.o[i]) & ((1 << plan.a[i]) - 1)) != 0;
  }
  return count;
}

Inputs quantizeInputs(const Plan &plan, const CimParams &params, const QuantizedWeights &wq,
                      const float *x) {
  const int64_t M = plan.M, K = plan.K, N = plan.N;
  Inputs in;
  in.scale.assign(M, 1.0f);
  in.finite.assign(M, 1);
  in.analog.assign(static_cast<size_t>(M * K), 0);
  in.digitalNonzeroPerRow.assign(M, 0);
  in.activeDigitsPerRow.assign(M, 0);
  if (plan.hybrid)
    in.digital.assign(static_cast<size_t>(M * N), 0);
  parallelFor(M, std::max<int64_t>(1, 4096 / std::max<int64_t>(K, 1)), [&](int64_t m0, int64_t m1) {
    std::vector<int32_t> residual(static_cast<size_t>(K));
    for (int64_t m = m0; m < m1; ++m) {
      const float *row = x + m * K;
      if (!std::all_of(row, row + K, [](float v) { return std::isfinite(v); })) {
        in.finite[m] = 0;
        continue;
      }
      in.scale[m] = quantizeInputRow(row, K, params, in.analog.data() + m * K, residual.data());
      in.activeDigitsPerRow[m] = activeDigits(plan, in.analog.data() + m * K);
      if (!plan.hybrid)
        continue;
      int64_t *dig = in.digital.data() + m * N;
      for (int64_t k = 0; k < K; ++k) {
        if (residual[k] == 0)
          continue;
        ++in.digitalNonzeroPerRow[m];
        for (int64_t n = 0; n < N; ++n)
          dig[n] += static_cast<int64_t>(residual[k]) * wq.at(k, n);
      }
    }
  });
  return in;
}

/// The recombination sums of §6 for every (m, n), in the exact form when there is one.
struct Sums {
  enum class Kind { Int64, Int128, Double } kind = Kind::Double;
  std::vector<int64_t> i64; // ideal, noise-free: xq·W~
  std::vector<int128> i128; // integer codes (`full`; noise-free `dynamic`): numerator over qmax_a
  std::vector<double> f64;  // with noise
  /// `dynamic` ADC: the conversions each row made (none where FS is 0).
  std::vector<int64_t> dynamicConversions;
};

/// The per-row-block operands, shared by all rows: the chip's effective weights W~ (ideal
/// ADC, §6 applied to the levels directly) or every slice's levels (full/dynamic).
struct BlockOperands {
  std::vector<int32_t> wInt;         // ideal: W~ [R_r, N]
  std::vector<double> wDouble;       // ideal with programming noise
  std::optional<SliceLevels> levels; // full/dynamic
};

BlockOperands loadBlock(const Plan &plan, const ProgrammedWeights &w, int64_t k0, int64_t k1) {
  BlockOperands ops;
  if (plan.mode != AdcMode::Ideal) {
    ops.levels.emplace(w, k0, k1, *std::max_element(plan.a.begin(), plan.a.end()));
    return ops;
  }
  const size_t count = static_cast<size_t>((k1 - k0) * plan.N);
  if (plan.noisyLevels) {
    ops.wDouble.resize(count);
    w.effectiveWeights(k0, k1, ops.wDouble.data());
  } else {
    ops.wInt.resize(count);
    w.effectiveWeights(k0, k1, ops.wInt.data());
  }
  return ops;
}

/// Ideal ADC (Q(P) = P) for rows [m0, m1) and row block r: sum_{i,j} 2^{o_i+p_j} P equals
/// l · W~ over the block plus the weighted read noise of every (i, j) pair.
CIMLIR_VECTOR_CLONES
void idealRowBlock(const Plan &plan, const Inputs &in, const BlockOperands &ops, int64_t r,
                   int64_t m0, int64_t m1, Sums &sums) {
  const int64_t N = plan.N, k0 = plan.rowBegin(r), k1 = plan.rowEnd(r);
  DacSlices slices(plan.a, plan.o, k1 - k0);
  FreshDraws draws;
  for (int64_t m = m0; m < m1; ++m) {
    if (!in.finite[m])
      continue;
    const int16_t *l = in.analog.data() + m * plan.K;
    if (sums.kind == Sums::Kind::Int64) {
      int64_t *acc = sums.i64.data() + m * N;
      for (int64_t k = k0; k < k1; ++k) {
        if (l[k] == 0)
          continue;
        const int32_t *w = ops.wInt.data() + (k - k0) * N;
        for (int64_t n = 0; n < N; ++n)
          acc[n] += static_cast<int64_t>(l[k]) * w[n];
      }
      continue;
    }
    double *acc = sums.f64.data() + m * N;
    for (int64_t k = k0; k < k1; ++k) {
      if (l[k] == 0)
        continue;
      if (plan.noisyLevels) {
        const double *w = ops.wDouble.data() + (k - k0) * N;
        for (int64_t n = 0; n < N; ++n)
          acc[n] += l[k] * w[n];
      } else {
        const int32_t *w = ops.wInt.data() + (k - k0) * N;
        for (int64_t n = 0; n < N; ++n)
          acc[n] += static_cast<double>(static_cast<int64_t>(l[k]) * w[n]);
      }
    }
    if (plan.sigmaRead == 0.0)
      continue;
    slices.slice(l + k0, k1 - k0);
    plan.drawFresh(FreshKind::ReadNoise, r, m, slices.activeMask(), draws);
    for (int i = 0; i < plan.T; ++i) {
      if (!slices.active(i))
        continue;
      for (int j = 0; j < plan.S; ++j) {
        const double sd =
            readNoiseDeviation(slices.sumSquares(i), plan.sigmaRead, plan.cellRange(j));
        const double weight = plan.pow2(plan.o[i] + plan.p[j]);
        const double *z = draws.z.data() + draws.offset[i * plan.S + j];
        for (int64_t n = 0; n < N; ++n)
          acc[n] += weight * (sd * z[n]);
      }
    }
  }
}

/// `full` and `dynamic` ADC for rows [m0, m1) and row block r: every (i, j) partial sum, its
/// read noise, full scale, code and weighted contribution. Compiled for several x86-64
/// levels (Philox.h's CIMLIR_VECTOR_CLONES; no FMA contraction, so the same bits on each).
CIMLIR_VECTOR_CLONES
void adcRowBlock(const Plan &plan, const Inputs &in, const BlockOperands &ops, int64_t r,
                 int64_t m0, int64_t m1, Sums &sums, CimTrace *trace) {
  const int64_t N = plan.N, SN = plan.S * N, k0 = plan.rowBegin(r), k1 = plan.rowEnd(r),
                rows = k1 - k0;
  const int32_t qA = plan.qmaxAdc;
  const bool readNoise = plan.sigmaRead > 0.0, adcNoise = plan.sigmaAdcLsb > 0.0;
  DacSlices slices(plan.a, plan.o, rows);
  const std::vector<uint8_t> &active = slices.activeMask();
  const std::vector<uint8_t> all(plan.T, 1);
  const SliceLevels &levels = *ops.levels;
  std::vector<int32_t> pInt(static_cast<size_t>(plan.T * SN));
  std::vector<double> pNoisy(plan.exact ? 0 : static_cast<size_t>(plan.T * SN));
  std::vector<double> p(static_cast<size_t>(N)), code(static_cast<size_t>(N));
  FreshDraws readDraws, adcDraws;
  for (int64_t m = m0; m < m1; ++m) {
    if (!in.finite[m])
      continue;
    slices.slice(in.analog.data() + m * plan.K + k0, rows);

    // §4: the partial sums of every (i, j) (PartialSums.h): exact integers without
    // programming noise, else double.
    if (levels.integer()) {
      levels.partialSums(slices, pInt.data());
      if (!plan.exact)
        std::copy(pInt.begin(), pInt.end(), pNoisy.begin());
    } else {
      levels.partialSums(slices, pNoisy.data());
    }
    if (readNoise)
      plan.drawFresh(FreshKind::ReadNoise, r, m, active, readDraws);
    if (adcNoise)
      plan.drawFresh(FreshKind::AdcNoise, r, m, all, adcDraws);

    for (int i = 0; i < plan.T; ++i)
      for (int j = 0; j < plan.S; ++j) {
        // A silent input slice gives P = 0 exactly (no read noise: its variance is 0), so
        // every code is 0 unless ADC noise can move it.
        if (!active[i] && !adcNoise && !trace)
          continue;
        const int pair = i * plan.S + j;
        const double weight = plan.pow2(plan.o[i] + plan.p[j]);
        // §5: one full scale per (r, i, j) (`full`), per (r, c, i, j, m) (`dynamic`) or per
        // (i, j) from calibration (`calibrated`).
        const int64_t fullFs = plan.fullScale(r, i, j);
        if (plan.exact) {
          const int32_t *pij = pInt.data() + i * SN + j * N;
          const int shift = plan.o[i] + plan.p[j];
          int128 *acc = sums.i128.data() + m * N;
          for (int64_t c = 0; c < plan.colBlocks; ++c) {
            const int64_t n0 = c * plan.colsPerBlock, n1 = std::min(N, n0 + plan.colsPerBlock);
            int64_t fs = fullFs;
            if (plan.mode == AdcMode::Dynamic) {
              fs = 0;
              for (int64_t n = n0; n < n1; ++n)
                fs = std::max<int64_t>(fs, std::abs(static_cast<int64_t>(pij[n])));
              sums.dynamicConversions[m] += fs > 0 ? n1 - n0 : 0;
            }
            for (int64_t n = n0; n < n1; ++n) {
              int64_t code = 0;
              if (fs > 0)
                code = std::clamp<int64_t>(roundDivHalfEven(static_cast<int64_t>(pij[n]) * qA, fs),
                                           -qA, qA);
              acc[n] += static_cast<int128>(code) * fs * (int128(1) << shift);
              if (trace) {
                size_t t = trace->index(m, r, i, j, n);
                trace->partialSums[t] = pij[n];
                trace->fullScales[t] = static_cast<double>(fs);
                trace->codes[t] = static_cast<int32_t>(code);
              }
            }
          }
          continue;
        }
        // With noise: P (+ read noise), then the ADC in double.
        const double *pij = pNoisy.data() + i * SN + j * N;
        if (readNoise && active[i]) {
          const double sd =
              readNoiseDeviation(slices.sumSquares(i), plan.sigmaRead, plan.cellRange(j));
          const double *z = readDraws.z.data() + readDraws.offset[pair];
          for (int64_t n = 0; n < N; ++n)
            p[n] = pij[n] + sd * z[n];
        } else {
          std::copy(pij, pij + N, p.begin());
        }
        const double *za = adcNoise ? adcDraws.z.data() + adcDraws.offset[pair] : nullptr;
        double *acc = sums.f64.empty() ? nullptr : sums.f64.data() + m * N;
        for (int64_t c = 0; c < plan.colBlocks; ++c) {
          const int64_t n0 = c * plan.colsPerBlock, n1 = std::min(N, n0 + plan.colsPerBlock);
          double fs = plan.mode == AdcMode::Calibrated
                          ? static_cast<double>(plan.calibratedFullScales[pair])
                          : static_cast<double>(fullFs);
          if (plan.mode == AdcMode::Dynamic) {
            fs = 0.0;
            for (int64_t n = n0; n < n1; ++n)
              fs = std::max(fs, std::fabs(p[n]));
            sums.dynamicConversions[m] += fs > 0.0 ? n1 - n0 : 0;
          }
          const double delta = fs / qA, limit = static_cast<double>(qA);
          for (int64_t n = n0; n < n1; ++n) {
            const double noisy = za ? p[n] + plan.sigmaAdcLsb * delta * za[n] : p[n];
            code[n] = fs > 0.0 ? std::clamp(std::nearbyint(noisy / delta), -limit, limit) : 0.0;
          }
          if (fs > 0.0 && sums.kind == Sums::Kind::Int128) {
            // An integer FS (`full`): the exact numerator, as without noise.
            int128 *exact = sums.i128.data() + m * N;
            const int shift = plan.o[i] + plan.p[j];
            for (int64_t n = n0; n < n1; ++n)
              exact[n] += static_cast<int128>(code[n]) * fullFs * (int128(1) << shift);
          } else if (fs > 0.0) {
            for (int64_t n = n0; n < n1; ++n)
              acc[n] += (delta * code[n]) * weight;
          }
          if (trace)
            for (int64_t n = n0; n < n1; ++n) {
              size_t t = trace->index(m, r, i, j, n);
              trace->partialSums[t] = p[n];
              trace->fullScales[t] = fs;
              trace->codes[t] = static_cast<int32_t>(code[n]);
            }
        }
      }
  }
}

Plan makePlan(const Tensor &x, const ProgrammedWeights &w, const CimParams &params,
              const RowMapping &rows) {
  Plan plan;
  plan.M = x.dim(0);
  plan.K = x.dim(1);
  plan.N = w.cols();
  plan.R = params.crossbar.rows;
  plan.rowBlocks = rowBlockCount(plan.K, plan.R);
  plan.colsPerBlock = params.crossbar.cols / 2;
  plan.colBlocks = colBlockCount(plan.N, params.crossbar.cols);
  plan.a = params.inputs.slices;
  plan.o = sliceOffsets(plan.a);
  plan.b = w.sliceWidths();
  plan.p = w.sliceOffsets();
  plan.T = static_cast<int>(plan.a.size());
  plan.S = static_cast<int>(plan.b.size());
  plan.hybrid = params.inputs.hybridAnalogBits != 0;
  plan.qmaxAdc = symmetricQmax(params.adc.bits);
  plan.mode = params.adc.mode;
  plan.sigmaRead = params.noise.read;
  plan.sigmaAdcLsb = plan.mode == AdcMode::Ideal
                         ? 0.0
                         : params.adc.noiseLsb / std::sqrt(static_cast<double>(params.adc.samples));
  plan.noisyLevels = !w.integerLevels();
  // Calibrated full scales are percentiles (not integers): that mode always takes the double
  // path of the ADC.
  plan.exact = plan.sigmaRead == 0.0 && !plan.noisyLevels && plan.sigmaAdcLsb == 0.0 &&
               plan.mode != AdcMode::Calibrated;
  plan.fullScales = params.fullScales.empty() ? fullModeScales(plan.K, plan.R, plan.a, plan.b)
                                              : params.fullScales;
  plan.calibratedFullScales = params.calibratedFullScales;
  plan.rows = rows;
  plan.freshKey = freshKey(params.noise.seed, params.repeat, params.layerId);
  plan.normals = params.noise.normals;
  return plan;
}

void checkArguments(const Tensor &x, const ProgrammedWeights &w, const CimParams &params,
                    const Tensor *bias, const RowMapping &rows, const Tensor &y) {
  validateCimParams(params, "cim_linear");
  if (!w.sameProgramming(params))
    fail("the weights were programmed with other weights.*, noise.program, noise.stuck_at_*, "
         "noise.chip_seed or layer id than this call's parameters; program them again");
  if (x.dtype() != DType::F32 || x.rank() != 2 || !x.defined())
    fail("x must be a float32 matrix [M,K], got " + std::string(dtypeName(x.dtype())) + " " +
         shapeToString(x.shape()));
  if (x.dim(1) != w.rows())
    fail("x " + shapeToString(x.shape()) + " has K = " + std::to_string(x.dim(1)) +
         ", the weights have " + std::to_string(w.rows()) + " rows");
  if (y.dtype() != DType::F32 || y.shape() != Shape{x.dim(0), w.cols()} || !y.defined())
    fail("y must be a float32 [" + std::to_string(x.dim(0)) + "," + std::to_string(w.cols()) +
         "] tensor, got " + describeTensor(y));
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{w.cols()} || !bias->defined()))
    fail("bias must be float32 [" + std::to_string(w.cols()) + "], got " + describeTensor(*bias));
  const int64_t limit = int64_t(1) << 32;
  if (rows.rowsPerSample < 1 || rows.rowsPerSample > limit || rows.firstSample < 0 ||
      rows.rowOffset < 0 || rows.rowOffset > limit - rows.rowsPerSample)
    fail("row mapping needs firstSample >= 0, 1 <= rowsPerSample and 0 <= rowOffset with "
         "rowOffset + rowsPerSample <= 2^32, got " +
         std::to_string(rows.firstSample) + ", " + std::to_string(rows.rowsPerSample) + ", " +
         std::to_string(rows.rowOffset));
  if (x.dim(0) > 0 && rows.firstSample + (x.dim(0) - 1) / rows.rowsPerSample >= limit)
    fail("sample index exceeds 2^32 - 1 (the fresh-noise counters of Philox.h)");
  int64_t rowBlocks = rowBlockCount(x.dim(1), params.crossbar.rows);
  if (rowBlocks >= (int64_t(1) << 22))
    fail("K = " + std::to_string(x.dim(1)) + " gives " + std::to_string(rowBlocks) +
         " row blocks, at most 2^22 - 1 supported (the fresh-noise counters of Philox.h)");
  validateFullScales(params, x.dim(1), static_cast<size_t>(w.sliceCount()), "cim_linear");
}

} // namespace

CimCounters shapeCounters(int64_t M, int64_t K, int64_t N, const CimParams &params) {
  const CrossbarMapping mapping = CrossbarMapping::of(K, N, params);
  CimCounters counters;
  counters.rows = M;
  counters.inputDigits = mapping.inputDigits(M);
  counters.activeInputDigits = counters.inputDigits;
  counters.dacInputSlices = mapping.dacInputSlices(M);
  counters.arrayReads = mapping.arrayReads(M);
  counters.adcConversions = mapping.adcConversions(M);
  return counters;
}

CimCounters cimLinear(const Tensor &x, const ProgrammedWeights &weights, const CimParams &params,
                      const Tensor *bias, const RowMapping &rows, Tensor &y, CimTrace *trace) {
  checkArguments(x, weights, params, bias, rows, y);
  const Plan plan = makePlan(x, weights, params, rows);
  const int64_t M = plan.M, N = plan.N;

  const Inputs in = quantizeInputs(plan, params, weights.quantized(), x.data<float>());

  // §6's sum exactly where the codes and full scales are integers: `full` mode (read and ADC
  // noise move a code, not the integer FS) and noise-free `dynamic` mode; else in double.
  Sums sums;
  if (plan.exact && plan.mode == AdcMode::Ideal)
    sums.kind = Sums::Kind::Int64;
  else if (plan.exact || plan.mode == AdcMode::Full)
    sums.kind = Sums::Kind::Int128;
  const size_t outputs = static_cast<size_t>(M * N);
  if (plan.mode == AdcMode::Dynamic)
    sums.dynamicConversions.assign(static_cast<size_t>(M), 0);
  switch (sums.kind) {
  case Sums::Kind::Int64:
    sums.i64.assign(outputs, 0);
    break;
  case Sums::Kind::Int128:
    sums.i128.assign(outputs, 0);
    break;
  case Sums::Kind::Double:
    sums.f64.assign(outputs, 0.0);
    break;
  }

  if (trace) {
    *trace = CimTrace{};
    trace->rows = M;
    trace->rowBlocks = plan.rowBlocks;
    trace->inputSlices = plan.T;
    trace->weightSlices = plan.S;
    trace->cols = N;
    if (plan.mode != AdcMode::Ideal) {
      size_t entries = static_cast<size_t>(M * plan.rowBlocks * plan.T * plan.S * N);
      trace->partialSums.assign(entries, 0.0);
      trace->fullScales.assign(entries, 0.0);
      trace->codes.assign(entries, 0);
    }
  }

  for (int64_t r = 0; r < plan.rowBlocks; ++r) {
    const BlockOperands ops = loadBlock(plan, weights, plan.rowBegin(r), plan.rowEnd(r));
    const int64_t work =
        std::max<int64_t>(1, (plan.rowEnd(r) - plan.rowBegin(r)) * N *
                                 (plan.mode == AdcMode::Ideal ? 1 : plan.T * plan.S));
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / work);
    parallelFor(M, grain, [&](int64_t m0, int64_t m1) {
      if (plan.mode == AdcMode::Ideal)
        idealRowBlock(plan, in, ops, r, m0, m1, sums);
      else
        adcRowBlock(plan, in, ops, r, m0, m1, sums, trace);
    });
  }

  // §6: y = fl32(s_x·s_w) · fl32(sum) + bias.
  const QuantizedWeights &wq = weights.quantized();
  const float *b = bias ? bias->data<float>() : nullptr;
  float *out = y.data<float>();
  const int64_t qA = plan.qmaxAdc;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      const size_t idx = static_cast<size_t>(m * N + n);
      if (!in.finite[m]) {
        out[idx] = std::numeric_limits<float>::quiet_NaN();
        continue;
      }
      const int64_t digital = plan.hybrid ? in.digital[idx] : 0;
      float sum = 0.0f;
      switch (sums.kind) {
      case Sums::Kind::Int64:
        sum = static_cast<float>(sums.i64[idx] + digital);
        break;
      case Sums::Kind::Int128: {
        int128 numerator = sums.i128[idx] + static_cast<int128>(digital) * qA;
        sum = static_cast<float>(static_cast<double>(numerator) / static_cast<double>(qA));
        break;
      }
      case Sums::Kind::Double:
        sum = static_cast<float>(sums.f64[idx] + static_cast<double>(digital));
        break;
      }
      const float scale = in.scale[m] * wq.scale(n);
      const float product = scale * sum;
      out[idx] = b ? product + b[n] : product;
    }

  CimCounters counters = shapeCounters(M, plan.K, N, params);
  counters.activeInputDigits = 0;
  for (int64_t m = 0; m < M; ++m)
    counters.activeInputDigits += in.activeDigitsPerRow[m];
  if (plan.mode == AdcMode::Dynamic) {
    counters.adcConversions = 0;
    for (int64_t m = 0; m < M; ++m)
      counters.adcConversions += sums.dynamicConversions[m];
  }
  if (plan.hybrid) {
    counters.digitalElements = M * plan.K;
    for (int64_t m = 0; m < M; ++m)
      counters.digitalNonzero += in.digitalNonzeroPerRow[m];
  }
  return counters;
}

} // namespace cimlir::cpu
