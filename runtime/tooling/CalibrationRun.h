// cimlir runtime: calibration from data (docs/numerics.md, "Calibration"; cim-numerics.md §3
// `static` input scales and §5 the `calibrated` ADC).
//
// Calibration observes the fp32 network. cim-opt writes a calibration plan: the model with
// every CIM layer as a DigitalLinear step in fp32 on its float W, carrying its resolved device
// settings (the sections of a device file) in the attribute `calibrate`. runCalibration runs
// that plan over the first `limit` samples of a dataset on the CPU backend and observes, through
// CpuBackendOptions::digitalRowsTap, the rows each such layer multiplies (the rows its
// crossbars would see: gemm/matmul rows, conv im2col patches per group):
//  - pass 1: every group of every layer with `static` inputs: InputRangeCalibrator -> s_x;
//  - pass 2: every group of every layer with the `calibrated` ADC: AdcRangeCalibrator on the
//    group's float W_g with the layer's parameters (s_x of pass 1 when static) and
//    adc.percentile -> FS per (input slice i, weight slice j).
// A layer that is calibrated but not static gets its full scales in pass 1; pass 2 runs only
// when some layer is both. The table (CalibrationTable) is what cim-apply-calibration reads.
#pragma once

#include "kernels/cim/CimParams.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cimlir {

struct CalibrationOptions {
  std::string plan;            ///< the calibration plan (above)
  std::string dataset;         ///< as cim-run --dataset takes it
  std::string split = "train"; ///< IDX split: calibrate on training data, never the test set
  bool splitGiven = false;     ///< the split was asked for: refused for a dataset without splits
  int64_t limit = 512;         ///< at most this many samples
  int64_t batch = 64;
};

/// One layer's calibrated values, per group.
struct LayerCalibration {
  /// s_x per group (`static` inputs), empty otherwise.
  std::vector<float> inputScales;
  /// FS per group, each T·S values at [i·S + j] (a `calibrated` ADC), empty otherwise.
  std::vector<std::vector<float>> adcFullScales;
  /// The layer's parameters the values depend on (inputs, weights, crossbar rows,
  /// adc.percentile), written as the table's "measured_for" so that cim-apply-calibration
  /// refuses the table for a layer compiled with other ones.
  cim::CimParams measuredFor;
  double percentile = 100.0;
};

struct CalibrationTable {
  std::string dataset; ///< what was run (Dataset::describe)
  int64_t samples = 0;
  std::map<std::string, LayerCalibration> layers; ///< keyed by ONNX node name
};

/// Runs the calibration. Throws cimlir::Error (one line naming the layer where one is at fault)
/// for a bad plan or dataset, or a layer no finite row reached.
CalibrationTable runCalibration(const CalibrationOptions &options);

/// The table as JSON text (docs/numerics.md, "Calibration"):
/// {"format": "cimlir-calibration", "version": 1, "dataset": ..., "samples": N,
///  "layers": {"NAME": {"groups": [{"input_scale": s, "adc_full_scales": [FS...]}, ...]}}}
/// with "input_scale" and "adc_full_scales" present only where calibrated.
std::string calibrationTableJson(const CalibrationTable &table);

} // namespace cimlir
