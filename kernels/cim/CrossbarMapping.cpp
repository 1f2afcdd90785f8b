#include "kernels/cim/CrossbarMapping.h"

namespace cimlir::cim {

int64_t rowBlockCount(int64_t K, int64_t rows) { return (K + rows - 1) / rows; }

int64_t colBlockCount(int64_t N, int64_t cols) {
  const int64_t outputsPerArray = cols / 2;
  return (N + outputsPerArray - 1) / outputsPerArray;
}

CrossbarMapping CrossbarMapping::of(int64_t K, int64_t N, const LayerSettings &settings) {
  CrossbarMapping m;
  m.k = K;
  m.n = N;
  m.rowBlocks = rowBlockCount(K, settings.crossbar.rows);
  m.colBlocks = colBlockCount(N, settings.crossbar.cols);
  m.inputSlices = static_cast<int64_t>(settings.inputs.slices.size());
  m.weightSlices = static_cast<int64_t>(settings.weights.slices.size());
  m.outputsPerArray = settings.crossbar.cols / 2;
  m.converts = settings.adc.mode != AdcMode::Ideal;
  return m;
}

} // namespace cimlir::cim
