// cim-smooth-inputs: s_c = max|x_c|^α / max|W_c|^(1−α) per input channel c (the table's
// input_channel_max, and W's channel c over its outputs), the input divided by s and W's
// channel c times s_c; a layer with α = 0 is left alone. The numbers are chosen so that s is
// exact: matmul (W [K, N]) α = 1: s = x_max = [4, 1]; gemm (transB, W [N, K]) α = 0.5, x_max
// [16, 4], w_max [1, 1]: s = [4, 2]; grouped conv (one channel per group) α = 0.5, x_max
// [8, 2], w_max [2, 0.5]: s = [2, 2].
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-smooth-inputs{table=%S/Inputs/smooth-table.json}))' | FileCheck %s
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-smooth-inputs{table=%S/Inputs/smooth-table.json},cim-slice-inputs))' | FileCheck %s --check-prefix=SLICED
// The float weights a smoothed layer no longer uses are gone (the plan writes every constant);
// the one `off` still uses stays.
// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-smooth-inputs{table=%S/Inputs/smooth-table.json}))' | FileCheck %s --check-prefix=ERASED --implicit-check-not='[-1.000000e+00, 1.000000e+00]]>' --implicit-check-not='[5.000000e-01]]]]>'
// ERASED: dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [5.000000e-01, 2.500000e-01, 1.000000e+00]]>

// CHECK-LABEL: func.func @smoothed
// CHECK-DAG: %[[MMW:.*]] = onnx.Constant {value = dense<{{\[}}[4.000000e+00, 8.000000e+00, 1.200000e+01], [5.000000e-01, 2.500000e-01, 1.000000e+00]]> : tensor<2x3xf32>}
// CHECK-DAG: %[[MMS:.*]] = onnx.Constant {value = dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf32>}
// CHECK-DAG: %[[MMX:.*]] = onnx.Div %arg0, %[[MMS]]
// CHECK-DAG: cim.linear %[[MMX]], %[[MMW]] {cim.smoothed = true, kind = "matmul", layer = "mm"
// CHECK-DAG: %[[GMW:.*]] = onnx.Constant {value = dense<{{\[}}[4.000000e+00, 1.000000e+00], [-4.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>}
// CHECK-DAG: %[[GMS:.*]] = onnx.Constant {value = dense<[4.000000e+00, 2.000000e+00]> : tensor<2xf32>}
// CHECK-DAG: %[[GMX:.*]] = onnx.Div %arg1, %[[GMS]]
// CHECK-DAG: cim.linear %[[GMX]], %[[GMW]] {{{.*}}cim.smoothed = true, kind = "gemm", layer = "gm"
// CHECK-DAG: %[[CVW:.*]] = onnx.Constant {value = dense<{{\[}}{{\[}}{{\[}}[4.000000e+00]]], {{\[}}{{\[}}[1.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-DAG: %[[CVS:.*]] = onnx.Constant {value = dense<2.000000e+00> : tensor<2x1x1xf32>}
// CHECK-DAG: %[[CVX:.*]] = onnx.Div %arg2, %[[CVS]]
// CHECK-DAG: cim.linear %[[CVX]], %[[CVW]] {cim.smoothed = true, {{.*}}kind = "conv", layer = "cv"
// CHECK-DAG: cim.linear %arg0, %{{.*}} {kind = "matmul", layer = "off"
// SLICED-LABEL: func.func @smoothed
// SLICED: cim.smoothed = true, inputs = #cim.inputs<{{.*}}, smooth_alpha = 1.0>, kind = "matmul", layer = "mm"
func.func @smoothed(%x: tensor<?x2xf32>, %g: tensor<?x2xf32>, %img: tensor<?x2x3x3xf32>) -> (tensor<?x3xf32>, tensor<?x2xf32>, tensor<?x2x3x3xf32>, tensor<?x3xf32>) {
  %w = onnx.Constant {value = dense<[[1.0, 2.0, 3.0], [0.5, 0.25, 1.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %y = cim.linear %x, %w {kind = "matmul", layer = "mm", settings = {inputs = {bits = 8 : i64, clip_percentile = 100.0 : f64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 1.0 : f64}}} : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %v = onnx.Constant {value = dense<[[1.0, 0.5], [-1.0, 1.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %z = cim.linear %g, %v {alpha = 1.0 : f32, beta = 1.0 : f32, kind = "gemm", layer = "gm", transB = 1 : i64, settings = {inputs = {bits = 8 : i64, clip_percentile = 100.0 : f64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 0.5 : f64}}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %k = onnx.Constant {value = dense<[[[[2.0]]], [[[0.5]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %c = cim.linear %img, %k {dilations = array<i64: 1, 1>, group = 2 : i64, kind = "conv", layer = "cv", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, settings = {inputs = {bits = 8 : i64, clip_percentile = 100.0 : f64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 0.5 : f64}}} : (tensor<?x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x3x3xf32>
  %o = cim.linear %x, %w {kind = "matmul", layer = "off", settings = {inputs = {bits = 8 : i64, clip_percentile = 100.0 : f64, range = "percentile", scale = "dynamic_row", slices = [7], smooth_alpha = 0.0 : f64}}} : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y, %z, %c, %o : tensor<?x3xf32>, tensor<?x2xf32>, tensor<?x2x3x3xf32>, tensor<?x3xf32>
}

// -----

func.func @not_in_table(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = onnx.Constant {value = dense<1.0> : tensor<2x3xf32>} : tensor<2x3xf32>
  // expected-error @+1 {{layer 'nope': inputs.smooth_alpha needs the layer's input channel maxima; calibrate with --calibration DATASET}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "nope", settings = {inputs = {smooth_alpha = 0.5 : f64}}} : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

func.func @wrong_channels(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = onnx.Constant {value = dense<1.0> : tensor<2x3xf32>} : tensor<2x3xf32>
  // expected-error @+1 {{layer 'short': the calibration table's input_channel_max has 1 channels but the layer has 2}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "short", settings = {inputs = {smooth_alpha = 0.5 : f64}}} : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

func.func @transposed(%x: tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %w = onnx.Constant {value = dense<1.0> : tensor<2x2x1x1xf32>} : tensor<2x2x1x1xf32>
  // expected-error @+1 {{layer 'ct': inputs.smooth_alpha applies to Gemm, MatMul and Conv layers, not conv_transpose (set it to 0 for this layer)}}
  %y = cim.linear %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, kind = "conv_transpose", layer = "ct", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, settings = {inputs = {smooth_alpha = 0.5 : f64}}} : (tensor<?x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x3x3xf32>
  return %y : tensor<?x2x3x3xf32>
}
