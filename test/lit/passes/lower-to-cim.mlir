// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=rram-256}))' | FileCheck %s
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=digital}))' | FileCheck %s --check-prefix=DIGITAL

// Layers with constant weights go on crossbars with their resolved device settings (all
// but `digital`); a layer kept digital stays its onnx op, marked with its precision for
// cim-digital-layers. The function records the resolved device it was placed for.
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: attributes {cim.device = "{\22name\22:\22rram-256\22,\22crossbar\22:{\22rows\22:256,
// DIGITAL-LABEL: func.func @gemm
// DIGITAL-SAME: attributes {cim.device = "{\22name\22:\22digital\22,
func.func @gemm(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<3x4xf32>} : tensor<3x4xf32>
  %b = onnx.Constant {value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  // CHECK: %[[Y:.*]] = cim.linear %arg0, %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "fc",
  // CHECK-SAME: settings = {adc = {bits = 8 : i64, mode = "full"
  // CHECK-SAME: noise = {{{.*}}read = 1.000000e-02 : f64
  // CHECK-SAME: weights = {bits = 8 : i64, clip_percentile = 1.000000e+02 : f64, granularity = "per_channel", slices = array<i64: 1, 2, 2, 2>, source = "float"}
  // CHECK-SAME: transB = 1 : i64
  // CHECK-SAME: (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // CHECK-NOT: digital
  // DIGITAL: onnx.Gemm %arg0, %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f32, beta = 1.000000e+00 : f32, cim.digital_precision = "fp32", transA = 0 : i64, transB = 1 : i64}
  // DIGITAL-NOT: cim.linear
  %y = onnx.Gemm %x, %w, %b {alpha = 2.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32> loc("fc")
  return %y : tensor<?x3xf32>
}

// -----

// transA is a digital transpose in front of the crossbars (§0).
// CHECK-LABEL: func.func @gemm_trans_a
func.func @gemm_trans_a(%a: tensor<4x2xf32>) -> tensor<2x3xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x3xf32>} : tensor<4x3xf32>
  // CHECK: %[[T:.*]] = onnx.Transpose %arg0 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  // CHECK: cim.linear %[[T]], %{{.*}} {{{.*}}kind = "gemm", layer = "g"
  %y = onnx.Gemm %a, %w {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 1 : i64, transB = 0 : i64} : (tensor<4x2xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("g")
  return %y : tensor<2x3xf32>
}

// -----

// MatMul with a constant 2-D B goes on crossbars; an activation times an activation, and a
// 1-D activation, stay digital; so does a layer the device marks digital (/lm_head*).
// CHECK-LABEL: func.func @matmuls
func.func @matmuls(%x: tensor<?x5x4xf32>, %v: tensor<4xf32>, %z: tensor<4x6xf32>) -> (tensor<?x5x6xf32>, tensor<6xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x6xf32>} : tensor<4x6xf32>
  // CHECK: cim.linear %arg0, %{{.*}} {kind = "matmul", layer = "proj"
  %a = onnx.MatMul %x, %w : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("proj")
  // CHECK: onnx.MatMul %arg1
  // CHECK-NOT: cim.digital_precision
  %b = onnx.MatMul %v, %w : (tensor<4xf32>, tensor<4x6xf32>) -> tensor<6xf32> loc("vec")
  // CHECK: onnx.MatMul %arg0, %arg2
  %c = onnx.MatMul %x, %z : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("act")
  // CHECK: onnx.MatMul %arg0, %{{.*}} {cim.digital_precision = "fp32"} : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32>
  %d = onnx.MatMul %x, %w : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("/lm_head/MatMul")
  return %a, %b, %c, %d : tensor<?x5x6xf32>, tensor<6xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>
}

// -----

// Conv keeps its window attributes and groups.
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x2x3x3xf32>} : tensor<4x2x3x3xf32>
  // CHECK: cim.linear %arg0, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, kind = "conv", layer = "c", pads = array<i64: 1, 1, 1, 1>, settings = {{.*}}, strides = array<i64: 1, 1>}
  %y = onnx.Conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x8x8xf32> loc("c")
  return %y : tensor<?x4x8x8xf32>
}

// -----

// ConvTranspose keeps its window attributes and groups; output_padding only sized Y, whose
// type the layer keeps.
// CHECK-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<?x4x5x5xf32>) -> tensor<?x6x11x11xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x3x3x3xf32>} : tensor<4x3x3x3xf32>
  // CHECK: cim.linear %arg0, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, kind = "conv_transpose", layer = "d", pads = array<i64: 1, 1, 0, 0>, settings = {{.*}}, strides = array<i64: 2, 2>} : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x6x11x11xf32>
  %y = onnx.ConvTranspose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x6x11x11xf32> loc("d")
  return %y : tensor<?x6x11x11xf32>
}

// -----

// A function placed for another device already is not placed again.
// expected-error @+1 {{cim-lower-to-cim: the function was placed for another device (its cim.device); place the imported IR (cim-opt --emit=import) instead}}
func.func @placed_elsewhere(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {cim.device = "{}"} {
  return %x : tensor<?x4xf32>
}
