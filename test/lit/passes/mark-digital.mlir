// cim-mark-digital: the named layers stay digital at the precision the device gives them, and
// keep the mark (a plan step attribute); the others are placed as the device says. A name that
// is no layer, or that two layers share, is an error, and nothing is marked.
// RUN: %python -c "open('%t.json', 'w').write('{\"digital\": {\"enabled\": false, \"precision\": \"bf16\"}}')"
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-mark-digital{layers=/fc2,/lstm},cim-lower-to-cim{device=rram-256},cim-digital-layers))' | FileCheck %s --check-prefix=FP32
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-mark-digital{layers=/fc2,/lstm},cim-lower-to-cim{device=%t.json},cim-digital-layers))' | FileCheck %s --check-prefix=BF16
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=rram-256}))' | FileCheck %s --check-prefix=NONE

// FP32-LABEL: func.func @marked
// FP32: cim.linear %arg0, %{{.*}}, %{{.*}} {{{.*}}layer = "/fc1"
// FP32-NOT: cim.marked_digital
// FP32: onnx.Gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, cim.marked_digital = true, transA = 0 : i64, transB = 1 : i64}
// FP32: onnx.LSTM {{.*}}cim.marked_digital = true
// BF16-LABEL: func.func @marked
// BF16: cim.linear %arg0, %{{.*}}, %{{.*}} {{{.*}}layer = "/fc1"
// BF16: cim.digital_linear %{{.*}}, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, cim.marked_digital = true, kind = "gemm", layer = "/fc2", precision = "bf16", transB = 1 : i64}
// BF16: onnx.LSTM {{.*}}cim.marked_digital = true
// NONE-LABEL: func.func @marked
// NONE-NOT: cim.marked_digital
// NONE: cim.linear {{.*}}layer = "/fc2"
func.func @marked(%x: tensor<?x4xf32>, %s: tensor<3x?x2xf32>) -> (tensor<?x3xf32>, tensor<3x1x?x1xf32>) {
  %w1 = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %b1 = onnx.Constant {value = dense<0.25> : tensor<4xf32>} : tensor<4xf32>
  %w2 = onnx.Constant {value = dense<0.5> : tensor<3x4xf32>} : tensor<3x4xf32>
  %b2 = onnx.Constant {value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %h = onnx.Gemm %x, %w1, %b1 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32> loc("/fc1")
  %y = onnx.Gemm %h, %w2, %b2 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32> loc("/fc2")
  %lw = onnx.Constant {value = dense<0.1> : tensor<1x4x2xf32>} : tensor<1x4x2xf32>
  %lr = onnx.Constant {value = dense<0.1> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  %ly, %lh, %lc = onnx.LSTM %s, %lw, %lr {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 1 : i64, input_forget = 0 : i64, linear_before_reset = 0 : i64, optional_operands = array<i64>} : (tensor<3x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x1xf32>) -> (tensor<3x1x?x1xf32>, tensor<1x?x1xf32>, tensor<1x?x1xf32>) loc("/lstm")
  return %y, %ly : tensor<?x3xf32>, tensor<3x1x?x1xf32>
}

// -----

// expected-error @+1 {{cim-mark-digital: '/fc2' is no layer of the model (layers: /fc1)}}
func.func @unknown(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x3xf32>} : tensor<4x3xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32> loc("/fc1")
  %r = onnx.Relu %y : (tensor<?x3xf32>) -> tensor<?x3xf32> loc("/fc2")
  return %r : tensor<?x3xf32>
}

// -----

// expected-error @+1 {{cim-mark-digital: 2 layers are named '/fc2'; a mark cannot tell them apart}}
func.func @shared_name(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("/fc2")
  %z = onnx.MatMul %y, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("/fc2")
  return %z : tensor<?x4xf32>
}
