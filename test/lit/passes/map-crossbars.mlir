// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-map-crossbars))' | FileCheck %s
// What is tiled onto the arrays (cim-numerics.md §2): the groups of k x n matrices, the number
// of weight slices (from `weights`) and the rows of x per sample; `crossbar` leaves the
// settings for `mapping`. The tiling that follows (row blocks of crossbar.rows, column blocks
// of cols/2 outputs, arrays, utilisation) is the attribute's to derive; plans write it, and
// cim-opt-plan-decisions.test and cim-opt-report.test check it.

// CHECK-LABEL: func.func @gemm
// CHECK: mapping = #cim.mapping<rows = 128, cols = 64, k = 300, n = 70, groups = 1, slices = 3, rows_per_sample = 1>
// CHECK-NOT: settings
func.func @gemm(%x: tensor<?x300xf32>, %w: tensor<70x300xi8>) -> tensor<?x70xf32> {
  %y = cim.linear %x, %w {kind = "gemm", layer = "fc", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64, settings = {crossbar = {rows = 128 : i64, cols = 64 : i64}}, weights = #cim.weights<bits = 8, slices = [3, 2, 2], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>} : (tensor<?x300xf32>, tensor<70x300xi8>) -> tensor<?x70xf32>
  return %y : tensor<?x70xf32>
}

// -----

// Conv: K = (C/g)*kh*kw = 2*3*3 = 18, N = M/g = 2 per group, 2 groups, rows per sample
// = OH*OW = 36.
// CHECK-LABEL: func.func @conv
// CHECK: mapping = #cim.mapping<rows = 256, cols = 256, k = 18, n = 2, groups = 2, slices = 7, rows_per_sample = 36>
func.func @conv(%x: tensor<?x4x8x8xf32>, %w: tensor<4x2x3x3xi8>) -> tensor<?x4x6x6xf32> {
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}, weights = #cim.weights<bits = 8, slices = [1, 1, 1, 1, 1, 1, 1], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<?x4x8x8xf32>, tensor<4x2x3x3xi8>) -> tensor<?x4x6x6xf32>
  return %y : tensor<?x4x6x6xf32>
}

// -----

// N-D MatMul: the middle axes are rows of one sample.
// CHECK-LABEL: func.func @matmul
// CHECK: rows_per_sample = 15>
func.func @matmul(%x: tensor<?x3x5x8xf32>, %w: tensor<8x4xi8>) -> tensor<?x3x5x4xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "m", settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}, weights = #cim.weights<bits = 8, slices = [7], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>} : (tensor<?x3x5x8xf32>, tensor<8x4xi8>) -> tensor<?x3x5x4xf32>
  return %y : tensor<?x3x5x4xf32>
}

// -----

func.func @before_quantization(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{layer 'early': has no weight slices to map; run cim-quantize-weights before cim-map-crossbars}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "early", settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}} : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
