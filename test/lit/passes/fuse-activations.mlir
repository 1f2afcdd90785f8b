// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-fuse-activations))' | FileCheck %s
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fuse-activations))' --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// cim-fuse-activations: a layer whose y feeds a Relu alone takes it as `activation` (also when
// the Relu's result is a graph output); a y that something else reads too keeps its Relu step.
// The layer records the fused node in its location.

// CHECK-LABEL: func.func @fused
// CHECK: %[[A:.*]] = cim.linear %arg0, %{{.*}} {activation = "relu", kind = "matmul", layer = "a"}
// CHECK: %[[B:.*]] = cim.digital_linear %[[A]], %{{.*}} {activation = "relu", kind = "matmul", layer = "b", precision = "bf16"}
// CHECK: %[[C:.*]] = cim.linear %[[B]], %{{.*}} {kind = "matmul", layer = "c"}
// CHECK: %[[R:.*]] = onnx.Relu %[[C]]
// CHECK: return %[[R]], %[[C]]
// LOC-DAG: loc(fused<["ra"]>
// LOC-DAG: loc(fused<["rb"]>
func.func @fused(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %a = cim.linear %x, %w {kind = "matmul", layer = "a"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %ra = onnx.Relu %a : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("ra")
  %b = cim.digital_linear %ra, %w {kind = "matmul", layer = "b", precision = "bf16"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b")
  %rb = onnx.Relu %b : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("rb")
  %c = cim.linear %rb, %w {kind = "matmul", layer = "c"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("c")
  %rc = onnx.Relu %c : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("rc")
  return %rc, %c : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @not_a_relu_alone
// CHECK-NOT: activation =
func.func @not_a_relu_alone(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %a = cim.linear %x, %w {kind = "matmul", layer = "a"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %s = onnx.Sigmoid %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %s : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_is_the_output
// CHECK: %[[Y:.*]] = cim.linear %arg0, %{{.*}} {activation = "relu", kind = "matmul", layer = "o"}
// CHECK-NOT: onnx.Relu
// CHECK: return %[[Y]]
func.func @relu_is_the_output(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %a = cim.linear %x, %w {kind = "matmul", layer = "o"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r = onnx.Relu %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// A matmul's bias Add (a Linear layer exported as MatMul and Add, either operand order, the
// bias a constant, also one made after the layer (moved before it), or a graph input) goes
// into the layer as its bias, then the ReLU after it; also on a digital layer. An Add of
// another value defined after the layer, of a broadcast [1, N] tensor, or after a gemm keeps
// its step.
// CHECK-LABEL: func.func @bias
// CHECK: %[[A:.*]] = cim.linear %arg0, %[[W:.*]], %[[B:.*]] {activation = "relu", kind = "matmul", layer = "a"}
// CHECK: %[[D:.*]] = cim.digital_linear %[[A]], %[[W]], %[[B]] {kind = "matmul", layer = "d", precision = "int8"}
// CHECK: %[[I:.*]] = cim.linear %[[D]], %[[W]], %arg1 {kind = "matmul", layer = "i"}
// CHECK: %[[LC:.*]] = onnx.Constant {value = dense<2.500000e-01> : tensor<4xf32>}
// CHECK: %[[K:.*]] = cim.linear %[[I]], %[[W]], %[[LC]] {kind = "matmul", layer = "k"}
// CHECK: %[[L:.*]] = cim.linear %[[K]], %[[W]] {kind = "matmul", layer = "l"}
// CHECK: %[[LATE:.*]] = onnx.Neg %[[B]]
// CHECK: onnx.Add %[[L]], %[[LATE]]
// CHECK: %[[R:.*]] = cim.linear %{{.*}}, %[[W]] {kind = "matmul", layer = "r"}
// CHECK: onnx.Add %[[R]], %{{.*}} : (tensor<?x4xf32>, tensor<1x4xf32>)
// CHECK: %[[G:.*]] = cim.linear %{{.*}}, %[[W]] {alpha = {{.*}}, kind = "gemm", layer = "g", transB = 0 : i64}
// CHECK: onnx.Add %[[G]], %[[B]]
// LOC-DAG: loc(fused<["ba", "ra"]>
// LOC-DAG: loc(fused<["bd"]>
func.func @bias(%x: tensor<?x4xf32>, %input: tensor<4xf32>) -> tensor<?x4xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %b = onnx.Constant {value = dense<[1.0, -2.0, 0.5, 0.0]> : tensor<4xf32>} : tensor<4xf32>
  %b14 = onnx.Constant {value = dense<1.0> : tensor<1x4xf32>} : tensor<1x4xf32>
  %a = cim.linear %x, %w {kind = "matmul", layer = "a"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a")
  %ba = onnx.Add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32> loc("ba")
  %ra = onnx.Relu %ba : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("ra")
  %d = cim.digital_linear %ra, %w {kind = "matmul", layer = "d", precision = "int8"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("d")
  %bd = onnx.Add %b, %d : (tensor<4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("bd")
  %i = cim.linear %bd, %w {kind = "matmul", layer = "i"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %bi = onnx.Add %i, %input : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %k = cim.linear %bi, %w {kind = "matmul", layer = "k"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %lc = onnx.Constant {value = dense<0.25> : tensor<4xf32>} : tensor<4xf32>
  %bk = onnx.Add %k, %lc : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = cim.linear %bk, %w {kind = "matmul", layer = "l"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %late = onnx.Neg %b : (tensor<4xf32>) -> tensor<4xf32>
  %bl = onnx.Add %l, %late : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %r = cim.linear %bl, %w {kind = "matmul", layer = "r"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %br = onnx.Add %r, %b14 : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %g = cim.linear %br, %w {kind = "gemm", layer = "g", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %bg = onnx.Add %g, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %bg : tensor<?x4xf32>
}
