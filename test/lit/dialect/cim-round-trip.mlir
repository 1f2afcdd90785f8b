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
  // CHECK: cim.linear %arg0, %arg1 {adc = {bits = 8 : i64, full_scales = array<i64: 5, 15>, mode = "full", noise_lsb = 0.000000e+00 : f64, percentile = 1.000000e+02 : f64, samples = 1 : i64}, hybrid = #cim.hybrid<analog_bits = 2, analog_qmax = 1>, inputs = {bits = 2 : i64, clip_percentile = 1.000000e+02 : f64, offsets = array<i64: 0>, scale = "dynamic_row", slices = array<i64: 1>}, kind = "matmul", layer = "fc", mapping = {arrays = 2 : i64, col_blocks = 1 : i64, cols = 8 : i64, groups = 1 : i64, k = 5 : i64, n = 2 : i64, row_blocks = 1 : i64, rows = 8 : i64, rows_per_sample = 1 : i64, slices = 2 : i64, utilisation = 3.125000e-01 : f64}, noise = {chip_seed = 18446744073709551615 : ui64, layer_ids = [6696318987959166854 : ui64], program = 0.000000e+00 : f64, read = 1.000000e-02 : f64, seed = 0 : ui64, stuck_at_max = 0.000000e+00 : f64, stuck_at_min = 0.000000e+00 : f64}, weights = {bits = 4 : i64, clip_percentile = 1.000000e+02 : f64, granularity = "per_tensor", offsets = array<i64: 0, 1>, scales = array<f32: 2.500000e-01>, slices = array<i64: 1, 2>}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "fc", weights = {bits = 4 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 0.25>, slices = array<i64: 1, 2>, offsets = array<i64: 0, 1>}, hybrid = #cim.hybrid<analog_bits = 2, analog_qmax = 1>, inputs = {bits = 2 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 1>, offsets = array<i64: 0>}, mapping = {rows = 8 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 1 : i64, col_blocks = 1 : i64, slices = 2 : i64, arrays = 2 : i64, rows_per_sample = 1 : i64, utilisation = 0.3125}, adc = {bits = 8 : i64, full_scales = array<i64: 5, 15>, mode = "full", noise_lsb = 0.0, percentile = 100.0, samples = 1 : i64}, noise = {chip_seed = 18446744073709551615 : ui64, layer_ids = [6696318987959166854 : ui64], program = 0.0, read = 0.01, seed = 0 : ui64, stuck_at_max = 0.0, stuck_at_min = 0.0}} : (tensor<?x5xf32>, tensor<5x2xi8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @digital
func.func @digital(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: cim.digital_linear %arg0, %arg1, %arg2 {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc", precision = "bf16", transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %y = cim.digital_linear %x, %w, %b {kind = "gemm", layer = "fc", precision = "bf16", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
