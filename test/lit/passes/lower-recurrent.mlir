// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=rram-256}))' | FileCheck %s
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=digital}))' | FileCheck %s --check-prefix=DIGITAL
// RUN: %python -c "open('%t.json', 'w').write('{\"digital\": {\"enabled\": true, \"precision\": \"bf16\"}}')"
// RUN: not cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=%t.json}))' 2>&1 | FileCheck %s --check-prefix=BF16

// A bidirectional LSTM on crossbars is two layers (docs/numerics.md, "Recurrent layers"):
// its input projection, a matmul layer "lstm.W" over X batch first and W^T [3, 2·4·2], plus
// Wb, back to [seq, batch, 16]; and its hidden product, an lstm layer "lstm.R" over R with
// the cell's attributes and B, which gives Y, Y_h and Y_c.
// CHECK-LABEL: func.func @lstm
// DIGITAL-LABEL: func.func @lstm
func.func @lstm(%x: tensor<5x?x3xf32>) -> (tensor<5x2x?x2xf32>, tensor<2x?x2xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<2x8x3xf32>} : tensor<2x8x3xf32>
  %r = onnx.Constant {value = dense<0.25> : tensor<2x8x2xf32>} : tensor<2x8x2xf32>
  %b = onnx.Constant {value = dense<0.125> : tensor<2x16xf32>} : tensor<2x16xf32>
  // CHECK: %[[WT:.*]] = onnx.Constant {value = dense_resource<lstm.W> : tensor<3x16xf32>}
  // CHECK: %[[XB:.*]] = onnx.Transpose %arg0 {perm = array<i64: 1, 0, 2>} : (tensor<5x?x3xf32>) -> tensor<?x5x3xf32>
  // CHECK: %[[P:.*]] = cim.linear %[[XB]], %[[WT]] {kind = "matmul", layer = "lstm.W", settings = {{.*}}} : (tensor<?x5x3xf32>, tensor<3x16xf32>) -> tensor<?x5x16xf32>
  // CHECK: %[[WB:.*]] = onnx.Constant {value = dense<1.250000e-01> : tensor<16xf32>}
  // CHECK: %[[PB:.*]] = onnx.Add %[[P]], %[[WB]]
  // CHECK: %[[G:.*]] = onnx.Transpose %[[PB]] {perm = array<i64: 1, 0, 2>} : (tensor<?x5x16xf32>) -> tensor<5x?x16xf32>
  // CHECK: %[[Y:[^ ]*]], %[[S:.*]]:2 = cim.linear %[[G]], %{{.*}}, %{{.*}} {activation_alpha = {{.*}}, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], direction = "bidirectional", hidden_size = 2 : i64, input_forget = 0 : i64, kind = "lstm", layer = "lstm.R", linear_before_reset = 0 : i64, optional_operands = array<i64: 3>, settings = {{.*}}} : (tensor<5x?x16xf32>, tensor<2x8x2xf32>, tensor<2x16xf32>) -> (tensor<5x2x?x2xf32>, tensor<2x?x2xf32>, tensor<2x?x2xf32>)
  // CHECK: return %[[Y]], %[[S]]#0
  // CHECK-NOT: onnx.LSTM
  // DIGITAL: onnx.LSTM
  // DIGITAL-NOT: cim.linear
  // BF16: error: {{.*}}layer 'lstm': a recurrent layer kept digital runs in fp32, not bf16
  %y, %yh, %yc = onnx.LSTM %x, %w, %r, %b {activation_alpha = array<f32: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"], direction = "bidirectional", hidden_size = 2 : i64, input_forget = 0 : i64, linear_before_reset = 0 : i64, optional_operands = array<i64: 3>} : (tensor<5x?x3xf32>, tensor<2x8x3xf32>, tensor<2x8x2xf32>, tensor<2x16xf32>) -> (tensor<5x2x?x2xf32>, tensor<2x?x2xf32>, tensor<2x?x2xf32>) loc("lstm")
  return %y, %yh : tensor<5x2x?x2xf32>, tensor<2x?x2xf32>
}

// -----

// W^T's columns are the rows of W (here one direction, hidden size 1: W [1, 4, 2] gives W^T
// [2, 4]); without B nothing is added.
// CHECK-LABEL: func.func @reverse_rnn_like_lstm
func.func @reverse_rnn_like_lstm(%x: tensor<3x?x2xf32>) -> tensor<1x?x1xf32> {
  %w = onnx.Constant {value = dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]]> : tensor<1x4x2xf32>} : tensor<1x4x2xf32>
  %r = onnx.Constant {value = dense<0.25> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  // CHECK: onnx.Constant {value = dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]]> : tensor<2x4xf32>}
  // CHECK-NOT: onnx.Add
  // CHECK: %{{.*}}, %[[S:.*]]:2 = cim.linear {{.*}}direction = "reverse"{{.*}}kind = "lstm", layer = "rev.R"{{.*}}optional_operands = array<i64>
  // CHECK: return %[[S]]#0
  %y, %yh, %yc = onnx.LSTM %x, %w, %r {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "reverse", hidden_size = 1 : i64, input_forget = 0 : i64, linear_before_reset = 0 : i64, optional_operands = array<i64>} : (tensor<3x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x1xf32>) -> (tensor<3x1x?x1xf32>, tensor<1x?x1xf32>, tensor<1x?x1xf32>) loc("rev")
  return %yh : tensor<1x?x1xf32>
}

// -----

// A streaming LSTM, as voice-activity and keyword models run one: its initial states are
// graph inputs, it has sequence_lens and peepholes, and its cell state Y_c is an output. The
// hidden product takes them all after R (optional_operands says which), and the cell gives
// Y_c itself.
// CHECK-LABEL: func.func @stateful
// CHECK: %{{.*}}, %[[S:.*]]:2 = cim.linear %{{.*}}, %{{.*}}, %arg1, %arg2, %arg3, %{{.*}} {{{.*}}kind = "lstm", layer = "state.R"{{.*}}optional_operands = array<i64: 4, 5, 6, 7>{{.*}}} : (tensor<4x1x8xf32>, tensor<1x8x2xf32>, tensor<1xi32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x6xf32>) -> (tensor<4x1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>)
// CHECK: return %[[S]]#0, %[[S]]#1
// CHECK-NOT: onnx.LSTM
func.func @stateful(%x: tensor<4x1x3xf32>, %lens: tensor<1xi32>, %h0: tensor<1x1x2xf32>, %c0: tensor<1x1x2xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<1x8x3xf32>} : tensor<1x8x3xf32>
  %r = onnx.Constant {value = dense<0.25> : tensor<1x8x2xf32>} : tensor<1x8x2xf32>
  %p = onnx.Constant {value = dense<0.1> : tensor<1x6xf32>} : tensor<1x6xf32>
  %y, %yh, %yc = onnx.LSTM %x, %w, %r, %lens, %h0, %c0, %p {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 2 : i64, input_forget = 0 : i64, linear_before_reset = 0 : i64, optional_operands = array<i64: 4, 5, 6, 7>} : (tensor<4x1x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>, tensor<1xi32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x6xf32>) -> (tensor<4x1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>) loc("state")
  return %yh, %yc : tensor<1x1x2xf32>, tensor<1x1x2xf32>
}
