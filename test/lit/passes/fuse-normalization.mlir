// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fuse-normalization))' | FileCheck %s
// RUN: cim-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(cim-fuse-normalization))' --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// cim-fuse-normalization: a LayerNormalization over the last axis whose Y only CIM gemm and
// matmul layers read goes into each of them as `layer_norm` (its scale and bias appended after
// the layer's operands); anything else keeps its LayerNormalization step.

// A pre-LN block: one normalisation read by two projections (each takes it), one without a
// bias, and one before a Gemm with C (the scale is then operand 3).
// CHECK-LABEL: func.func @fused
// CHECK-NOT: onnx.LayerNormalization
// CHECK: %[[Q:.*]] = cim.linear %arg0, %[[W:.*]], %[[S:.*]], %[[B:.*]] {kind = "matmul", layer = "q", layer_norm = {bias = 3 : i64, epsilon = 9.99999974E-6 : f32, scale = 2 : i64}}
// CHECK: %[[K:.*]] = cim.linear %arg0, %[[W]], %[[S]], %[[B]] {kind = "matmul", layer = "k", layer_norm = {bias = 3 : i64, epsilon = 9.99999974E-6 : f32, scale = 2 : i64}}
// CHECK: %[[F:.*]] = cim.linear %[[Q]], %[[W]], %[[S]] {kind = "matmul", layer = "f", layer_norm = {epsilon = 1.000000e-03 : f32, scale = 2 : i64}}
// CHECK: %[[G:.*]] = cim.linear %[[K]], %[[W]], %[[C:.*]], %[[S]], %[[B]] {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, kind = "gemm", layer = "g", layer_norm = {bias = 4 : i64, epsilon = 9.99999974E-6 : f32, scale = 3 : i64}, transB = 0 : i64}
// CHECK: return %[[F]], %[[G]]
// LOC-DAG: loc(fused<["ln"]>
// LOC-DAG: loc(fused<["ln_f"]>
// LOC-DAG: loc(fused<["ln_g"]>
func.func @fused(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %s = onnx.Constant {value = dense<[1.0, 2.0, 0.5, 1.5]> : tensor<4xf32>} : tensor<4xf32>
  %b = onnx.Constant {value = dense<0.25> : tensor<4xf32>} : tensor<4xf32>
  %c = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %y, %m, %i = onnx.LayerNormalization %x, %s, %b {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>) loc("ln")
  %q = cim.linear %y, %w {kind = "matmul", layer = "q"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("q")
  %k = cim.linear %y, %w {kind = "matmul", layer = "k"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("k")
  %yf, %mf, %if = onnx.LayerNormalization %q, %s {axis = 1 : i64, epsilon = 1.0E-3 : f32} : (tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>) loc("ln_f")
  %f = cim.linear %yf, %w {kind = "matmul", layer = "f"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("f")
  %yg, %mg, %ig = onnx.LayerNormalization %k, %s, %b {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>) loc("ln_g")
  %g = cim.linear %yg, %w, %c {kind = "gemm", layer = "g", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32> loc("g")
  return %f, %g : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Y read by something else too (a residual add, as after a post-LN block): nothing fuses.
// CHECK-LABEL: func.func @another_reader
// CHECK: %[[Y:.*]], %{{.*}}, %{{.*}} = onnx.LayerNormalization
// CHECK: cim.linear %[[Y]], %{{[^,]*}} {kind = "matmul", layer = "q"}
// CHECK-NOT: layer_norm
func.func @another_reader(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %s = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %y, %m, %i = onnx.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %q = cim.linear %y, %w {kind = "matmul", layer = "q"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r = onnx.Add %y, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %q, %r : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// A digital layer (its rows are not quantized for DACs), a Mean that is read, a normalisation
// over more than the last axis, a broadcast scale, and a convolution: none fuses.
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-5: onnx.LayerNormalization
// CHECK-NOT: layer_norm
func.func @not_fused(%x: tensor<?x4xf32>, %x3: tensor<?x2x4xf32>, %img: tensor<?x1x4x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x2x4xf32>, tensor<?x4xf32>, tensor<?x2x3x3xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %s = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %s1 = onnx.Constant {value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  %s24 = onnx.Constant {value = dense<1.0> : tensor<2x4xf32>} : tensor<2x4xf32>
  %wc = onnx.Constant {value = dense<0.5> : tensor<2x1x2x2xf32>} : tensor<2x1x2x2xf32>
  %y1, %m1, %i1 = onnx.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %d = cim.digital_linear %y1, %w {kind = "matmul", layer = "d", precision = "fp32"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y2, %m2, %i2 = onnx.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %a = cim.linear %y2, %w {kind = "matmul", layer = "a"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y3, %m3, %i3 = onnx.LayerNormalization %x3, %s24 {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x2x4xf32>, tensor<2x4xf32>) -> (tensor<?x2x4xf32>, tensor<?x1x1xf32>, tensor<?x1x1xf32>)
  %b = cim.linear %y3, %w {kind = "matmul", layer = "b"} : (tensor<?x2x4xf32>, tensor<4x4xf32>) -> tensor<?x2x4xf32>
  %y4, %m4, %i4 = onnx.LayerNormalization %x, %s1 {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x4xf32>, tensor<1xf32>) -> (tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
  %c = cim.linear %y4, %w {kind = "matmul", layer = "c"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y5, %m5, %i5 = onnx.LayerNormalization %img, %s {axis = 3 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x1x4x4xf32>, tensor<4xf32>) -> (tensor<?x1x4x4xf32>, tensor<?x1x4x1xf32>, tensor<?x1x4x1xf32>)
  %v = cim.linear %y5, %wc {kind = "conv", layer = "v", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<?x1x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<?x2x3x3xf32>
  return %d, %a, %m2, %b, %c, %v : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x1xf32>, tensor<?x2x4xf32>, tensor<?x4xf32>, tensor<?x2x3x3xf32>
}

// -----

// A Reshape that keeps the rows (the last extent stays K) between the normalisation and the
// layer, as GPT-2's export flattens [batch, seq, K] before its Gemm: the Reshape then reshapes
// the normalisation's input. One that regroups the rows (to [?, 12]) keeps the step.
// CHECK-LABEL: func.func @through_reshape
// CHECK: %[[R:.*]] = onnx.Reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK: cim.linear %[[R]], %{{.*}}, %{{.*}}, %{{.*}} {alpha = {{.*}}, kind = "gemm", layer = "g", layer_norm = {bias = 3 : i64, epsilon = 9.99999974E-6 : f32, scale = 2 : i64}
// CHECK: %[[Y:.*]], %{{.*}}, %{{.*}} = onnx.LayerNormalization %arg1
// CHECK: onnx.Reshape %[[Y]]
func.func @through_reshape(%x: tensor<2x3x4xf32>, %x2: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x4xf32>) {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %w12 = onnx.Constant {value = dense<0.5> : tensor<12x4xf32>} : tensor<12x4xf32>
  %s = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %b = onnx.Constant {value = dense<0.1> : tensor<4xf32>} : tensor<4xf32>
  %rows = onnx.Constant {value = dense<[6, 4]> : tensor<2xi64>} : tensor<2xi64>
  %flat = onnx.Constant {value = dense<[2, 12]> : tensor<2xi64>} : tensor<2xi64>
  %y, %m, %i = onnx.LayerNormalization %x, %s, %b {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  %r = onnx.Reshape %y, %rows {allowzero = 0 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %g = cim.linear %r, %w {kind = "gemm", layer = "g", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64} : (tensor<6x4xf32>, tensor<4x4xf32>) -> tensor<6x4xf32>
  %y2, %m2, %i2 = onnx.LayerNormalization %x2, %s, %b {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  %r2 = onnx.Reshape %y2, %flat {allowzero = 0 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %h = cim.linear %r2, %w12 {kind = "gemm", layer = "h", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64} : (tensor<2x12xf32>, tensor<12x4xf32>) -> tensor<2x4xf32>
  return %g, %h : tensor<6x4xf32>, tensor<2x4xf32>
}

// -----

// Y is a layer's x and also its C: the layer would still read Y, so nothing fuses.
// CHECK-LABEL: func.func @x_and_c
// CHECK: onnx.LayerNormalization
// CHECK-NOT: layer_norm
func.func @x_and_c(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x4xf32>} : tensor<4x4xf32>
  %s = onnx.Constant {value = dense<1.0> : tensor<4xf32>} : tensor<4xf32>
  %y, %m, %i = onnx.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<4x4xf32>, tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
  %g = cim.linear %y, %w, %y {kind = "gemm", layer = "g", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 0 : i64} : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %g : tensor<4x4xf32>
}
