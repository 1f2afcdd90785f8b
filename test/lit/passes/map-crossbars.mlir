// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-map-crossbars))' | FileCheck %s
// Row blocks of crossbar.rows, column blocks of cols/2 outputs, one array per (row block,
// column block, weight slice) and group (cim-numerics.md §2); `crossbar` leaves the settings
// for `mapping`, the number of slices comes from `weights`.

// K = 300 over 128 rows: 3 row blocks; N = 70 over 64/2 = 32 outputs: 3 column blocks;
// 3 slices: 27 arrays; utilisation = 2*300*70*3 / (27*128*64).
// CHECK-LABEL: func.func @gemm
// CHECK: mapping = {arrays = 27 : i64, col_blocks = 3 : i64, cols = 64 : i64, groups = 1 : i64, k = 300 : i64, n = 70 : i64, row_blocks = 3 : i64, rows = 128 : i64, rows_per_sample = 1 : i64, slices = 3 : i64, utilisation = 0.5696614{{[0-9]*}} : f64}
// CHECK-NOT: settings
func.func @gemm(%x: tensor<?x300xf32>, %w: tensor<70x300xi8>) -> tensor<?x70xf32> {
  %y = cim.linear %x, %w {kind = "gemm", layer = "fc", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64, settings = {crossbar = {rows = 128 : i64, cols = 64 : i64}}, weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 3, 2, 2>, offsets = array<i64: 0, 3, 5>}} : (tensor<?x300xf32>, tensor<70x300xi8>) -> tensor<?x70xf32>
  return %y : tensor<?x70xf32>
}

// -----

// Conv: K = (C/g)*kh*kw = 2*3*3 = 18, N = M/g = 2 per group, 2 groups, rows per sample
// = OH*OW = 36.
// CHECK-LABEL: func.func @conv
// CHECK: mapping = {arrays = 14 : i64, col_blocks = 1 : i64, cols = 256 : i64, groups = 2 : i64, k = 18 : i64, n = 2 : i64, row_blocks = 1 : i64, rows = 256 : i64, rows_per_sample = 36 : i64, slices = 7 : i64
func.func @conv(%x: tensor<?x4x8x8xf32>, %w: tensor<4x2x3x3xi8>) -> tensor<?x4x6x6xf32> {
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}, weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 1, 1, 1, 1, 1, 1>, offsets = array<i64: 0, 1, 2, 3, 4, 5, 6>}} : (tensor<?x4x8x8xf32>, tensor<4x2x3x3xi8>) -> tensor<?x4x6x6xf32>
  return %y : tensor<?x4x6x6xf32>
}

// -----

// N-D MatMul: the middle axes are rows of one sample.
// CHECK-LABEL: func.func @matmul
// CHECK: rows_per_sample = 15 : i64
func.func @matmul(%x: tensor<?x3x5x8xf32>, %w: tensor<8x4xi8>) -> tensor<?x3x5x4xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "m", settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}, weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 7>, offsets = array<i64: 0>}} : (tensor<?x3x5x8xf32>, tensor<8x4xi8>) -> tensor<?x3x5x4xf32>
  return %y : tensor<?x3x5x4xf32>
}

// -----

func.func @before_quantization(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{layer 'early': has no weight slices to map; run cim-quantize-weights before cim-map-crossbars}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "early", settings = {crossbar = {rows = 256 : i64, cols = 256 : i64}}} : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
