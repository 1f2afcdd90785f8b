#include "kernels/cpu/cim/CimLinear.h"

#include "kernels/cpu/cim/Parallel.h"
#include "kernels/cpu/cim/Philox.h"
#include "kernels/cpu/cim/Quantization.h"
#include "runtime/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace cimlir::cpu::cim {

using detail::parallelFor;

namespace {

__extension__ typedef __int128 int128;

[[noreturn]] void fail(const std::string &message) { throw Error("cim_linear: " + message); }

/// u_i of §3: sign(v) · ((|v| >> offset) & (2^width - 1)).
inline int32_t signMagnitudeSlice(int32_t v, int offset, int width) {
  int32_t magnitude = ((v < 0 ? -v : v) >> offset) & ((int32_t(1) << width) - 1);
  return v < 0 ? -magnitude : magnitude;
}

/// Everything one call derives from the shapes and parameters.
struct Plan {
  int64_t M = 0, K = 0, N = 0;
  int64_t R = 0, rowBlocks = 0;            // crossbar rows, ⌈K/R⌉
  int64_t colsPerBlock = 0, colBlocks = 0; // N_c = ⌊C/2⌋, ⌈N/N_c⌉
  std::vector<int> a, o;                   // input slice widths and offsets
  std::vector<int> b, p;                   // weight slice widths and offsets
  int T = 0, S = 0;
  int32_t qmaxX = 0, qmaxAnalog = 0, qmaxAdc = 0;
  bool hybrid = false;
  AdcMode mode = AdcMode::Full;
  double sigmaRead = 0.0;   // sigma_r
  double sigmaAdcLsb = 0.0; // sigma_a / sqrt(S): the ADC noise in LSB after averaging
  bool noisyLevels = false; // programming noise: float levels
  bool exact = false;       // integer partial sums, full scales and codes
  std::vector<int64_t> fullScales; // `full` mode, per (r, i, j)
  RowMapping rows;
  PhiloxKey freshKey{};

  int64_t rowBegin(int64_t r) const { return r * R; }
  int64_t rowEnd(int64_t r) const { return std::min(K, (r + 1) * R); }
  uint32_t sample(int64_t m) const {
    return static_cast<uint32_t>(rows.firstSample + m / rows.rowsPerSample);
  }
  uint32_t rowInSample(int64_t m) const { return static_cast<uint32_t>(m % rows.rowsPerSample); }
  int32_t cellRange(int j) const { return (int32_t(1) << b[j]) - 1; }
  int64_t fullScale(int64_t r, int i, int j) const { return fullScales[(r * T + i) * S + j]; }

