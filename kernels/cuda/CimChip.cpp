#include "kernels/cuda/CimChip.h"

#include "kernels/cim/Philox.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cuda/CimBitPlanes.h"
#include "kernels/cuda/DeviceShape.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace cimlir::cuda {

CimCallView DeviceCimChip::withRows(uint64_t repeat, const int64_t *batchStart,
                                    int64_t sampleOffset, int64_t rowsPerSample,
                                    int64_t rowOffset) const {
  CimCallView c = call;
  const cim::PhiloxKey key = cim::freshKey(params.noise.seed, repeat, params.layerId);
  c.freshKey[0] = key[0];
  c.freshKey[1] = key[1];
  c.batchStart = batchStart;
  c.sampleOffset = sampleOffset;
  c.rowsPerSample = rowsPerSample;
  c.rowOffset = rowOffset;
  return c;
}

namespace {

/// Whether the one-bit kernel runs a call (CimCallView::bitPlanes).
bool bitPlanesRun(const CimCallView &call, const CimChipView &chip,
                  const std::vector<int64_t> &fullScales, const std::vector<int64_t> &maxima) {
  if (call.floatLevels || call.hybridMax > 0) // its cells are bits; it slices xq itself
    return false;
  // `ideal` without noise; `full` with or without (noisy codes come from double arithmetic).
  if ((call.adc == AdcKind::Ideal && !call.exact()) ||
      (call.adc != AdcKind::Ideal && call.adc != AdcKind::Full))
    return false;
  int64_t inputWeights = 0, weightWeights = 0; // sum_i 2^{o_i}, sum_j 2^{p_j}
  for (int i = 0; i < call.T; ++i) {
    if (call.widths[i] != 1)
      return false;
    inputWeights += int64_t(1) << call.offsets[i];
  }
  for (int j = 0; j < chip.S; ++j) {
    if (chip.widths[j] != 1)
      return false;
    weightWeights += int64_t(1) << chip.offsets[j];
  }
  if (bitPlaneSharedBytes(call.T, call.rows) > deviceShape().sharedPerCta)
    return false;
  // A row block's pair sum: |P| <= R per pair (`ideal`), |code| <= qmax_a (`full`).
  const int64_t perPair = call.adc == AdcKind::Ideal ? call.rows : call.qmaxAdc;
  if (static_cast<long double>(perPair) * inputWeights * weightWeights >= 2147483648.0L)
    return false;
  if (call.adc == AdcKind::Ideal)
    return true;
  if (call.exact() && !call.smallAdc)
    return false;
  // One FS per row block, at least the block's largest |P|, and below 2^30: the kernel keeps
  // it in int32 (noisy calls are not bounded by smallAdc).
  const size_t pairs = static_cast<size_t>(call.T) * chip.S;
  for (size_t at = 0; at < fullScales.size(); ++at)
    if (fullScales[at] != fullScales[at / pairs * pairs] || fullScales[at] < maxima[at] ||
        fullScales[at] >= (int64_t(1) << 30))
      return false;
  return true;
}

/// The differential levels of the int8 kernel: [S][N][Kpad], k contiguous (the MMA's column
/// operand), as int8 (CimChipView::levels) or with programming noise as float32 (floatLevels).
template <typename Level>
void uploadLevels(const cpu::ProgrammedWeights &w, const Upload &upload,
                  const RegisterWeights &registerCells, DeviceCimChip &d) {
  CimChipView &chip = d.chip;
  std::vector<Level> levels(static_cast<size_t>(chip.S * chip.N * chip.Kpad), Level(0));
  std::vector<Level> rowMajor(static_cast<size_t>(chip.K * chip.N));
  for (int j = 0; j < chip.S; ++j) {
    w.differentialLevels(j, 0, chip.K, rowMajor.data());
    Level *slice = levels.data() + static_cast<size_t>(j) * chip.N * chip.Kpad;
    for (int64_t k = 0; k < chip.K; ++k)
      for (int64_t n = 0; n < chip.N; ++n)
        slice[n * chip.Kpad + k] = rowMajor[static_cast<size_t>(k * chip.N + n)];
  }
  const size_t bytes = levels.size() * sizeof(Level);
  if (registerCells) {
    d.cellArray = registerCells(levels.data(), bytes, "a CIM layer's cell levels");
    return;
  }
  d.memory.push_back(upload(levels.data(), bytes, "a CIM layer's cell levels"));
  if constexpr (std::is_same_v<Level, float>)
    chip.floatLevels = static_cast<const float *>(d.memory.back().get());
  else
    chip.levels = static_cast<const int8_t *>(d.memory.back().get());
}

/// The one-bit kernel's bit planes (CimChipView::planes).
void uploadBitPlanes(const cpu::ProgrammedWeights &w, const Upload &upload,
                     const RegisterWeights &registerCells, DeviceCimChip &d) {
  CimChipView &chip = d.chip;
  const int64_t R = d.call.rows, rowBlocks = cim::rowBlockCount(chip.K, R);
  chip.planeWords = bitPlaneWords(R);
  const int64_t words = chip.planeWords;
  std::vector<uint32_t> planes(static_cast<size_t>(chip.S * 2 * chip.N * rowBlocks * words), 0);
  std::vector<int8_t> rowMajor(static_cast<size_t>(chip.K * chip.N));
  for (int j = 0; j < chip.S; ++j) {
    w.differentialLevels(j, 0, chip.K, rowMajor.data());
    for (int64_t k = 0; k < chip.K; ++k) {
      const int64_t r = k / R, w32 = (k % R) / 32, bit = (k % R) % 32;
      for (int64_t n = 0; n < chip.N; ++n) {
        const int8_t level = rowMajor[static_cast<size_t>(k * chip.N + n)];
        if (level == 0)
          continue;
        const int64_t plane = level > 0 ? 0 : 1;
        planes[static_cast<size_t>((((j * 2 + plane) * chip.N + n) * rowBlocks + r) * words +
                                   w32)] |= uint32_t(1) << bit;
      }
    }
  }
  if (registerCells) {
    d.cellArray = registerCells(planes.data(), planes.size() * sizeof(uint32_t),
                                "a CIM layer's one-bit cell planes");
    return;
  }
  d.memory.push_back(
      upload(planes.data(), planes.size() * sizeof(uint32_t), "a CIM layer's one-bit cell planes"));
  chip.planes = static_cast<const uint32_t *>(d.memory.back().get());
}

} // namespace

