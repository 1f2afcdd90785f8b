// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-configure-adc))' | FileCheck %s
// §5: the ADC's mode, bits, percentile, thermal noise and samples, and the `full` mode's full
// scale R_r·(2^a_i - 1)·(2^b_j - 1) of every (row block r, DAC slice i, weight slice j) at
// (r·T + i)·S + j, whatever the mode (cim-run --set adc.mode=full may select it).

// K = 300 on 128-row arrays: row blocks of 128, 128 and 44 rows; DAC slices [1, 2] (ranges
// 1 and 3), one weight slice of 3 bits (range 7): 128·1·7 = 896, 128·3·7 = 2688, ...,
// 44·1·7 = 308, 44·3·7 = 924.
// CHECK-LABEL: func.func @full
// CHECK: adc = #cim.adc<mode = full, bits = 6, percentile = 100.0, range = percentile, noise_lsb = 0.5, samples = 4, full_scales = array<i64: 896, 2688, 896, 2688, 308, 924>>
// CHECK-NOT: settings
func.func @full(%x: tensor<?x300xf32>, %w: tensor<300x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", settings = {adc = {bits = 6 : i64, mode = "full", noise_lsb = 0.5 : f64, percentile = 100 : i64, range = "percentile", samples = 4 : i64}}, weights = #cim.weights<bits = 4, slices = [3], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 4, slices = [1, 2], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 128, cols = 64, k = 300, n = 2, groups = 1, slices = 1, rows_per_sample = 1>} : (tensor<?x300xf32>, tensor<300x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// The ideal mode converts nothing, but its full scales are there for --set adc.mode=full:
// 2 slice pairs of one block of 5 rows: 5·1·1, 5·1·3.
// CHECK-LABEL: func.func @ideal
// CHECK: adc = #cim.adc<mode = ideal, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>
func.func @ideal(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", settings = {adc = {bits = 8 : i64, mode = "ideal", noise_lsb = 0 : i64, percentile = 100 : i64, range = "percentile", samples = 1 : i64}}, weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A calibrated ADC is recorded with its percentile; its full scales come from calibration
// (cim-apply-calibration), not from this pass.
// CHECK-LABEL: func.func @calibrated
// CHECK: adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>
// CHECK-NOT: calibrated_full_scales
func.func @calibrated(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "cal", settings = {adc = {bits = 8 : i64, mode = "calibrated", noise_lsb = 0 : i64, percentile = 99 : i64, range = "percentile", samples = 1 : i64}}, weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @unmapped(%x: tensor<?x5xf32>, %w: tensor<5x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'early': needs its weight slices, DAC slices and mapping; run cim-quantize-weights, cim-slice-inputs and cim-map-crossbars before cim-configure-adc}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "early", settings = {adc = {bits = 8 : i64, mode = "full", noise_lsb = 0 : i64, percentile = 100 : i64, range = "percentile", samples = 1 : i64}}} : (tensor<?x5xf32>, tensor<5x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
