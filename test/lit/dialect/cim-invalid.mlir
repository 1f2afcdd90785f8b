// RUN: cim-opt %s -split-input-file -verify-diagnostics
// cim.linear checks that its kind has the operands and attributes its runtime step reads.

func.func @unknown_kind(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'cim.linear' op has unknown kind 'fft' (gemm, matmul or conv)}}
  %y = cim.linear %x, %w {kind = "fft", layer = "l", settings = {}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @gemm_without_alpha(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{of kind gemm needs 2-D x and W and alpha, beta, transB}}
  %y = cim.linear %x, %w {kind = "gemm", layer = "l", settings = {}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @conv_without_window(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{of kind conv needs x [N,C,D...], W [M,C/g,K...] and strides, pads, dilations, group}}
  %y = cim.linear %x, %w {kind = "conv", layer = "l", settings = {}} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

func.func @f64_weights(%x: tensor<2x3xf64>, %w: tensor<3x4xf64>) -> tensor<2x4xf64> {
  // expected-error @+1 {{takes float32 x and weights}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", settings = {}} : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
  return %y : tensor<2x4xf64>
}

// -----

func.func @no_layer_name(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{needs the layer's name}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "", settings = {}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