DeviceCimChip uploadCimChip(const cpu::ProgrammedWeights &w, const Upload &upload,
                            const RegisterWeights &registerCells) {
  const cim::CimParams &p = w.params();
  DeviceCimChip d;
  d.params = p;
  CimChipView &chip = d.chip;
  chip.K = w.rows();
  chip.N = w.cols();
  chip.Kpad = (chip.K + 15) / 16 * 16;
  chip.S = w.sliceCount();
  for (int j = 0; j < chip.S; ++j) {
    chip.widths[j] = w.sliceWidths()[j];
    chip.offsets[j] = w.sliceOffsets()[j];
  }
  std::vector<float> scales(static_cast<size_t>(chip.N));
  for (int64_t n = 0; n < chip.N; ++n)
    scales[n] = w.quantized().scale(n);
  d.memory.push_back(upload(scales.data(), scales.size() * sizeof(float), "weight scales"));
  chip.weightScales = static_cast<const float *>(d.memory.back().get());

  CimCallView &call = d.call;
  call.T = static_cast<int>(p.inputs.slices.size());
  const std::vector<int> inputOffsets = cim::sliceOffsets(p.inputs.slices);
  for (int i = 0; i < call.T; ++i) {
    call.widths[i] = p.inputs.slices[i];
    call.offsets[i] = inputOffsets[i];
  }
  call.qmaxInput = cim::symmetricQmax(p.inputs.bits);
  call.staticScale = p.inputs.scale == cim::InputScale::Static;
  call.staticScaleValue = p.staticScale;
  if (!call.staticScale && p.inputs.clipPercentile < 100.0) {
    const cim::PercentileRank rank = cim::percentileRank(chip.K, p.inputs.clipPercentile);
    if (chip.K > 0 && rank.lower < chip.K - 1) { // else the largest value: max |x|
      call.clipLower = rank.lower;
      call.clipFraction = rank.g;
    }
  }
  call.rows = p.crossbar.rows;
  call.colsPerBlock = p.crossbar.cols / 2;
  switch (p.adc.mode) {
  case cim::AdcMode::Ideal:
    call.adc = AdcKind::Ideal;
    break;
  case cim::AdcMode::Full:
    call.adc = AdcKind::Full;
    break;
  case cim::AdcMode::Dynamic:
    call.adc = AdcKind::Dynamic;
    break;
  case cim::AdcMode::Calibrated:
    call.adc = AdcKind::Calibrated;
    break;
  }
  call.qmaxAdc = cim::symmetricQmax(p.adc.bits);
  const std::vector<int64_t> fullScales =
      p.fullScales.empty()
          ? cim::fullModeScales(chip.K, p.crossbar.rows, p.inputs.slices, w.sliceWidths())
          : p.fullScales;
  d.memory.push_back(
      upload(fullScales.data(), fullScales.size() * sizeof(int64_t), "ADC full scales"));
  const std::vector<int64_t> maxima =
      cim::fullModeScales(chip.K, p.crossbar.rows, p.inputs.slices, w.sliceWidths());
  call.narrowAdc = true;
  call.smallAdc = true;
  const int64_t qa = call.qmaxAdc;
  // The bounds in long double: a plan may give any FS up to cimGpuGap's, where int64 products
  // would overflow.
  using Wide = long double;
  for (size_t at = 0; at < fullScales.size(); ++at) {
    const int T = call.T, S = chip.S;
    const int i = static_cast<int>(at / S) % T, j = static_cast<int>(at % S);
    // |P| <= maxima[at]; a `full` FS the plan gives may be smaller or larger than that.
    const Wide fs = static_cast<Wide>(std::max(maxima[at], fullScales[at]));
    call.narrowAdc =
        call.narrowAdc && fs * (qa + 1) < std::ldexp(Wide(1), 29) &&
        fs * std::ldexp(Wide(1), call.offsets[i] + chip.offsets[j]) < std::ldexp(Wide(1), 31);
    // smallCode's conditions: in `dynamic` mode FS <= max |P| and |P| <= FS.
    const Wide mp = static_cast<Wide>(maxima[at]), given = static_cast<Wide>(fullScales[at]);
    const bool fullOk = p.adc.mode != cim::AdcMode::Full ||
                        (2 * given * qa < std::ldexp(Wide(1), 24) &&
                         (given == 0 || mp * qa < std::ldexp(Wide(1), 21) * given));
    call.smallAdc = call.smallAdc && mp < std::ldexp(Wide(1), 22) &&
                    2 * mp * qa < std::ldexp(Wide(1), 24) && fullOk;
  }
  call.fullScales = static_cast<const int64_t *>(d.memory.back().get());
  if (!p.calibratedFullScales.empty()) {
    d.memory.push_back(upload(p.calibratedFullScales.data(),
                              p.calibratedFullScales.size() * sizeof(float),
                              "calibrated full scales"));
    call.calibratedFullScales = static_cast<const float *>(d.memory.back().get());
  }
  call.sigmaRead = p.noise.read;
  call.floatLevels = !w.integerLevels();
  if (p.inputs.hybridAnalogBits != 0) {
    // §7's digital part multiplies d by Wq (not the programmed cells): Wq^T int8, zero padded.
    call.hybridMax = cim::symmetricQmax(p.inputs.hybridAnalogBits);
    const int64_t rows = (chip.N + 3) / 4 * 4;
    std::vector<int8_t> weightsT(static_cast<size_t>(rows * chip.Kpad), 0);
    for (int64_t k = 0; k < chip.K; ++k)
      for (int64_t n = 0; n < chip.N; ++n)
        weightsT[static_cast<size_t>(n * chip.Kpad + k)] =
            static_cast<int8_t>(w.quantized().at(k, n));
    d.memory.push_back(upload(weightsT.data(), weightsT.size(), "a hybrid CIM layer's weights"));
    chip.weightsT = static_cast<const int8_t *>(d.memory.back().get());
  }
  call.fastNormals = p.noise.normals == cim::NormalTransform::Fast;
  call.sigmaAdcLsb = p.adc.mode == cim::AdcMode::Ideal
                         ? 0.0
                         : p.adc.noiseLsb / std::sqrt(static_cast<double>(p.adc.samples));
  call.bitPlanes = bitPlanesRun(call, chip, fullScales, maxima);
  if (call.bitPlanes)
    uploadBitPlanes(w, upload, registerCells, d);
  else if (call.floatLevels)
    uploadLevels<float>(w, upload, registerCells, d);
  else
    uploadLevels<int8_t>(w, upload, registerCells, d);
  return d;
}

