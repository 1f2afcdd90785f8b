#include "kernels/cpu/cim/Calibration.h"

#include "core/Error.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cim/RangeSearch.h"
#include "kernels/cpu/cim/PartialSums.h"
#include "kernels/cpu/cim/WeightProgramming.h"

#include <algorithm>
#include <cmath>

namespace cimlir::cpu {

using namespace cimlir::cim;

namespace {

[[noreturn]] void fail(const std::string &message) { throw Error("cim calibration: " + message); }

bool finiteRow(const float *row, int64_t K) {
  return std::all_of(row, row + K, [](float v) { return std::isfinite(v); });
}

void checkRows(const Tensor &x, int64_t K) {
  if (x.dtype() != DType::F32 || x.rank() != 2 || !x.defined() || (K >= 0 && x.dim(1) != K))
    fail("rows must be a float32 matrix [M," + (K >= 0 ? std::to_string(K) : std::string("K")) +
         "], got " + describeTensor(x));
}

/// The limit on a pair's histogram: one int64 bin per possible |P|.
constexpr int64_t kMaxBins = int64_t(1) << 24;

} // namespace

InputRangeCalibrator::InputRangeCalibrator(const CimParams &params)
    : bits_(params.inputs.bits), percentile_(params.inputs.clipPercentile),
      range_(params.inputs.range) {
  // The scale and full scales this calibration is for are not known yet: check the rest.
  CimParams uncalibrated = params;
  uncalibrated.inputs.scale = InputScale::DynamicRow;
  uncalibrated.inputs.range = RangeMethod::Percentile; // (a search needs static inputs)
  uncalibrated.adc.mode = AdcMode::Full;
  validateCimParams(uncalibrated, "cim calibration");
}

void InputRangeCalibrator::add(const Tensor &x) {
  checkRows(x, -1);
  const int64_t M = x.dim(0), K = x.dim(1);
  const float *v = x.data<float>();
  for (int64_t m = 0; m < M; ++m) {
    const float *row = v + m * K;
    if (!finiteRow(row, K))
      continue;
    ++rows_;
    for (int64_t k = 0; k < K; ++k) {
      const float magnitude = std::fabs(row[k]);
      max_ = std::max(max_, magnitude);
      if (percentile_ < 100.0 || range_ != RangeMethod::Percentile)
        magnitudes_.push_back(magnitude);
    }
  }
}

float InputRangeCalibrator::scale() const {
  if (rows_ == 0)
    fail("no finite calibration rows reached the layer");
  float clip = max_;
  const int64_t qmax = symmetricQmax(bits_);
  if (range_ != RangeMethod::Percentile) {
    const Magnitudes m = Magnitudes::binned(magnitudes_);
    clip = static_cast<float>(range_ == RangeMethod::Mse ? mseClip(m, qmax) : klClip(m, qmax));
  } else if (percentile_ < 100.0) {
    std::vector<float> copy = magnitudes_;
    clip = percentileInPlace(copy, percentile_);
  }
  return symmetricScale(clip, static_cast<int32_t>(qmax));
}

/// What every add() shares: the quantized weights on an ideal chip, one SliceLevels per row
/// block, and the slice layout.
struct AdcRangeCalibrator::State {
  CimParams params;
  double percentile = 100.0;
  int64_t K = 0, N = 0, R = 0, rowBlocks = 0;
  std::vector<int> a, o;
  int S = 0;
  std::vector<SliceLevels> blocks;
};

AdcRangeCalibrator::AdcRangeCalibrator(const Tensor &w, const CimParams &layer, double percentile) {
  if (!(percentile >= 0.0 && percentile <= 100.0))
    fail("adc.percentile is " + std::to_string(percentile) + ", expected 0..100");
  auto state = std::make_shared<State>();
  CimParams &p = state->params;
  p = layer;
  // Noise-free, no device effects; the ADC mode does not matter for P.
  p.noise = NoiseSettings{};
  p.adc.mode = AdcMode::Full;
  p.calibratedFullScales.clear();
  validateCimParams(p, "cim calibration");
  checkRows(w, -1);
  const ProgrammedWeights chip = ProgrammedWeights::program(w, p);
  state->percentile = percentile;
  state->K = w.dim(0);
  state->N = w.dim(1);
  state->R = p.crossbar.rows;
  state->rowBlocks = (state->K + state->R - 1) / state->R;
  state->a = p.inputs.slices;
  state->o = sliceOffsets(state->a);
  state->S = chip.sliceCount();
  const int maxA = *std::max_element(state->a.begin(), state->a.end());
  for (int64_t r = 0; r < state->rowBlocks; ++r)
    state->blocks.emplace_back(chip, r * state->R, std::min(state->K, (r + 1) * state->R), maxA);
  const int64_t rowsInBlock = std::min(state->K, state->R);
  for (int i = 0; i < static_cast<int>(state->a.size()); ++i)
    for (int j = 0; j < state->S; ++j) {
      const int64_t bound = rowsInBlock * ((int64_t(1) << state->a[i]) - 1) * chip.cellRange(j);
      if (bound >= kMaxBins)
        fail("calibrating the ADC of a " + std::to_string(rowsInBlock) +
             "-row block with input slices of " + std::to_string(state->a[i]) +
             " bits and weight slices of " + std::to_string(chip.sliceWidths()[j]) +
             " bits needs " + std::to_string(bound + 1) +
             " histogram bins, at most 2^24 supported");
      histograms_.emplace_back(static_cast<size_t>(bound + 1), 0);
    }
  state_ = std::move(state);
}

void AdcRangeCalibrator::add(const Tensor &x) {
  const State &st = *state_;
  checkRows(x, st.K);
  const int64_t M = x.dim(0), K = st.K, N = st.N;
  const int T = static_cast<int>(st.a.size()), S = st.S;
  std::vector<int16_t> analog(static_cast<size_t>(K));
  std::vector<int32_t> P(static_cast<size_t>(T * S * N));
  DacSlices slices(st.a, st.o, std::min(K, st.R));
  for (int64_t m = 0; m < M; ++m) {
    const float *row = x.data<float>() + m * K;
    if (!finiteRow(row, K))
      continue;
    ++rows_;
    quantizeInputRow(row, K, st.params, analog.data(), nullptr);
    for (int64_t r = 0; r < st.rowBlocks; ++r) {
      const SliceLevels &levels = st.blocks[r];
      slices.slice(analog.data() + r * st.R, levels.rows());
      levels.partialSums(slices, P.data());
      for (int i = 0; i < T; ++i)
        for (int j = 0; j < S; ++j) {
          std::vector<int64_t> &histogram = histograms_[i * S + j];
          const int32_t *pij = P.data() + i * S * N + j * N;
          for (int64_t n = 0; n < N; ++n)
            ++histogram[static_cast<size_t>(pij[n] < 0 ? -pij[n] : pij[n])];
        }
    }
  }
}

std::vector<float> AdcRangeCalibrator::fullScales() const {
  if (rows_ == 0)
    fail("no finite calibration rows reached the layer");
  std::vector<float> out;
  for (const std::vector<int64_t> &histogram : histograms_) {
    int64_t total = 0;
    for (int64_t c : histogram)
      total += c;
    const RangeMethod range = state_->params.adc.range;
    if (range != RangeMethod::Percentile) {
      const Magnitudes m = Magnitudes::ofHistogram(histogram);
      const int64_t qmax = symmetricQmax(state_->params.adc.bits);
      out.push_back(
          static_cast<float>(range == RangeMethod::Mse ? mseClip(m, qmax) : klClip(m, qmax)));
      continue;
    }
    const PercentileRank rank = percentileRank(total, state_->percentile);
    // The values at ranks `lower` and lower + 1 of the sorted |P|.
    auto valueAt = [&](int64_t target) {
      int64_t seen = 0;
      for (size_t v = 0; v < histogram.size(); ++v) {
        seen += histogram[v];
        if (seen > target)
          return static_cast<double>(v);
      }
      return static_cast<double>(histogram.size() - 1);
    };
    const double lower = valueAt(rank.lower);
    const double upper = rank.lower + 1 < total ? valueAt(rank.lower + 1) : lower;
    out.push_back(interpolatePercentile(lower, upper, rank.g));
  }
  return out;
}

} // namespace cimlir::cpu
