// RUN: cim-opt %s --pass-pipeline='builtin.module(cim-compile)' | FileCheck %s
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
