#include "kernels/cpu/cim/WeightProgramming.h"

#include "core/Error.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cpu/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace cimlir::cpu {

using namespace cimlir::cim;

using detail::parallelFor;

namespace {

[[noreturn]] void fail(const std::string &message) {
  throw Error("cim weight programming: " + message);
}

/// Rows per parallel chunk when (re)computing levels: enough work to amortise a thread.
int64_t rowGrain(int64_t n) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)); }

} // namespace

ProgrammedWeights ProgrammedWeights::program(const Tensor &w, const CimParams &params,
                                             size_t levelCacheBytes) {
  return program(quantizeWeights(w, params), params, levelCacheBytes);
}

ProgrammedWeights ProgrammedWeights::program(QuantizedWeights quantized, const CimParams &params,
                                             size_t levelCacheBytes) {
  validateCimParams(params);
  if (quantized.levels.rank() != 2 ||
      quantized.levels.dtype() != (quantized.bits <= 8 ? DType::I8 : DType::I16))
    fail("quantized levels must be an int8 (int16 above 8 bits) matrix [K,N]");
  if (quantized.bits != params.weights.bits || quantized.granularity != params.weights.granularity)
    fail("quantized weights have " + std::to_string(quantized.bits) +
         " bits / another granularity than weights.bits = " + std::to_string(params.weights.bits) +
         " and weights.granularity");
  const int64_t K = quantized.rows(), N = quantized.cols();
  if (quantized.scales.size() !=
      (quantized.granularity == WeightGranularity::PerTensor ? size_t(1) : static_cast<size_t>(N)))
    fail("quantized weights have " + std::to_string(quantized.scales.size()) + " scales for " +
         std::to_string(N) + " columns");
  if (K > std::numeric_limits<uint32_t>::max() || N > std::numeric_limits<uint32_t>::max())
    fail("W " + shapeToString(quantized.levels.shape()) +
         " exceeds 2^32 rows or columns (the cell counters of Philox.h)");

  ProgrammedWeights pw;
  pw.q_ = std::move(quantized);
  pw.params_ = params;
  pw.widths_ = params.weights.slices;
  // The chip keeps its parameters for every call: full scales must fit it too.
  validateFullScales(params, K, pw.widths_.size(), "cim weight programming");
  pw.offsets_ = cim::sliceOffsets(pw.widths_);
  const NoiseSettings &noise = params.noise;
  pw.hasFaults_ = noise.stuckAtMin > 0.0 || noise.stuckAtMax > 0.0;
  pw.thresholdMin_ = probabilityThreshold(noise.stuckAtMin);
  pw.thresholdMinMax_ = probabilityThreshold(noise.stuckAtMin + noise.stuckAtMax);
  pw.key_ = staticKey(noise.chipSeed, params.layerId);

  const int S = pw.sliceCount();
  const size_t sliceCells = static_cast<size_t>(K) * static_cast<size_t>(N);
  if (pw.hasFaults_ && pw.integerLevels()) {
    pw.faultyLevels_.resize(sliceCells * S);
    for (int j = 0; j < S; ++j)
      parallelFor(K, rowGrain(N), [&](int64_t k0, int64_t k1) {
        int8_t *out = pw.faultyLevels_.data() + j * sliceCells + k0 * N;
        for (int64_t k = k0; k < k1; ++k)
          for (int64_t n = 0; n < N; ++n)
            *out++ = static_cast<int8_t>(pw.cell(j, 0, k, n).level - pw.cell(j, 1, k, n).level);
      });
  } else if (!pw.integerLevels() && sliceCells * S * sizeof(float) <= levelCacheBytes) {
    pw.cachedLevels_.resize(sliceCells * S);
    for (int j = 0; j < S; ++j)
      pw.computeLevels(j, 0, K, pw.cachedLevels_.data() + j * sliceCells);
  }
  return pw;
}

int32_t ProgrammedWeights::idealLevel(int j, int sign, int64_t k, int64_t n) const {
  int32_t wq = q_.at(k, n);
  int32_t magnitude = sign == 0 ? std::max(wq, 0) : std::max(-wq, 0);
  return (magnitude >> offsets_[j]) & cellRange(j);
}

ProgrammedCell ProgrammedWeights::cell(int j, int sign, int64_t k, int64_t n) const {
  ProgrammedCell c;
  int32_t ideal = idealLevel(j, sign, k, n);
  if (!hasStaticEffects()) {
    c.level = static_cast<float>(ideal);
    return c;
  }
  PhiloxBlock block = philox4x32_10(
      staticCellCounter(j, sign, static_cast<uint32_t>(k), static_cast<uint32_t>(n)), key_);
  if (block[0] < thresholdMin_) {
    c.fault = CellFault::StuckAtMin;
    c.level = 0.0f;
  } else if (block[0] < thresholdMinMax_) {
    c.fault = CellFault::StuckAtMax;
    c.level = static_cast<float>(cellRange(j));
  } else if (params_.noise.program > 0.0) {
    double eta = normalFromPair(block[2], block[3]);
    c.level = static_cast<float>(ideal + params_.noise.program * cellRange(j) * eta);
  } else {
    c.level = static_cast<float>(ideal);
  }
  return c;
}

