// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(cim-compile)' | FileCheck %s
// The cim-compile pipeline folds Identity, drops dead constants and keeps the rest.

// CHECK-LABEL: func.func @main
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK-NOT: onnx.Identity
  // CHECK-NOT: dense<2.0
  %dead = onnx.Constant {value = dense<2.0> : tensor<4xf32>} : tensor<4xf32>
  %0 = onnx.Identity %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[R:.*]] = onnx.Relu %arg0
  %1 = onnx.Relu %0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: return %[[R]]
  return %1 : tensor<?x4xf32>
}

// -----

// The CIM passes in cim-compile's order on a hybrid device: every setting ends up decided,
// `settings` is gone. Bits 4: s_w = 1/7 per channel, 0.25/s_w = 1.75 -> 2, -0.5/s_w = -3.5 ->
// -3 (s_w rounds up in float32); rows 2 for K = 3: row blocks of 2 and 1 rows, so full scales
// 2·1·1 and 1·1·1 for the 2 x 3 one-bit slice pairs; cols 4 holds 2 outputs; h = 3 leaves
// two one-bit DAC slices; fnv1a64("g#g0") = 5572147292922939496.
// RUN: %python -c "open('%t.json', 'w').write('{\"inputs\": {\"hybrid_analog_bits\": 3}, \"crossbar\": {\"rows\": 2, \"cols\": 4}, \"weights\": {\"bits\": 4}, \"adc\": {\"bits\": 5}, \"noise\": {\"seed\": 3}}')"
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(canonicalize, func.func(cim-lower-to-cim{device=%t.json}, cim-digital-layers, cim-hybrid-split, cim-quantize-weights, cim-slice-inputs, cim-map-crossbars, cim-configure-adc, cim-assign-seeds, cim-verify-plan-contract))' | FileCheck %s --check-prefix=CIM
// CIM-LABEL: func.func @cim
// CIM: %[[WQ:.*]] = onnx.Constant {value = dense<{{\[\[}}7, -3, 2], [3, 3, -7]]> : tensor<2x3xi8>} : tensor<2x3xi8>
// CIM: cim.linear %arg0, %[[WQ]] {
// CIM-SAME: adc = #cim.adc<mode = full, bits = 5, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1>>
// CIM-SAME: hybrid = #cim.hybrid<analog_bits = 3, analog_qmax = 3>
// CIM-SAME: inputs = #cim.inputs<bits = 8, slices = [1, 1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>
// CIM-SAME: mapping = #cim.mapping<rows = 2, cols = 4, k = 3, n = 2, groups = 1, slices = 3, rows_per_sample = 1>
// CIM-SAME: noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 3, chip_seed = 0, normals = exact, layer_ids = [5572147292922939496]>
// CIM-SAME: weights = #cim.weights<bits = 4, slices = [1, 1, 1], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 0.142857149, 0.142857149>>
// CIM-NOT: settings
func.func @cim(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[1.0, -0.5, 0.25], [0.5, 0.5, -1.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %y = onnx.Gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32> loc("g")
  return %y : tensor<?x2xf32>
}
