// cimlir runtime: calibration from data (docs/numerics.md, "Calibration"; cim-numerics.md §3
// `static` input scales and §5 the `calibrated` ADC).
//
// Calibration observes the fp32 network. cim-opt writes a calibration plan: the model with
// every CIM layer as a DigitalLinear step in fp32 on its float W, carrying its resolved device
// settings (the sections of a device file) in the attribute `calibrate`. runCalibration runs
// that plan over the first `limit` samples of a dataset on the CPU backend and observes, through
// BackendOptions::digitalRowsTap, the rows each such layer multiplies (the rows its
// crossbars would see: gemm/matmul rows, conv im2col patches per group):
//  - pass 1: every group of every layer with `static` inputs: InputRangeCalibrator -> s_x;
//    and of every layer with inputs.smooth_alpha > 0: max |x| per input channel (what
//    cim-smooth-inputs scales by);
//  - pass 2: every group of every layer with the `calibrated` ADC: AdcRangeCalibrator on the
//    group's float W_g with the layer's parameters (s_x of pass 1 when static) and
//    adc.percentile -> FS per (input slice i, weight slice j).
// A layer that is calibrated but not static gets its full scales in pass 1; pass 2 runs only
// when some layer is both. The table (runtime/calibration/CalibrationTable.h) is what
// cim-apply-calibration reads.
#pragma once

#include "runtime/calibration/CalibrationTable.h"

#include "runtime/exec/Program.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cimlir {

struct CalibrationOptions {
  std::shared_ptr<const Program> plan; ///< the calibration plan (above), loaded
  std::string dataset;                 ///< as cim-run --dataset takes it
  std::string split = "train"; ///< IDX split: calibrate on training data, never the test set
  bool splitGiven = false;     ///< the split was asked for: refused for a dataset without splits
  int64_t limit = 512;         ///< at most this many samples
  int64_t batch = 64;
  /// Only the input channel maxima of smoothed layers (cim-opt's first run when a layer is
  /// smoothed: its scales are measured on the smoothed model afterwards).
  bool channelMaximaOnly = false;
};

/// Runs the calibration. Throws cimlir::Error (one line naming the layer where one is at fault)
/// for a bad plan or dataset, or a layer no finite row reached.
calibration::Table runCalibration(const CalibrationOptions &options);

} // namespace cimlir
