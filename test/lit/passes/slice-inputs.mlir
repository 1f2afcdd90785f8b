// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-slice-inputs))' | FileCheck %s
// §3: the input quantizer (bits, dynamic_row scale, clip percentile) and the DAC slices with
// their offsets; over h - 1 bits for a hybrid layer.

// CHECK-LABEL: func.func @slices
// CHECK: cim.linear %arg0, %arg1 {inputs = #cim.inputs<bits = 8, slices = [1, 2, 4], scale = dynamic_row, clip_percentile = 99.5, range = percentile, smooth_alpha = 0.0>, kind = "matmul", layer = "s"}
func.func @slices(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "s", settings = {inputs = {bits = 8 : i64, clip_percentile = 99.5 : f64, range = "percentile", scale = "dynamic_row", slices = [1, 2, 4], smooth_alpha = 0.0 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// The analog part of a hybrid layer (h = 4): three one-bit DAC slices.
// CHECK-LABEL: func.func @hybrid
// CHECK: hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>, inputs = #cim.inputs<bits = 8, slices = [1, 1, 1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>
func.func @hybrid(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "h", hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>, settings = {inputs = {bits = 8 : i64, clip_percentile = 100 : i64, range = "percentile", scale = "dynamic_row", slices = [1, 1, 1], smooth_alpha = 0.0 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// A static scale is recorded as the mode; its values (s_x per group) come from calibration
// (cim-apply-calibration), not from this pass.
// CHECK-LABEL: func.func @static_scale
// CHECK: inputs = #cim.inputs<bits = 8, slices = [7], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>
// CHECK-NOT: static_scales
func.func @static_scale(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "st", settings = {inputs = {bits = 8 : i64, clip_percentile = 100 : i64, range = "percentile", scale = "static", slices = [7], smooth_alpha = 0.0 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

func.func @unknown_scale(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{layer 'u': settings.inputs.scale is missing or not one of "dynamic_row", "static" (cim-lower-to-cim writes the device's settings)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "u", settings = {inputs = {bits = 8 : i64, clip_percentile = 100 : i64, range = "percentile", scale = "per_tensor", slices = [7], smooth_alpha = 0.0 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

func.func @before_hybrid_split(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{layer 'early': inputs.hybrid_analog_bits is not decided yet; run cim-hybrid-split before cim-slice-inputs}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "early", settings = {inputs = {bits = 8 : i64, clip_percentile = 100 : i64, hybrid_analog_bits = 0 : i64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 0.0 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// α > 0 is recorded by the decision, so the smoothing must have been done.
func.func @unsmoothed(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{layer 'u': inputs.smooth_alpha 0.5 needs cim-smooth-inputs first (cim-opt --calibration DATASET measures the channel maxima it needs)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "u", settings = {inputs = {bits = 8 : i64, clip_percentile = 100 : i64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 0.5 : f64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