  /// Fresh standard normals of outputs [0, N) of one (kind, r, i, j, m) draw (§9).
  void freshNormals(FreshKind kind, int64_t r, int i, int j, int64_t m, double *z) const {
    for (int64_t n0 = 0; n0 < N; n0 += 4) {
      PhiloxBlock block =
          philox4x32_10(freshCounter(kind, sample(m), rowInSample(m), static_cast<uint32_t>(r), i,
                                     j, static_cast<uint32_t>(n0)),
                        freshKey);
      std::array<double, 4> normals = normals4(block);
      for (int64_t t = 0; t < 4 && n0 + t < N; ++t)
        z[n0 + t] = normals[t];
    }
  }
};

/// §3 and §7 for every row: s_x, the analog inputs l, and the exact digital part d·Wq.
struct Inputs {
  std::vector<float> scale;     // s_x[m]
  std::vector<uint8_t> finite;  // row m has only finite values
  std::vector<int16_t> analog;  // l [M,K] (= xq without hybrid)
  std::vector<int64_t> digital; // d·Wq [M,N], hybrid only
  std::vector<int64_t> digitalNonzeroPerRow;
};

Inputs quantizeInputs(const Plan &plan, const CimParams &params, const QuantizedWeights &wq,
                      const float *x) {
  const int64_t M = plan.M, K = plan.K, N = plan.N;
  Inputs in;
  in.scale.assign(M, 1.0f);
  in.finite.assign(M, 1);
  in.analog.assign(static_cast<size_t>(M * K), 0);
  in.digitalNonzeroPerRow.assign(M, 0);
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
      float s = symmetricScale(clipValue(row, K, 1, params.inputs.clipPercentile), plan.qmaxX);
      in.scale[m] = s;
      int16_t *l = in.analog.data() + m * K;
      for (int64_t k = 0; k < K; ++k) {
        int32_t xq = quantizeSymmetric(row[k], s, plan.qmaxX);
        int32_t analog = std::clamp(xq, -plan.qmaxAnalog, plan.qmaxAnalog);
        l[k] = static_cast<int16_t>(analog);
        residual[k] = xq - analog;
      }
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
  std::vector<int128> i128; // full/dynamic, noise-free: numerator over qmax_a
  std::vector<double> f64;  // with noise
};

/// The per-row-block operands, shared by all rows.
struct BlockOperands {
  std::vector<int32_t> wInt;              // ideal: W~ [R_r, N]
  std::vector<double> wDouble;            // ideal with programming noise
  std::vector<std::vector<int8_t>> dInt;  // full/dynamic: L~+ - L~- per slice [R_r, N]
  std::vector<std::vector<float>> dFloat; // full/dynamic with programming noise
};

BlockOperands loadBlock(const Plan &plan, const ProgrammedWeights &w, int64_t k0, int64_t k1) {
  BlockOperands ops;
  const size_t count = static_cast<size_t>((k1 - k0) * plan.N);
  if (plan.mode == AdcMode::Ideal) {
    if (plan.noisyLevels) {
      ops.wDouble.resize(count);
      w.effectiveWeights(k0, k1, ops.wDouble.data());
    } else {
      ops.wInt.resize(count);
      w.effectiveWeights(k0, k1, ops.wInt.data());
    }
    return ops;
  }
  for (int j = 0; j < plan.S; ++j) {
    if (plan.noisyLevels) {
      ops.dFloat.emplace_back(count);
      w.differentialLevels(j, k0, k1, ops.dFloat.back().data());
    } else {
      ops.dInt.emplace_back(count);
      w.differentialLevels(j, k0, k1, ops.dInt.back().data());
    }
  }
  return ops;
}

/// Slices u_i of the analog inputs of row m over rows [k0, k1) of row block r, and their
/// sums of squares (for the read-noise variance).
void sliceInputs(const Plan &plan, const int16_t *l, int64_t k0, int64_t k1,
                 std::vector<std::vector<int8_t>> &u, std::vector<int64_t> &sumSquares) {
  for (int i = 0; i < plan.T; ++i) {
    u[i].resize(static_cast<size_t>(k1 - k0));
    int64_t ss = 0;
    for (int64_t k = k0; k < k1; ++k) {
      int32_t v = signMagnitudeSlice(l[k], plan.o[i], plan.a[i]);
      u[i][k - k0] = static_cast<int8_t>(v);
      ss += static_cast<int64_t>(v) * v;
    }
    sumSquares[i] = ss;
  }
}

/// Ideal ADC (Q(P) = P) for rows [m0, m1) and row block r: sum_{i,j} 2^{o_i+p_j} P equals
/// l · W~ over the block plus the weighted read noise of every (i, j) pair.
void idealRowBlock(const Plan &plan, const Inputs &in, const BlockOperands &ops, int64_t r,
                   int64_t m0, int64_t m1, Sums &sums) {
  const int64_t N = plan.N, k0 = plan.rowBegin(r), k1 = plan.rowEnd(r);
  std::vector<std::vector<int8_t>> u(plan.T);
  std::vector<int64_t> sumSquares(plan.T);
  std::vector<double> z(static_cast<size_t>(N));
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
    sliceInputs(plan, l, k0, k1, u, sumSquares);
    for (int i = 0; i < plan.T; ++i) {
      if (sumSquares[i] == 0)
        continue;
      for (int j = 0; j < plan.S; ++j) {
        double sd = std::sqrt(2.0 * static_cast<double>(sumSquares[i])) * plan.sigmaRead *
                    plan.cellRange(j);
        double weight = std::ldexp(1.0, plan.o[i] + plan.p[j]);
        plan.freshNormals(FreshKind::ReadNoise, r, i, j, m, z.data());
        for (int64_t n = 0; n < N; ++n)
          acc[n] += weight * (sd * z[n]);
      }
    }
  }
}

