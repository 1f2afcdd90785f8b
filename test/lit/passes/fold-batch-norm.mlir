// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fold-batch-norm))' | FileCheck %s
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fold-batch-norm))' -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Conv then BatchNormalization: a = scale / sqrt(var + eps) = [4/2, 3/3] = [2, 1] scales each
// output channel's weights ([1, 3] to [2, 3]); the bias becomes (b - mean)·a + B = [(0.5 - 0.5)·2 + 0.1,
// (-1 - 1)·1 + 0.2] = [0.1, -1.8]. The normalisation and its constants are gone.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<[1.000000e-01, -1.800000e+00]> : tensor<2xf32>}
// CHECK: %[[Y:.*]] = onnx.Conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: onnx.BatchNormalization
// CHECK: return %[[Y]]
// The layer keeps its name; the folded node's is the FusedLoc's metadata over the layer's own
// location (unknown here), which cim-opt --report lists.
// LOC-LABEL: func.func @conv
// LOC: onnx.Conv {{.*}} loc("conv"(fused<["bn"]>[unknown]))
func.func @conv(%x: tensor<?x1x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %b = onnx.Constant {value = dense<[0.5, -1.0]> : tensor<2xf32>} : tensor<2xf32>
  %s = onnx.Constant {value = dense<[4.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.1, 0.2]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x3x3xf32> loc("conv")
  %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x3x3xf32> loc("bn")
  return %z : tensor<?x2x3x3xf32>
}

// -----

// A Conv without a bias gets one: -mean·a + B = [-0.9, -0.8] (in float32).
// CHECK-LABEL: func.func @conv_without_bias
// CHECK-DAG: onnx.Constant {value = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<[-0.899999976, -8.000000e-01]> : tensor<2xf32>}
// CHECK: onnx.Conv %arg0, %{{.*}}, %[[B]]
// CHECK-NOT: onnx.BatchNormalization
func.func @conv_without_bias(%x: tensor<?x1x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %s = onnx.Constant {value = dense<[4.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.1, 0.2]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x3x3xf32> loc("conv")
  %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x3x3xf32> loc("bn")
  return %z : tensor<?x2x3x3xf32>
}

// -----

// Gemm with transB: B [M, K], row j is output j; C the same for every row: C' = (beta·C -
// mean)·a + B = [(2·1 - 0.5)·2 + 0.1, (2·2 - 1)·1 + 0.2] = [3.1, 3.2], beta 1, alpha kept.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[}}2.000000e+00, 4.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>}
// CHECK-DAG: %[[C:.*]] = onnx.Constant {value = dense<[3.100000e+00, 3.200000e+00]> : tensor<2xf32>}
// CHECK: onnx.Gemm %arg0, %[[W]], %[[C]] {alpha = 5.000000e-01 : f32, beta = 1.000000e+00 : f32, transA = 0 : i64, transB = 1 : i64}
// CHECK-NOT: onnx.BatchNormalization
func.func @gemm(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %c = onnx.Constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %s = onnx.Constant {value = dense<[4.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.1, 0.2]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.Gemm %x, %w, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("fc")
  %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn")
  return %z : tensor<?x2xf32>
}

// -----

// A 2-D MatMul: B [K, M], column j scaled by a_j; the shift -mean·a + B an Add after it.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[}}2.000000e+00, 2.000000e+00], [6.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>}
// CHECK: %[[Y:.*]] = onnx.MatMul %arg0, %[[W]]
// CHECK: %[[B:.*]] = onnx.Constant {value = dense<[-0.899999976, -8.000000e-01]> : tensor<2xf32>}
// CHECK: %[[Z:.*]] = onnx.Add %[[Y]], %[[B]]
// CHECK-NOT: onnx.BatchNormalization
// CHECK: return %[[Z]]
func.func @matmul(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %s = onnx.Constant {value = dense<[4.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.1, 0.2]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("mm")
  %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn")
  return %z : tensor<?x2xf32>
}

// -----

// Left alone: a layer whose output is read elsewhere too, a MatMul of three axes (axis 1 is
// not its columns), parameters that are not constants, a negative variance (a NaN
// multiplier: the step computes what the model says), and a weight the model quantized
// itself (weights.source "model" programs its levels).
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-5: onnx.BatchNormalization
func.func @not_folded(%x: tensor<?x2xf32>, %x3: tensor<?x2x2xf32>, %s2: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %s = onnx.Constant {value = dense<[4.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.1, 0.2]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %neg = onnx.Constant {value = dense<[-3.0, 8.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.MatMul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("shared")
  %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn1")
  %y3 = onnx.MatMul %x3, %w : (tensor<?x2x2xf32>, tensor<2x2xf32>) -> tensor<?x2x2xf32> loc("batched")
  %z3 = onnx.BatchNormalization %y3, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x2xf32> loc("bn2")
  %ya = onnx.MatMul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("input_scale")
  %za = onnx.BatchNormalization %ya, %s2, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn3")
  %yn = onnx.MatMul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("negative")
  %zn = onnx.BatchNormalization %yn, %s, %beta, %mean, %neg {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn4")
  %wq = onnx.Constant {onnx.quantized_origin = {levels = dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>, scale = dense<1.0> : tensor<f32>}, value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %yq = onnx.MatMul %x, %wq : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("model_quantized")
  %zq = onnx.BatchNormalization %yq, %s, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn5")
  return %y, %z, %z3, %za, %zn, %zq : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Parameters that are one constant (canonicalize merges equal ones): folded, and each constant
// erased once.
// CHECK-LABEL: func.func @shared_parameters
// CHECK: onnx.Gemm
// CHECK-NOT: onnx.BatchNormalization
func.func @shared_parameters(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %ones = onnx.Constant {value = dense<1.0> : tensor<2xf32>} : tensor<2xf32>
  %zeros = onnx.Constant {value = dense<0.0> : tensor<2xf32>} : tensor<2xf32>
  %y = onnx.Gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32> loc("fc")
  %z = onnx.BatchNormalization %y, %ones, %zeros, %zeros, %ones {epsilon = 0.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32> loc("bn")
  return %z : tensor<?x2xf32>
}