std::string cimGpuGap(const cim::CimParams &p, int64_t K) {
  const bool hybrid = p.inputs.hybridAnalogBits != 0;
  // The digital part is an int8 GEMM with int32 sums: |d|, |Wq| <= 127 and Kpad·127² < 2^31.
  if (hybrid && (p.inputs.bits > 8 || p.weights.bits > 8))
    return "hybrid inputs of more than 8 bits";
  if (hybrid && (K + 15) / 16 * 16 * 127 * 127 >= (int64_t(1) << 31))
    return "hybrid inputs with K of 133,000 or more";
  if (p.adc.mode == cim::AdcMode::Dynamic && p.crossbar.cols / 2 > 128)
    return "dynamic column blocks wider than 128";
  if (static_cast<int>(p.inputs.slices.size()) > kMaxSlices ||
      static_cast<int>(p.weights.slices.size()) > kMaxSlices)
    return "more than 16 slices";
  // Exact sums are int64 on the GPU: every term qmax_a·FS·2^{o_i+p_j} summed must fit.
  const std::vector<int> a = p.inputs.slices, b = p.weights.slices;
  const std::vector<int> o = cim::sliceOffsets(a), q = cim::sliceOffsets(b);
  const std::vector<int64_t> fs =
      p.fullScales.empty() ? cim::fullModeScales(K, p.crossbar.rows, a, b) : p.fullScales;
  const std::vector<int64_t> maxima = cim::fullModeScales(K, p.crossbar.rows, a, b);
  long double bound = 0.0L;
  const int64_t rowBlocks = cim::rowBlockCount(K, p.crossbar.rows);
  const int T = static_cast<int>(a.size()), S = static_cast<int>(b.size());
  for (int64_t r = 0; r < rowBlocks; ++r)
    for (int i = 0; i < T; ++i)
      for (int j = 0; j < S; ++j) {
        const size_t at = static_cast<size_t>((r * T + i) * S + j);
        const long double scale = std::max<int64_t>(fs[at], maxima[at]);
        bound += scale * (cim::symmetricQmax(p.adc.bits) + 1) * std::ldexp(1.0L, o[i] + q[j]);
      }
  // Hybrid inputs add d·Wq (qmax_a times over in an ADC's sum).
  if (hybrid)
    bound += static_cast<long double>(K) * 127 * 127 * (cim::symmetricQmax(p.adc.bits) + 1);
  if (bound >= std::ldexp(1.0L, 62))
    return "exact sums beyond int64";
  return "";
}

} // namespace cimlir::cuda
