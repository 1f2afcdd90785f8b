// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-quantize-weights))' | FileCheck %s
// §1-§2 at compile time: s_w = clip / qmax_w, Wq = clamp(rint(W / s_w)) (half to even) in W's
// own layout as i8 (i16 above 8 bits), and the slice widths with their offsets; the
// `weights` settings are taken out of `settings`, the rest stays.

// Per channel, 8 bits: column 0 has max 0.5 (s = 0.5/127; 0.25/s = 63.5 -> 64), column 1
// max 2 (s = 2/127; -1/s = -63.5 -> -64).
// CHECK-LABEL: func.func @matmul
// CHECK: %[[WQ:.*]] = onnx.Constant {value = dense<{{\[\[}}127, -64], [64, 127]]> : tensor<2x2xi8>} : tensor<2x2xi8>
// CHECK-NOT: tensor<2x2xf32>
// CHECK: cim.linear %arg0, %[[WQ]] {kind = "matmul", layer = "m", settings = {adc = {bits = 8 : i64}}, weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 0.00393700786, 0.0157480314>>} : (tensor<?x2xf32>, tensor<2x2xi8>) -> tensor<?x2xf32>
func.func @matmul(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[0.5, -1.0], [0.25, 2.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %y = cim.linear %x, %w {kind = "matmul", layer = "m", settings = {weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [1, 2, 2, 2], source = "float"}, adc = {bits = 8 : i64}}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Per tensor is per group: group 0 (channels 0, 1) has max 2, s = 2/7 in float32, just above
// 2/7, so 1/s = 3.4999998 -> 3; group 1 (channels 2, 3) max 3, 0.5/s -> 1. One slice of 3.
// CHECK-LABEL: func.func @conv_groups
// CHECK: dense<{{\[\[\[\[}}3]]], {{\[\[\[}}-7]]], {{\[\[\[}}7]]], {{\[\[\[}}1]]]]> : tensor<4x1x1x1xi8>
// CHECK: weights = #cim.weights<bits = 4, slices = [3], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 0.285714298, 0.428571433>>
// CHECK-NOT: settings
func.func @conv_groups(%x: tensor<?x2x3x3xf32>) -> tensor<?x4x3x3xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0]]], [[[-2.0]]], [[[3.0]]], [[[0.5]]]]> : tensor<4x1x1x1xf32>} : tensor<4x1x1x1xf32>
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, settings = {weights = {bits = 4 : i64, clip_percentile = 100.0 : f64, granularity = "per_tensor", slices = [3], source = "float"}}} : (tensor<?x2x3x3xf32>, tensor<4x1x1x1xf32>) -> tensor<?x4x3x3xf32>
  return %y : tensor<?x4x3x3xf32>
}

// -----

// 12 bits: i16 levels in the [N,K] layout of transB; an all-zero channel gets s_w = 1.
// CHECK-LABEL: func.func @gemm_wide
// CHECK: dense<{{\[\[}}2047, -1024, 512], [0, 0, 0]]> : tensor<2x3xi16>
// CHECK: weights = #cim.weights<bits = 12, slices = [4, 4, 3], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 4.88519785E-4, 1.000000e+00>>
func.func @gemm_wide(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[1.0, -0.5, 0.25], [0.0, 0.0, 0.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %y = cim.linear %x, %w {kind = "gemm", layer = "g", alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64, settings = {weights = {bits = 12 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [4, 4, 3], source = "float"}}} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Large weights become a resource named after W's, out of the IR text with --emit=cim.
// CHECK-LABEL: func.func @resource
// CHECK: onnx.Constant {value = dense_resource<weights_q> : tensor<4x5xi8>} : tensor<4x5xi8>
func.func @resource(%x: tensor<?x4xf32>) -> tensor<?x5xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<4x5xf32>} : tensor<4x5xf32>
  %y = cim.linear %x, %w {kind = "matmul", layer = "m", settings = {weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [7], source = "float"}}} : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

func.func @not_finite(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<[[0.5, 0x7FC00000], [0.25, 2.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  // expected-error @+1 {{layer 'nan': cim weight programming: W[0,1] is not finite}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "nan", settings = {weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [7], source = "float"}}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @not_constant(%x: tensor<?x2xf32>, %w: tensor<2x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'arg': W is not an onnx.Constant}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "arg", settings = {weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [7], source = "float"}}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @bad_slices(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<2x2xf32>} : tensor<2x2xf32>
  // expected-error @+1 {{layer 's': weights.slices: [3,3] sums to 6 but weights.bits - 1 is 7}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "s", settings = {weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", slices = [3, 3], source = "float"}}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @no_settings(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = onnx.Constant {value = dense<0.5> : tensor<2x2xf32>} : tensor<2x2xf32>
  // expected-error @+1 {{layer 'n': settings.weights.bits is missing or not an i64 integer (cim-lower-to-cim writes the device's settings)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "n"} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
