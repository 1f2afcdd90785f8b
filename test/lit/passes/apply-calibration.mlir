// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%S/Inputs/calibration-table.json}))' | FileCheck %s
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%t.missing.json}))' 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: echo '{"layers": [' > %t.bad.json
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%t.bad.json}))' 2>&1 | FileCheck %s --check-prefix=NOTJSON
// RUN: echo '{"format": "cimlir-calibration", "version": 1}' > %t.nolayers.json
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%t.nolayers.json}))' 2>&1 | FileCheck %s --check-prefix=NOLAYERS
// RUN: echo '{"format": "cimlir-calibration", "version": 1, "layers": {"fc": {"groups": [{"input_scale": 1e999}]}}}' > %t.overflow.json
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%t.overflow.json}))' 2>&1 | FileCheck %s --check-prefix=OVERFLOW
// OVERFLOW: error: the calibration table {{.*}}overflow.json: JSON error: number overflow parsing '1e999'
// cim-apply-calibration writes a table's values (docs/numerics.md, "Calibration") onto the
// layers with static inputs (inputs.static_scales, one per group) or a calibrated ADC
// (adc.calibrated_full_scales, groups x T x S); other layers and other table entries are
// left alone. Here T = 1 DAC slice and S = 2 weight slices.
// NOFILE: error: cannot read the calibration table: {{.*}}
// NOTJSON: error: the calibration table {{.*}}bad.json:2:1: JSON syntax error: {{.*}}
// NOLAYERS: error: the calibration table {{.*}}nolayers.json: layers: expected an object of layers by name
// A value of the wrong type is refused with the table, naming its place in the file.
// RUN: echo '{"format": "cimlir-calibration", "version": 1, "layers": {"text": {"groups": [{"adc_full_scales": [1, "2"]}]}}}' > %t.text.json
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-apply-calibration{table=%t.text.json}))' 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: error: the calibration table {{.*}}text.json: layers.text.groups[0].adc_full_scales[1]: expected a number

// CHECK-LABEL: func.func @fc
// CHECK: adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>, calibrated_full_scales = array<f32: 3.000000e+00, 4.500000e+00>>
// CHECK-SAME: inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0, static_scales = array<f32: 5.000000e-01>>
func.func @fc(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Static inputs with a full ADC, and a calibrated ADC with dynamic_row inputs.
// CHECK-LABEL: func.func @two
// CHECK: cim.linear %arg0, %arg1 {adc = #cim.adc<mode = full, {{.*}}full_scales = array<i64: 5, 15>>, inputs = #cim.inputs<{{.*}}, static_scales = array<f32: 2.500000e-01>>, kind = "matmul", layer = "static_only"
// CHECK: cim.linear %arg0, %arg1 {adc = #cim.adc<mode = calibrated, {{.*}}, calibrated_full_scales = array<f32: 0.000000e+00, 7.000000e+00>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, kind = "matmul", layer = "adc_only"
// CHECK: cim.linear %arg0, %arg1 {adc = #cim.adc<mode = full, {{.*}}full_scales = array<i64: 5, 15>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, kind = "matmul", layer = "untouched"
func.func @two(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  %a = cim.linear %x, %w {kind = "matmul", layer = "static_only", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  %b = cim.linear %x, %w {kind = "matmul", layer = "adc_only", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  %c = cim.linear %x, %w {kind = "matmul", layer = "untouched", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  %s = onnx.Add %a, %b : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  %t = onnx.Add %s, %c : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %t : tensor<?x2xf32>
}

// -----

func.func @missing(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'missing': is not in the calibration table {{.*}}calibration-table.json (calibrate with the same model and device)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "missing", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @groups(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'groups': the calibration table {{.*}}calibration-table.json has 2 groups for it, expected 1}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "groups", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @pairs(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'pairs': the calibration table {{.*}}, group 0: has 3 adc_full_scales, expected 2 (input slices x weight slices)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "pairs", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @negative(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'negative': the calibration table {{.*}}, group 0: adc_full_scales holds -2, expected finite full scales >= 0}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "negative", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @infinite(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'infinite': the calibration table {{.*}}, group 0: input_scale is 1e+39, expected a finite scale > 0}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "infinite", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @zero_scale(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'zero_scale': the calibration table {{.*}}, group 0: input_scale is 0, expected a finite scale > 0}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "zero_scale", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @no_scale(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // expected-error-re @+1 {{layer 'no_scale': the calibration table {{.*}}, group 0: has no number "input_scale" (the layer's inputs are static)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "no_scale", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>, inputs = #cim.inputs<bits = 2, slices = [1], scale = static, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = calibrated, bits = 8, percentile = 99.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
