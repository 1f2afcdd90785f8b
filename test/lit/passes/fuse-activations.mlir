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
