// RUN: cim-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect -cim-verify-plan-contract | FileCheck %s
// The contract holds for onnx ops on ranked tensors with one batch dimension.

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

// expected-error @+1 {{plans cannot hold element type 'f16'}}
func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  return %x : tensor<4xf16>
}

// -----

// expected-error @+1 {{has more than one batch dimension}}
func.func @two_batch_dims(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}
