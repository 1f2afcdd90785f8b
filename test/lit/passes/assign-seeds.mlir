// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-assign-seeds))' | FileCheck %s
// §4, §9: the noise parameters, the two seeds (ui64) and one layer id per group, FNV-1a 64
// of "<layer>#g<group>" (the values below computed independently, in Python).

// fnv1a64("fc#g0") = 938935453466667776.
// CHECK-LABEL: func.func @gemm
// CHECK: cim.linear %arg0, %arg1 {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc", noise = #cim.noise<read = 0.01, program = 0.02, stuck_at_min = 0.001, stuck_at_max = 0.0, seed = 7, chip_seed = 18446744073709551615, normals = exact, layer_ids = [938935453466667776]>, transB = 0 : i64}
func.func @gemm(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %y = cim.linear %x, %w {kind = "gemm", layer = "fc", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64, settings = {noise = {read = 0.01 : f64, program = 0.02 : f64, stuck_at_min = 0.001 : f64, stuck_at_max = 0 : i64, seed = 7 : i64, chip_seed = 18446744073709551615 : ui64, normals = "exact"}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// Two groups, two chips: fnv1a64("c#g0") = 14919614753385162868, ("c#g1") = 14919615852896791079.
// CHECK-LABEL: func.func @conv_groups
// CHECK: layer_ids = [14919614753385162868, 14919615852896791079]>
func.func @conv_groups(%x: tensor<?x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32> {
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, settings = {noise = {read = 0 : i64, program = 0 : i64, stuck_at_min = 0 : i64, stuck_at_max = 0 : i64, seed = 0 : i64, chip_seed = 0 : i64, normals = "exact"}}} : (tensor<?x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %y : tensor<?x4x6x6xf32>
}

// -----

func.func @negative_seed(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{layer 'neg': settings.noise.seed is missing or not a ui64 integer (cim-lower-to-cim writes the device's settings)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "neg", settings = {noise = {read = 0 : i64, program = 0 : i64, stuck_at_min = 0 : i64, stuck_at_max = 0 : i64, seed = -1 : i64, chip_seed = 0 : i64, normals = "exact"}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
