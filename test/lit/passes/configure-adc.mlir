// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-configure-adc))' | FileCheck %s
// §5: the ADC's mode, bits, percentile, thermal noise and samples, and the `full` mode's full
// scale R_r·(2^a_i - 1)·(2^b_j - 1) of every (row block r, DAC slice i, weight slice j) at
// (r·T + i)·S + j, whatever the mode (cim-run --set adc.mode=full may select it).

// K = 300 on 128-row arrays: row blocks of 128, 128 and 44 rows; DAC slices [1, 2] (ranges
// 1 and 3), one weight slice of 3 bits (range 7): 128·1·7 = 896, 128·3·7 = 2688, ...,
// 44·1·7 = 308, 44·3·7 = 924.
// CHECK-LABEL: func.func @full
// CHECK: adc = {bits = 6 : i64, full_scales = array<i64: 896, 2688, 896, 2688, 308, 924>, mode = "full", noise_lsb = 5.000000e-01 : f64, percentile = 1.000000e+02 : f64, samples = 4 : i64}
// CHECK-NOT: settings
func.func @full(%x: tensor<?x300xf32>, %w: tensor<300x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", settings = {adc = {bits = 6 : i64, mode = "full", noise_lsb = 0.5 : f64, percentile = 100 : i64, samples = 4 : i64}}, weights = {bits = 4 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 3>, offsets = array<i64: 0>}, inputs = {bits = 4 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 1, 2>, offsets = array<i64: 0, 1>}, mapping = {rows = 128 : i64, cols = 64 : i64, k = 300 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 3 : i64, col_blocks = 1 : i64, slices = 1 : i64, arrays = 3 : i64, rows_per_sample = 1 : i64, utilisation = 0.1 : f64}} : (tensor<?x300xf32>, tensor<300x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// The ideal mode converts nothing, but its full scales are there for --set adc.mode=full:
// 2 slice pairs of one block of 5 rows: 5·1·1, 5·1·3.
// CHECK-LABEL: func.func @ideal
// CHECK: adc = {bits = 8 : i64, full_scales = array<i64: 5, 15>, mode = "ideal"
func.func @ideal(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", settings = {adc = {bits = 8 : i64, mode = "ideal", noise_lsb = 0 : i64, percentile = 100 : i64, samples = 1 : i64}}, weights = {bits = 4 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 1, 2>, offsets = array<i64: 0, 1>}, inputs = {bits = 2 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 1>, offsets = array<i64: 0>}, mapping = {rows = 8 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 1 : i64, col_blocks = 1 : i64, slices = 2 : i64, arrays = 2 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A calibrated ADC is recorded with its percentile; its full scales come from calibration
// (cim-apply-calibration), not from this pass.
// CHECK-LABEL: func.func @calibrated
// CHECK: adc = {bits = 8 : i64, full_scales = array<i64: 5, 15>, mode = "calibrated", noise_lsb = 0.000000e+00 : f64, percentile = 9.900000e+01 : f64, samples = 1 : i64}
// CHECK-NOT: calibrated_full_scales
func.func @calibrated(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "cal", settings = {adc = {bits = 8 : i64, mode = "calibrated", noise_lsb = 0 : i64, percentile = 99 : i64, samples = 1 : i64}}, weights = {bits = 4 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 1, 2>, offsets = array<i64: 0, 1>}, inputs = {bits = 2 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 1>, offsets = array<i64: 0>}, mapping = {rows = 8 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 1 : i64, col_blocks = 1 : i64, slices = 2 : i64, arrays = 2 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @unmapped(%x: tensor<?x5xf32>, %w: tensor<5x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'early': needs its weight slices, DAC slices and mapping; run cim-quantize-weights, cim-slice-inputs and cim-map-crossbars before cim-configure-adc}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "early", settings = {adc = {bits = 8 : i64, mode = "full", noise_lsb = 0 : i64, percentile = 100 : i64, samples = 1 : i64}}} : (tensor<?x5xf32>, tensor<5x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
