// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-digital-layers))' | FileCheck %s
// §8: a layer kept digital in fp32 stays its onnx op (the mark goes); in bf16, int8 or
// w8a16 it becomes cim.digital_linear with the same operands, kind attributes and its
// precision. Gemm's transA is a transpose in front, as for cim.linear.

// CHECK-LABEL: func.func @precisions
func.func @precisions(%x: tensor<?x4xf32>, %a: tensor<4x2xf32>, %img: tensor<?x2x5x5xf32>) -> (tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x6xf32>, tensor<?x4x5x5xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<3x4xf32>} : tensor<3x4xf32>
  %b = onnx.Constant {value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %v = onnx.Constant {value = dense<0.5> : tensor<4x3xf32>} : tensor<4x3xf32>
  %m = onnx.Constant {value = dense<0.5> : tensor<4x6xf32>} : tensor<4x6xf32>
  %k = onnx.Constant {value = dense<0.5> : tensor<4x1x3x3xf32>} : tensor<4x1x3x3xf32>
  // CHECK: %[[FP32:.*]] = onnx.Gemm %arg0, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, transA = 0 : i64, transB = 1 : i64}
  %0 = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64, cim.digital_precision = "fp32"} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32> loc("fp")
  // CHECK: %[[T:.*]] = onnx.Transpose %arg1 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  // CHECK: cim.digital_linear %[[T]], %{{.*}} {alpha = 2.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "bf", precision = "bf16", transB = 0 : i64} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = onnx.Gemm %a, %v {alpha = 2.0 : f32, beta = 1.0 : f32, transA = 1 : i64, transB = 0 : i64, cim.digital_precision = "bf16"} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("bf")
  // CHECK: cim.digital_linear %arg0, %{{.*}} {kind = "matmul", layer = "w8", precision = "w8a16"} : (tensor<?x4xf32>, tensor<4x6xf32>) -> tensor<?x6xf32>
  %2 = onnx.MatMul %x, %m {cim.digital_precision = "w8a16"} : (tensor<?x4xf32>, tensor<4x6xf32>) -> tensor<?x6xf32> loc("w8")
  // CHECK: cim.digital_linear %arg2, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, kind = "conv", layer = "i8", pads = array<i64: 1, 1, 1, 1>, precision = "int8", strides = array<i64: 1, 1>}
  %3 = onnx.Conv %img, %k {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, cim.digital_precision = "int8"} : (tensor<?x2x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x5x5xf32> loc("i8")
  // CHECK-NOT: cim.digital_precision
  // CHECK: return %[[FP32]]
  return %0, %1, %2, %3 : tensor<?x3xf32>, tensor<2x3xf32>, tensor<?x6xf32>, tensor<?x4x5x5xf32>
}

// -----

func.func @not_a_layer(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{digital precision 'bf16' applies to a Gemm, MatMul, Conv or ConvTranspose with a constant weight}}
  %0 = onnx.Relu %x {cim.digital_precision = "bf16"} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
