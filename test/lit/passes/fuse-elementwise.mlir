// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fuse-elementwise))' | FileCheck %s
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fuse-elementwise))' --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// cim-fuse-elementwise: elementwise ops that each alone read the one before become one
// cim.elementwise_chain whose program lists them in order, the other operands as inputs
// (deduplicated; the chain's own input is input 0), `swapped` where the value is the second
// operand, the unary ops' parameters and Gelu's approximation. It keeps the last node's name
// and lists the others in its location.

// The input normalisation of the bundled models: (x / 255 - mean) / std.
// CHECK-LABEL: func.func @normalisation
// CHECK-NEXT: %[[C:.*]] = onnx.Constant {value = dense<2.550000e+02> : tensor<f32>}
// CHECK-NEXT: %[[M:.*]] = onnx.Constant {value = dense<2.860000e-01> : tensor<f32>}
// CHECK-NEXT: %[[S:.*]] = onnx.Constant {value = dense<3.530000e-01> : tensor<f32>}
// CHECK-NEXT: %[[Y:.*]] = cim.elementwise_chain %arg0, %[[C]], %[[M]], %[[S]] {program = [{input = 1 : i64, op = "Div", swapped = false}, {input = 2 : i64, op = "Sub", swapped = false}, {input = 3 : i64, op = "Div", swapped = false}]} : (tensor<?x1x28x28xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?x1x28x28xf32>
// CHECK-NEXT: return %[[Y]]
// LOC: cim.elementwise_chain {{.*}} loc(#[[L:loc[0-9]+]])
// LOC-DAG: #[[F:loc[0-9]+]] = loc(fused<["div_1", "sub"]>
// LOC-DAG: #[[L]] = loc("div_2"(#[[F]]))
func.func @normalisation(%x: tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32> {
  %c = onnx.Constant {value = dense<255.0> : tensor<f32>} : tensor<f32>
  %m = onnx.Constant {value = dense<0.286> : tensor<f32>} : tensor<f32>
  %s = onnx.Constant {value = dense<0.353> : tensor<f32>} : tensor<f32>
  %0 = onnx.Div %x, %c : (tensor<?x1x28x28xf32>, tensor<f32>) -> tensor<?x1x28x28xf32> loc("div_1")
  %1 = onnx.Sub %0, %m : (tensor<?x1x28x28xf32>, tensor<f32>) -> tensor<?x1x28x28xf32> loc("sub")
  %2 = onnx.Div %1, %s : (tensor<?x1x28x28xf32>, tensor<f32>) -> tensor<?x1x28x28xf32> loc("div_2")
  return %2 : tensor<?x1x28x28xf32>
}

// -----

// GELU as the exporters write it, x · (erf(x / sqrt 2) + 1) · 0.5: x is the chain's input and
// Mul's first operand (input 0, swapped), the constant 1 and 0.5 are one input each.
// CHECK-LABEL: func.func @gelu
// CHECK: cim.elementwise_chain %arg0, %{{.*}}, %{{.*}}, %{{.*}} {program = [{input = 1 : i64, op = "Div", swapped = false}, {op = "Erf"}, {input = 2 : i64, op = "Add", swapped = false}, {input = 0 : i64, op = "Mul", swapped = true}, {input = 3 : i64, op = "Mul", swapped = false}]}
// CHECK-NOT: onnx.
func.func @gelu(%x: tensor<?x17x128xf32>) -> tensor<?x17x128xf32> {
  %r2 = onnx.Constant {value = dense<1.41421354> : tensor<f32>} : tensor<f32>
  %one = onnx.Constant {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %half = onnx.Constant {value = dense<0.5> : tensor<f32>} : tensor<f32>
  %0 = onnx.Div %x, %r2 : (tensor<?x17x128xf32>, tensor<f32>) -> tensor<?x17x128xf32>
  %1 = onnx.Erf %0 : (tensor<?x17x128xf32>) -> tensor<?x17x128xf32>
  %2 = onnx.Add %1, %one : (tensor<?x17x128xf32>, tensor<f32>) -> tensor<?x17x128xf32>
  %3 = onnx.Mul %x, %2 : (tensor<?x17x128xf32>, tensor<?x17x128xf32>) -> tensor<?x17x128xf32>
  %4 = onnx.Mul %3, %half : (tensor<?x17x128xf32>, tensor<f32>) -> tensor<?x17x128xf32>
  return %4 : tensor<?x17x128xf32>
}

// -----

// Parameters: a unary op's alpha and beta as the onnx op holds them, Gelu's approximation;
// a per-channel operand [4] broadcasts; one operand used twice is one input; the value as the
// second operand of Sub is `swapped`.
// CHECK-LABEL: func.func @parameters
// CHECK: cim.elementwise_chain %arg0, %arg1 {program = [{alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32, op = "HardSigmoid"}, {input = 1 : i64, op = "Sub", swapped = true}, {approximate = "tanh", op = "Gelu"}, {input = 1 : i64, op = "Max", swapped = false}, {op = "Relu"}]} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
func.func @parameters(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = onnx.HardSigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = onnx.Sub %b, %0 : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = onnx.Gelu %1 {approximate = "tanh"} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = onnx.Max %2, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %4 = onnx.Relu %3 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %4 : tensor<2x3x4xf32>
}

// -----

// Where a chain ends: at a value read twice (the Mul/Add chain's result feeds Exp and Tanh),
// and before an op whose result is larger than the value (Add of x [3] and y [2, 3]): that op
// starts a chain of its own from y, x's chain's result one of its inputs. Integers and Mod
// (not a chain op) stay single steps, as does an op alone (Abs).
// CHECK-LABEL: func.func @boundaries
// CHECK: %[[A:.*]] = cim.elementwise_chain %arg0, %{{.*}} {program = [{input = 1 : i64, op = "Mul", swapped = false}, {input = 1 : i64, op = "Add", swapped = false}]}
// CHECK: %[[T:.*]] = onnx.Tanh %[[A]]
// CHECK: %[[B:.*]] = cim.elementwise_chain %[[A]], %[[T]] {program = [{op = "Exp"}, {input = 1 : i64, op = "Add", swapped = false}]} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[C:.*]] = cim.elementwise_chain %arg1, %[[B]] {program = [{input = 1 : i64, op = "Add", swapped = true}, {op = "Sigmoid"}]} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: onnx.Add %arg2, %arg2 : (tensor<3xi32>, tensor<3xi32>)
// CHECK: onnx.Neg
// CHECK: onnx.Mod
// CHECK: onnx.Abs
// CHECK: return %[[C]]
func.func @boundaries(%x: tensor<3xf32>, %y: tensor<2x3xf32>, %i: tensor<3xi32>) -> (tensor<2x3xf32>, tensor<3xi32>, tensor<3xf32>) {
  %k = onnx.Constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %0 = onnx.Mul %x, %k : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %1 = onnx.Add %0, %k : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %2 = onnx.Exp %1 : (tensor<3xf32>) -> tensor<3xf32>
  %3 = onnx.Tanh %1 : (tensor<3xf32>) -> tensor<3xf32>
  %4 = onnx.Add %2, %3 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %5 = onnx.Add %4, %y : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = onnx.Sigmoid %5 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = onnx.Add %i, %i : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %8 = onnx.Neg %7 : (tensor<3xi32>) -> tensor<3xi32>
  %9 = onnx.Mod %x, %k {fmod = 1 : i64} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %10 = onnx.Abs %9 : (tensor<3xf32>) -> tensor<3xf32>
  return %6, %8, %10 : tensor<2x3xf32>, tensor<3xi32>, tensor<3xf32>
}

// -----

// A chain holds at most 16 ops: 17 Negs give one chain of 16 and the last Neg alone.
// CHECK-LABEL: func.func @long
// CHECK: %[[A:.*]] = cim.elementwise_chain %arg0 {program = [{op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}, {op = "Neg"}]}
// CHECK-NEXT: %[[B:.*]] = onnx.Neg %[[A]]
// CHECK-NEXT: return %[[B]]
func.func @long(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = onnx.Neg %x : (tensor<3xf32>) -> tensor<3xf32>
  %1 = onnx.Neg %0 : (tensor<3xf32>) -> tensor<3xf32>
  %2 = onnx.Neg %1 : (tensor<3xf32>) -> tensor<3xf32>
  %3 = onnx.Neg %2 : (tensor<3xf32>) -> tensor<3xf32>
  %4 = onnx.Neg %3 : (tensor<3xf32>) -> tensor<3xf32>
  %5 = onnx.Neg %4 : (tensor<3xf32>) -> tensor<3xf32>
  %6 = onnx.Neg %5 : (tensor<3xf32>) -> tensor<3xf32>
  %7 = onnx.Neg %6 : (tensor<3xf32>) -> tensor<3xf32>
  %8 = onnx.Neg %7 : (tensor<3xf32>) -> tensor<3xf32>
  %9 = onnx.Neg %8 : (tensor<3xf32>) -> tensor<3xf32>
  %10 = onnx.Neg %9 : (tensor<3xf32>) -> tensor<3xf32>
  %11 = onnx.Neg %10 : (tensor<3xf32>) -> tensor<3xf32>
  %12 = onnx.Neg %11 : (tensor<3xf32>) -> tensor<3xf32>
  %13 = onnx.Neg %12 : (tensor<3xf32>) -> tensor<3xf32>
  %14 = onnx.Neg %13 : (tensor<3xf32>) -> tensor<3xf32>
  %15 = onnx.Neg %14 : (tensor<3xf32>) -> tensor<3xf32>
  %16 = onnx.Neg %15 : (tensor<3xf32>) -> tensor<3xf32>
  return %16 : tensor<3xf32>
}

// -----

// Attention's scores: scale, additive mask and a Softmax over the last axis in one chain (the
// Softmax ends it); a Softmax over another axis, or after a value read twice, stays a step.
// CHECK-LABEL: func.func @attention
// CHECK: %[[P:.*]] = cim.elementwise_chain %arg0, %{{.*}}, %arg1 {program = [{input = 1 : i64, op = "Div", swapped = false}, {input = 2 : i64, op = "Add", swapped = false}, {op = "Softmax"}]} : (tensor<?x4x17x17xf32>, tensor<f32>, tensor<?x1x1x17xf32>) -> tensor<?x4x17x17xf32>
// CHECK: onnx.Exp %[[P]]
// CHECK: %[[Q:.*]] = onnx.Div %arg0
// CHECK: onnx.Softmax %[[Q]] {axis = 2 : i64}
func.func @attention(%s: tensor<?x4x17x17xf32>, %mask: tensor<?x1x1x17xf32>) -> (tensor<?x4x17x17xf32>, tensor<?x4x17x17xf32>) {
  %d = onnx.Constant {value = dense<4.0> : tensor<f32>} : tensor<f32>
  %0 = onnx.Div %s, %d : (tensor<?x4x17x17xf32>, tensor<f32>) -> tensor<?x4x17x17xf32>
  %1 = onnx.Add %0, %mask : (tensor<?x4x17x17xf32>, tensor<?x1x1x17xf32>) -> tensor<?x4x17x17xf32>
  %2 = onnx.Softmax %1 {axis = 3 : i64} : (tensor<?x4x17x17xf32>) -> tensor<?x4x17x17xf32>
  %3 = onnx.Exp %2 : (tensor<?x4x17x17xf32>) -> tensor<?x4x17x17xf32>
  %4 = onnx.Div %s, %d : (tensor<?x4x17x17xf32>, tensor<f32>) -> tensor<?x4x17x17xf32>
  %5 = onnx.Softmax %4 {axis = 2 : i64} : (tensor<?x4x17x17xf32>) -> tensor<?x4x17x17xf32>
  return %3, %5 : tensor<?x4x17x17xf32>, tensor<?x4x17x17xf32>
}
