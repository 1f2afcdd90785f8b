// RUN: cim-opt %s | cim-opt | FileCheck %s
// cim.linear prints and parses back with its settings and decisions; cim.digital_linear too.

// CHECK-LABEL: func.func @layer
func.func @layer(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: cim.linear %arg0, %arg1, %arg2 {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc", settings = {adc = {bits = 6 : i64, mode = "dynamic"}}, transB = 1 : i64}
  %y = cim.linear %x, %w, %b {kind = "gemm", layer = "fc", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64, settings = {adc = {bits = 6 : i64, mode = "dynamic"}}} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// Every decision of the CIM passes prints and parses back.
// CHECK-LABEL: func.func @decided
func.func @decided(%x: tensor<?x5xf32>, %w: tensor<5x2xi8>) -> tensor<?x2xf32> {
  // CHECK: cim.linear %arg0, %arg1 {adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>, hybrid = #cim.hybrid<analog_bits = 2, analog_qmax = 1>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, kind = "matmul", layer = "fc", mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, noise = #cim.noise<read = 0.01, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 18446744073709551615, normals = exact, layer_ids = [6696318987959166854]>, weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 2.500000e-01>>}
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", weights = #cim.weights<bits = 4, slices = [1, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 0.25>>, hybrid = #cim.hybrid<analog_bits = 2, analog_qmax = 1>, inputs = #cim.inputs<bits = 2, slices = [1], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 8, cols = 8, k = 5, n = 2, groups = 1, slices = 2, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 5, 15>>, noise = #cim.noise<read = 0.01, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 18446744073709551615, normals = exact, layer_ids = [6696318987959166854]>} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @digital
func.func @digital(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: cim.digital_linear %arg0, %arg1, %arg2 {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc", precision = "bf16", transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %y = cim.digital_linear %x, %w, %b {kind = "gemm", layer = "fc", precision = "bf16", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
