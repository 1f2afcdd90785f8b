// A device's `layers` entries in cim-lower-to-cim: an entry puts one layer back on CIM under a
// device that keeps layers digital; an entry whose glob matches no layer (not even a node that
// is not a layer) is an error naming the glob and listing the layers, and nothing is lowered.
// The built-in /lm_head* entry is never an error (lower-to-cim.mlir has no such layer).
// RUN: %python -c "open('%t.json', 'w').write('{\"digital\": {\"enabled\": true, \"precision\": \"bf16\"}, \"noise\": {\"chip_seed\": 18446744073709551615}, \"layers\": {\"proj\": {\"digital\": {\"enabled\": false}}}}')"
// RUN: cim-opt %s --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=%t.json}))' | FileCheck %s
// RUN: %python -c "open('%t.none.json', 'w').write('{\"layers\": {\"proj\": {\"adc\": {\"bits\": 6}}, \"/conv9/*\": {\"digital\": true}}}')"
// RUN: not cim-opt %s --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=%t.none.json}))' 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: %python -c "open('%t.act.json', 'w').write('{\"layers\": {\"act\": {\"adc\": {\"bits\": 6}}}}')"
// RUN: not cim-opt %s --pass-pipeline='builtin.module(func.func(cim-lower-to-cim{device=%t.act.json}))' 2>&1 | FileCheck %s --check-prefix=ACT

// CHECK-LABEL: func.func @layers
// CHECK: onnx.Gemm %arg0, %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, cim.digital_precision = "bf16", transA = 0 : i64, transB = 1 : i64}
// A chip seed above 2^63 - 1 is a ui64.
// CHECK: cim.linear %arg1, %{{.*}} {kind = "matmul", layer = "proj", settings = {{{.*}}noise = {chip_seed = 18446744073709551615 : ui64,
// CHECK: onnx.MatMul %arg1, %arg2 : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32>
// CHECK: onnx.MatMul %arg1, %{{.*}} {cim.digital_precision = "bf16"} : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32>
// NONE: error: {{.*}}none.json: layers./conv9/*: the glob matches no layer (layers: fc, proj, /lm_head/MatMul)
// NONE-NOT: cim.linear
// ACT: error: {{.*}}act.json: layers.act: the glob matches no layer (layers: fc, proj, /lm_head/MatMul)
func.func @layers(%x: tensor<?x4xf32>, %y: tensor<?x5x4xf32>, %z: tensor<4x6xf32>) -> (tensor<?x3xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>) {
  %wg = onnx.Constant {value = dense<0.5> : tensor<3x4xf32>} : tensor<3x4xf32>
  %b = onnx.Constant {value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %w = onnx.Constant {value = dense<0.5> : tensor<4x6xf32>} : tensor<4x6xf32>
  %g = onnx.Gemm %x, %wg, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32> loc("fc")
  %p = onnx.MatMul %y, %w : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("proj")
  // An activation times an activation: a node, not a layer.
  %a = onnx.MatMul %y, %z : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("act")
  %h = onnx.MatMul %y, %w : (tensor<?x5x4xf32>, tensor<4x6xf32>) -> tensor<?x5x6xf32> loc("/lm_head/MatMul")
  return %g, %p, %a, %h : tensor<?x3xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>, tensor<?x5x6xf32>
}
