// RUN: cim-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-hybrid-split))' | FileCheck %s
// §7: h = inputs.hybrid_analog_bits is taken out of the settings; with h > 0 the layer gets
// `hybrid` with h and the analog clamp 2^(h-1) - 1. The DAC slices stay for cim-slice-inputs.

// CHECK-LABEL: func.func @hybrid
// CHECK: cim.linear %arg0, %arg1 {hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>, kind = "matmul", layer = "h", settings = {inputs = {bits = 8 : i64, slices = [1, 1, 1]}}}
func.func @hybrid(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "h", settings = {inputs = {bits = 8 : i64, hybrid_analog_bits = 4 : i64, slices = [1, 1, 1]}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// h = 0: no hybrid; h = bits: the clamp is the whole range.
// CHECK-LABEL: func.func @off_and_full
// CHECK: cim.linear %arg0, %arg1 {kind = "matmul", layer = "off", settings = {inputs = {bits = 8 : i64}}}
// CHECK: cim.linear %arg0, %arg1 {hybrid = #cim.hybrid<analog_bits = 8, analog_qmax = 127>, kind = "matmul", layer = "full"
func.func @off_and_full(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %a = cim.linear %x, %w {kind = "matmul", layer = "off", settings = {inputs = {bits = 8 : i64, hybrid_analog_bits = 0 : i64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %b = cim.linear %x, %w {kind = "matmul", layer = "full", settings = {inputs = {bits = 8 : i64, hybrid_analog_bits = 8 : i64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %a, %b : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

func.func @too_many_bits(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{layer 'big': inputs.hybrid_analog_bits is 9, expected 0 or 2..8 (inputs.bits 8)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "big", settings = {inputs = {bits = 8 : i64, hybrid_analog_bits = 9 : i64}}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// h beyond the field's range is refused even where inputs.bits (hand-written) is larger.
func.func @wide(%x: tensor<?x5xf32>, %w: tensor<5x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{layer 'wide': inputs.hybrid_analog_bits is 17, expected 0 or 2..16 (inputs.bits 20)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "wide", settings = {inputs = {bits = 20 : i64, hybrid_analog_bits = 17 : i64}}} : (tensor<?x5xf32>, tensor<5x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
