// RUN: cim-opt %s --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=rram-256}))' 2>&1 | FileCheck %s

// A recurrent layer the two CIM layers cannot compute stays the onnx op (fp32), with a
// warning that says why: here its R is a graph input, not weights to program.
// CHECK: warning: {{.*}}recurrent layer 'cell' stays digital (fp32): its W or R is not a constant
// CHECK-LABEL: func.func @hidden_weights_as_input
// CHECK: onnx.LSTM
// CHECK-NOT: cim.linear
func.func @hidden_weights_as_input(%x: tensor<4x1x3xf32>, %r: tensor<1x8x2xf32>) -> tensor<1x1x2xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<1x8x3xf32>} : tensor<1x8x3xf32>
  %y, %yh, %yc = onnx.LSTM %x, %w, %r {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 2 : i64, input_forget = 0 : i64, linear_before_reset = 0 : i64, optional_operands = array<i64>} : (tensor<4x1x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>) -> (tensor<4x1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>) loc("cell")
  return %yc : tensor<1x1x2xf32>
}