void ProgrammedWeights::computeLevels(int j, int64_t k0, int64_t k1, float *out) const {
  const int64_t N = cols();
  parallelFor(k1 - k0, rowGrain(N), [&](int64_t b, int64_t e) {
    for (int64_t k = k0 + b; k < k0 + e; ++k)
      for (int64_t n = 0; n < N; ++n)
        out[(k - k0) * N + n] = cell(j, 0, k, n).level - cell(j, 1, k, n).level;
  });
}

void ProgrammedWeights::differentialLevels(int j, int64_t k0, int64_t k1, int8_t *out) const {
  if (!integerLevels())
    fail("internal: integer levels requested with programming noise");
  const int64_t N = cols();
  if (!faultyLevels_.empty()) {
    const size_t sliceCells = static_cast<size_t>(rows()) * static_cast<size_t>(N);
    std::memcpy(out, faultyLevels_.data() + j * sliceCells + k0 * N,
                static_cast<size_t>((k1 - k0) * N));
    return;
  }
  const int shift = offsets_[j];
  const int32_t mask = cellRange(j);
  for (int64_t k = k0; k < k1; ++k)
    for (int64_t n = 0; n < N; ++n) {
      int32_t wq = q_.at(k, n);
      int32_t level = ((wq < 0 ? -wq : wq) >> shift) & mask;
      *out++ = static_cast<int8_t>(wq < 0 ? -level : level);
    }
}

void ProgrammedWeights::differentialLevels(int j, int64_t k0, int64_t k1, float *out) const {
  const int64_t N = cols();
  const size_t count = static_cast<size_t>((k1 - k0) * N);
  if (integerLevels()) {
    std::vector<int8_t> levels(count);
    differentialLevels(j, k0, k1, levels.data());
    for (size_t i = 0; i < count; ++i)
      out[i] = levels[i];
  } else if (!cachedLevels_.empty()) {
    const size_t sliceCells = static_cast<size_t>(rows()) * static_cast<size_t>(N);
    std::memcpy(out, cachedLevels_.data() + j * sliceCells + k0 * N, count * sizeof(float));
  } else {
    computeLevels(j, k0, k1, out);
  }
}

void ProgrammedWeights::effectiveWeights(int64_t k0, int64_t k1, int32_t *out) const {
  if (!integerLevels())
    fail("internal: integer weights requested with programming noise");
  const int64_t N = cols();
  const size_t count = static_cast<size_t>((k1 - k0) * N);
  if (!hasFaults_) {
    for (int64_t k = k0; k < k1; ++k)
      for (int64_t n = 0; n < N; ++n)
        *out++ = q_.at(k, n);
    return;
  }
  std::vector<int8_t> levels(count);
  std::fill(out, out + count, 0);
  for (int j = 0; j < sliceCount(); ++j) {
    differentialLevels(j, k0, k1, levels.data());
    for (size_t i = 0; i < count; ++i)
      out[i] += static_cast<int32_t>(levels[i]) * (int32_t(1) << offsets_[j]);
  }
}

void ProgrammedWeights::effectiveWeights(int64_t k0, int64_t k1, double *out) const {
  const int64_t N = cols();
  const size_t count = static_cast<size_t>((k1 - k0) * N);
  if (integerLevels()) {
    std::vector<int32_t> w(count);
    effectiveWeights(k0, k1, w.data());
    for (size_t i = 0; i < count; ++i)
      out[i] = w[i];
    return;
  }
  std::vector<float> levels(count);
  std::fill(out, out + count, 0.0);
  for (int j = 0; j < sliceCount(); ++j) {
    differentialLevels(j, k0, k1, levels.data());
    for (size_t i = 0; i < count; ++i)
      out[i] += std::ldexp(static_cast<double>(levels[i]), offsets_[j]);
  }
}

bool ProgrammedWeights::sameProgramming(const CimParams &o) const {
  const CimParams &p = params_;
  return o.weights.bits == p.weights.bits && o.weights.slices == widths_ &&
         o.weights.granularity == p.weights.granularity &&
         o.weights.clipPercentile == p.weights.clipPercentile &&
         o.noise.program == p.noise.program && o.noise.stuckAtMin == p.noise.stuckAtMin &&
         o.noise.stuckAtMax == p.noise.stuckAtMax && o.noise.chipSeed == p.noise.chipSeed &&
         o.layerId == p.layerId;
}

} // namespace cimlir::cpu
