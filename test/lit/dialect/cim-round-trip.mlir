// RUN: cim-opt %s | cim-opt | FileCheck %s
// cim.linear prints and parses back with its settings.

// CHECK-LABEL: func.func @layer
func.func @layer(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: cim.linear %arg0, %arg1, %arg2 {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc", settings = {adc = {bits = 6 : i64, mode = "dynamic"}}, transB = 1 : i64}
  %y = cim.linear %x, %w, %b {kind = "gemm", layer = "fc", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64, settings = {adc = {bits = 6 : i64, mode = "dynamic"}}} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
