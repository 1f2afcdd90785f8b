// RUN: cim-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect -cim-verify-plan-contract | FileCheck %s
// The contract holds for onnx ops on ranked tensors with one batch dimension, and for
// cim.linear ops with every decision made and no device setting left undecided.

// CHECK-LABEL: func.func @ready
func.func @ready(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: onnx.Relu
  %0 = onnx.Relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @foreign_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{op 'test.foreign' has no runtime step}}
  %0 = "test.foreign"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{plans cannot hold element type 'f8E4M3FN'}}
func.func @fp8(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  return %x : tensor<4xf8E4M3FN>
}

// -----

// expected-error @+1 {{has more than one batch dimension}}
func.func @two_batch_dims(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

// -----

// A cim.linear with every decision made is ready.
// CHECK-LABEL: func.func @decided
func.func @decided(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // CHECK: cim.linear
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>, noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @undecided(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'fc': has device settings no pass decided: adc.bits adc.mode (run the whole cim-compile pipeline)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", settings = {adc = {bits = 8 : i64, mode = "full"}}, weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @missing_decision(%x: tensor<?x5xf32>, %w: tensor<5x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'fc': lacks one of weights, inputs, mapping, adc, noise (run the whole cim-compile pipeline)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc"} : (tensor<?x5xf32>, tensor<5x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @still_marked(%x: tensor<?x5xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<5x2xf32>} : tensor<5x2xf32>
  // expected-error @+1 {{is marked digital but not lowered (run cim-digital-layers)}}
  %y = onnx.MatMul %x, %w {cim.digital_precision = "bf16"} : (tensor<?x5xf32>, tensor<5x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// A static layer needs its calibrated scales, a calibrated ADC its full scales
// (cim-apply-calibration); with them the layer is ready.
func.func @static_uncalibrated(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'st': has inputs.scale 'static' but no inputs.static_scales (compile with cim-opt --calibration DATASET, or run cim-apply-calibration)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "st", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>, noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @adc_uncalibrated(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'cal': has adc.mode 'calibrated' but no adc.calibrated_full_scales (compile with cim-opt --calibration DATASET, or run cim-apply-calibration)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "cal", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>, noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @calibrated_ready
func.func @calibrated_ready(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // CHECK: cim.linear
  %y = cim.linear %x, %w {kind = "matmul", layer = "ok", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0, static_scales = array<f32: 0.5>>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>, calibrated_full_scales = array<f32: 3.0, 4.5>>, noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
