// RUN: cim-opt %s | cim-opt | FileCheck %s
// Every op prints and parses back unchanged.

// CHECK-LABEL: func.func @all
func.func @all(%x: tensor<?x1x8x8xf32>, %m: tensor<?x4xf32>) -> (tensor<?x10xf32>, tensor<?x4xf32>) {
  // CHECK: onnx.Constant {value = dense<1.000000e+00> : tensor<2x1x3x3xf32>}
  %w = onnx.Constant {value = dense<1.0> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  // CHECK: onnx.Conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %c = onnx.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x8x8xf32>
  // CHECK: onnx.MaxPool
  %p = onnx.MaxPool %c {ceil_mode = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32>
  // CHECK: onnx.AveragePool
  %a = onnx.AveragePool %p {ceil_mode = 0 : i64, count_include_pad = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  // CHECK: onnx.GlobalAveragePool
  %g = onnx.GlobalAveragePool %a : (tensor<?x2x4x4xf32>) -> tensor<?x2x1x1xf32>
  // CHECK: onnx.Flatten
  %f = onnx.Flatten %a {axis = 1 : i64} : (tensor<?x2x4x4xf32>) -> tensor<?x32xf32>
  %b = onnx.Constant {value = dense<0.5> : tensor<10x32xf32>} : tensor<10x32xf32>
  // CHECK: onnx.Gemm
  %y = onnx.Gemm %f, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x32xf32>, tensor<10x32xf32>) -> tensor<?x10xf32>
  // CHECK: onnx.Softmax
  %s = onnx.Softmax %y {axis = 1 : i64} : (tensor<?x10xf32>) -> tensor<?x10xf32>
  %k = onnx.Constant {value = dense<1.0> : tensor<4x4xf32>} : tensor<4x4xf32>
  // CHECK: onnx.MatMul
  %mm = onnx.MatMul %m, %k : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // CHECK: onnx.Sub
  %d = onnx.Sub %mm, %m : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: onnx.Transpose
  %t = onnx.Transpose %k {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  // CHECK: onnx.MatMul
  %u = onnx.MatMul %d, %t : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %s, %u : tensor<?x10xf32>, tensor<?x4xf32>
}