/// `full` and `dynamic` ADC for rows [m0, m1) and row block r: every (i, j) partial sum, its
/// read noise, full scale, code and weighted contribution.
void adcRowBlock(const Plan &plan, const Inputs &in, const BlockOperands &ops, int64_t r,
                 int64_t m0, int64_t m1, Sums &sums, CimTrace *trace) {
  const int64_t N = plan.N, k0 = plan.rowBegin(r), k1 = plan.rowEnd(r), rows = k1 - k0;
  const int32_t qA = plan.qmaxAdc;
  std::vector<std::vector<int8_t>> u(plan.T);
  std::vector<int64_t> sumSquares(plan.T);
  std::vector<int32_t> pInt(static_cast<size_t>(N));
  std::vector<double> pDouble(static_cast<size_t>(N)), z(static_cast<size_t>(N));
  std::vector<double> adcNoise(static_cast<size_t>(N));
  for (int64_t m = m0; m < m1; ++m) {
    if (!in.finite[m])
      continue;
    sliceInputs(plan, in.analog.data() + m * plan.K, k0, k1, u, sumSquares);
    for (int i = 0; i < plan.T; ++i)
      for (int j = 0; j < plan.S; ++j) {
        // §4: P = sum_k u_i[k] · (L~+ - L~-)[k, n], exact in int32 for integer levels.
        if (!plan.noisyLevels) {
          std::fill(pInt.begin(), pInt.end(), 0);
          for (int64_t k = 0; k < rows; ++k) {
            int32_t uk = u[i][k];
            if (uk == 0)
              continue;
            const int8_t *d = ops.dInt[j].data() + k * N;
            for (int64_t n = 0; n < N; ++n)
              pInt[n] += uk * d[n];
          }
          for (int64_t n = 0; n < N; ++n)
            pDouble[n] = pInt[n];
        } else {
          std::fill(pDouble.begin(), pDouble.end(), 0.0);
          for (int64_t k = 0; k < rows; ++k) {
            int32_t uk = u[i][k];
            if (uk == 0)
              continue;
            const float *d = ops.dFloat[j].data() + k * N;
            for (int64_t n = 0; n < N; ++n)
              pDouble[n] += uk * static_cast<double>(d[n]);
          }
        }
        if (plan.sigmaRead > 0.0 && sumSquares[i] > 0) {
          double sd = std::sqrt(2.0 * static_cast<double>(sumSquares[i])) * plan.sigmaRead *
                      plan.cellRange(j);
          plan.freshNormals(FreshKind::ReadNoise, r, i, j, m, z.data());
          for (int64_t n = 0; n < N; ++n)
            pDouble[n] += sd * z[n];
        }
        if (plan.sigmaAdcLsb > 0.0)
          plan.freshNormals(FreshKind::AdcNoise, r, i, j, m, adcNoise.data());

        // §5: one full scale per (r, i, j) (`full`) or per (r, c, i, j, m) (`dynamic`).
        const int shift = plan.o[i] + plan.p[j];
        const int64_t fullFs = plan.fullScale(r, i, j);
        for (int64_t c = 0; c < plan.colBlocks; ++c) {
          const int64_t n0 = c * plan.colsPerBlock, n1 = std::min(N, n0 + plan.colsPerBlock);
          if (plan.exact) {
            int64_t fs = fullFs;
            if (plan.mode == AdcMode::Dynamic) {
              fs = 0;
              for (int64_t n = n0; n < n1; ++n)
                fs = std::max<int64_t>(fs, std::abs(static_cast<int64_t>(pInt[n])));
            }
            int128 *acc = sums.i128.data() + m * N;
            for (int64_t n = n0; n < n1; ++n) {
              int64_t code = 0;
              if (fs > 0)
                code = std::clamp<int64_t>(roundDivHalfEven(static_cast<int64_t>(pInt[n]) * qA, fs),
                                           -qA, qA);
              acc[n] += static_cast<int128>(code) * fs * (int128(1) << shift);
              if (trace) {
                size_t t = trace->index(m, r, i, j, n);
                trace->partialSums[t] = pInt[n];
                trace->fullScales[t] = static_cast<double>(fs);
                trace->codes[t] = static_cast<int32_t>(code);
              }
            }
            continue;
          }
          double fs = static_cast<double>(fullFs);
          if (plan.mode == AdcMode::Dynamic) {
            fs = 0.0;
            for (int64_t n = n0; n < n1; ++n)
              fs = std::max(fs, std::fabs(pDouble[n]));
          }
          const double delta = fs / qA;
          double *acc = sums.f64.data() + m * N;
          for (int64_t n = n0; n < n1; ++n) {
            double code = 0.0;
            if (fs > 0.0) {
              double noisy = pDouble[n];
              if (plan.sigmaAdcLsb > 0.0)
                noisy += plan.sigmaAdcLsb * delta * adcNoise[n];
              code = std::clamp(std::nearbyint(noisy / delta), -static_cast<double>(qA),
                                static_cast<double>(qA));
            }
            acc[n] += std::ldexp(delta * code, shift);
            if (trace) {
              size_t t = trace->index(m, r, i, j, n);
              trace->partialSums[t] = pDouble[n];
              trace->fullScales[t] = fs;
              trace->codes[t] = static_cast<int32_t>(code);
            }
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
  plan.colBlocks = (plan.N + plan.colsPerBlock - 1) / plan.colsPerBlock;
  plan.a = resolvedInputSlices(params);
  plan.o = sliceOffsets(plan.a);
  plan.b = w.sliceWidths();
  plan.p = w.sliceOffsets();
  plan.T = static_cast<int>(plan.a.size());
  plan.S = static_cast<int>(plan.b.size());
  plan.qmaxX = symmetricQmax(params.inputs.bits);
  plan.hybrid = params.inputs.hybridAnalogBits != 0;
  plan.qmaxAnalog = plan.hybrid ? symmetricQmax(params.inputs.hybridAnalogBits) : plan.qmaxX;
  plan.qmaxAdc = symmetricQmax(params.adc.bits);
  plan.mode = params.adc.mode;
  plan.sigmaRead = params.noise.read;
  plan.sigmaAdcLsb = plan.mode == AdcMode::Ideal
                         ? 0.0
                         : params.adc.noiseLsb / std::sqrt(static_cast<double>(params.adc.samples));
  plan.noisyLevels = !w.integerLevels();
  plan.exact = plan.sigmaRead == 0.0 && !plan.noisyLevels && plan.sigmaAdcLsb == 0.0;
  plan.fullScales = params.adc.fullScales.empty()
                        ? fullModeScales(plan.K, plan.R, plan.a, plan.b)
                        : params.adc.fullScales;
  plan.rows = rows;
  plan.freshKey = freshKey(params.noise.seed, params.noise.repeat, params.layerId);
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
         "] tensor, got " + std::string(dtypeName(y.dtype())) + " " + shapeToString(y.shape()));
  if (bias && (bias->dtype() != DType::F32 || bias->shape() != Shape{w.cols()} || !bias->defined()))
    fail("bias must be float32 [" + std::to_string(w.cols()) + "], got " +
         std::string(dtypeName(bias->dtype())) + " " + shapeToString(bias->shape()));
  const int64_t limit = int64_t(1) << 32;
  if (rows.rowsPerSample < 1 || rows.rowsPerSample > limit || rows.firstSample < 0)
    fail("row mapping needs firstSample >= 0 and 1 <= rowsPerSample <= 2^32, got " +
         std::to_string(rows.firstSample) + ", " + std::to_string(rows.rowsPerSample));
  if (x.dim(0) > 0 && rows.firstSample + (x.dim(0) - 1) / rows.rowsPerSample >= limit)
    fail("sample index exceeds 2^32 - 1 (the fresh-noise counters of Philox.h)");
  int64_t rowBlocks = rowBlockCount(x.dim(1), params.crossbar.rows);
  if (rowBlocks >= (int64_t(1) << 22))
    fail("K = " + std::to_string(x.dim(1)) + " gives " + std::to_string(rowBlocks) +
         " row blocks, at most 2^22 - 1 supported (the fresh-noise counters of Philox.h)");
  validateFullScales(params, x.dim(1), static_cast<size_t>(w.sliceCount()), "cim_linear");
}

} // namespace

CimCounters cimLinear(const Tensor &x, const ProgrammedWeights &weights, const CimParams &params,
                      const Tensor *bias, const RowMapping &rows, Tensor &y, CimTrace *trace) {
  checkArguments(x, weights, params, bias, rows, y);
  const Plan plan = makePlan(x, weights, params, rows);
  const int64_t M = plan.M, N = plan.N;

  const Inputs in = quantizeInputs(plan, params, weights.quantized(), x.data<float>());

  Sums sums;
  if (plan.exact)
    sums.kind = plan.mode == AdcMode::Ideal ? Sums::Kind::Int64 : Sums::Kind::Int128;
  const size_t outputs = static_cast<size_t>(M * N);
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

  CimCounters counters;
  counters.dacInputSlices = M * plan.rowBlocks * plan.T;
  counters.arrayReads = M * plan.rowBlocks * plan.colBlocks * plan.T * plan.S;
  counters.adcConversions =
      plan.mode == AdcMode::Ideal ? 0 : M * plan.rowBlocks * plan.T * plan.S * N;
  if (plan.hybrid) {
    counters.digitalElements = M * plan.K;
    for (int64_t m = 0; m < M; ++m)
      counters.digitalNonzero += in.digitalNonzeroPerRow[m];
  }
  return counters;
}

} // namespace cimlir::cpu::cim
