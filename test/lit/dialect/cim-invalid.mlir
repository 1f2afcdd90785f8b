// RUN: cim-opt %s -split-input-file -verify-diagnostics
// cim.linear checks that its kind has the operands and attributes its runtime step reads,
// and every decision the CIM passes attached (weights, hybrid, inputs, mapping, adc, noise):
// types, ranges, slice sums and offsets, lengths against the weights and groups.
// cim.digital_linear checks its kind the same way, and its precision.

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
  // expected-error @+1 {{takes float32 x}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", settings = {}} : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
  return %y : tensor<2x4xf64>
}

// -----

func.func @no_layer_name(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{needs the layer's name}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "", settings = {}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Every decision, consistent: K = 5 on 4-row arrays is 2 row blocks; 2 x 2 x 4 full scales.
func.func @all_decided(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}, inputs = {bits = 8 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 3, 4>, offsets = array<i64: 0, 3>}, mapping = {rows = 4 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 2 : i64, col_blocks = 1 : i64, slices = 4 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}, adc = {bits = 8 : i64, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>, mode = "full", noise_lsb = 0.0, percentile = 100.0, samples = 1 : i64}, noise = {chip_seed = 0 : ui64, layer_ids = [1 : ui64], program = 0.0, read = 0.0, seed = 0 : ui64, stuck_at_max = 0.0, stuck_at_min = 0.0}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_bits(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.bits is 20, expected 2..16}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 20 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_slice_sum(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.slices sums to 6 bits, expected 7 (weights.bits - 1)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 1>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_slice_width(%x: tensor<2x5xf32>, %w: tensor<5x2xi16>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.slices has a slice of 8 bits, expected 1..7}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 9 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 8>, offsets = array<i64: 0>}} : (tensor<2x5xf32>, tensor<5x2xi16>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_offsets(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.offsets must be the sums of the slices below each ([2] is 4, expected 3)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 4, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @scale_count(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.scales has 1 scales, expected 2 (one per output channel)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @scale_value(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.scales holds 0.000000e+00, expected finite scales > 0}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 0.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @wide_levels(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{has weights quantized to 12 bits, so W must be i16, got 'i8'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 12 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 4, 4, 3>, offsets = array<i64: 0, 4, 8>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @unquantized_integers(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{takes float32 weights until they are quantized (no `weights` yet)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", settings = {}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @unknown_field(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.zero_point is not a field of weights (bits, granularity, clip_percentile, scales, slices, offsets)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, zero_point = 0 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @percentile_type(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.clip_percentile must be an f64 number}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100 : i64, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @hybrid_dac_bits(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{inputs.slices sums to 7 bits, expected 3 (hybrid.analog_bits - 1: the DAC carries the analog part)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>, inputs = {bits = 8 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 3, 4>, offsets = array<i64: 0, 3>}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @hybrid_qmax(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{hybrid.analog_qmax is 8, expected 2^(analog_bits - 1) - 1 = 7}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 8>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @input_scale(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{inputs.scale must be one of "dynamic_row", "static"}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", inputs = {bits = 8 : i64, clip_percentile = 100.0, scale = "per_tensor", slices = array<i64: 3, 4>, offsets = array<i64: 0, 3>}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_shape(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping is for 1 groups of 4 x 2, but W holds 1 of 5 x 2}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", mapping = {rows = 4 : i64, cols = 8 : i64, k = 4 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 2 : i64, col_blocks = 1 : i64, slices = 4 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_blocks(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping.row_blocks is 1, expected ceil(k / rows) = 2}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", mapping = {rows = 4 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 1 : i64, col_blocks = 1 : i64, slices = 4 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_slices(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping.slices is 3, but weights.slices has 4}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}, mapping = {rows = 4 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 2 : i64, col_blocks = 1 : i64, slices = 3 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_alone(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc needs mapping, inputs and weights (its full scales are per row block, input slice and weight slice)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", adc = {bits = 8 : i64, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>, mode = "full", noise_lsb = 0.0, percentile = 100.0, samples = 1 : i64}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_full_scales(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc.full_scales has 15 entries, expected 16 (row blocks x input slices x weight slices)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}, inputs = {bits = 8 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 3, 4>, offsets = array<i64: 0, 3>}, mapping = {rows = 4 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 2 : i64, col_blocks = 1 : i64, slices = 4 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}, adc = {bits = 8 : i64, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>, mode = "full", noise_lsb = 0.0, percentile = 100.0, samples = 1 : i64}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_mode(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc.mode must be one of "ideal", "full", "dynamic", "calibrated"}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_channel", scales = array<f32: 1.0, 2.0>, slices = array<i64: 1, 2, 2, 2>, offsets = array<i64: 0, 1, 3, 5>}, inputs = {bits = 8 : i64, clip_percentile = 100.0, scale = "dynamic_row", slices = array<i64: 3, 4>, offsets = array<i64: 0, 3>}, mapping = {rows = 4 : i64, cols = 8 : i64, k = 5 : i64, n = 2 : i64, groups = 1 : i64, row_blocks = 2 : i64, col_blocks = 1 : i64, slices = 4 : i64, arrays = 8 : i64, rows_per_sample = 1 : i64, utilisation = 0.3 : f64}, adc = {bits = 8 : i64, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>, mode = "half", noise_lsb = 0.0, percentile = 100.0, samples = 1 : i64}} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @layer_ids(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{noise.layer_ids has 2 ids for 1 groups}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = {chip_seed = 0 : ui64, layer_ids = [1 : ui64, 2 : ui64], program = 0.0, read = 0.0, seed = 0 : ui64, stuck_at_max = 0.0, stuck_at_min = 0.0}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @signed_seed(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{noise.seed must be a ui64 integer}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = {chip_seed = 0 : ui64, layer_ids = [1 : ui64], program = 0.0, read = 0.0, seed = 0 : i64, stuck_at_max = 0.0, stuck_at_min = 0.0}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @stuck_sum(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{noise.stuck_at_min + noise.stuck_at_max: 0.75 + 0.5 is more than 1}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = {chip_seed = 0 : ui64, layer_ids = [1 : ui64], program = 0.0, read = 0.0, seed = 0 : ui64, stuck_at_max = 0.5, stuck_at_min = 0.75}} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Per tensor means one scale per group.
func.func @conv_group_scales(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x1x1xi8>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{weights.scales has 1 scales, expected 2 (one per group)}}
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, weights = {bits = 8 : i64, clip_percentile = 100.0, granularity = "per_tensor", scales = array<f32: 1.0>, slices = array<i64: 7>, offsets = array<i64: 0>}} : (tensor<1x4x3x3xf32>, tensor<4x2x1x1xi8>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @conv_group_divides(%x: tensor<1x6x3x3xf32>, %w: tensor<4x2x1x1xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{has group 3, which must divide the 4 output channels of W}}
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x6x3x3xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @digital_fp16(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'cim.digital_linear' op has precision 'fp16' (one of fp32, bf16, int8, w8a16)}}
  %y = cim.digital_linear %x, %w {kind = "matmul", layer = "d", precision = "fp16"} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @digital_integer_weights(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'cim.digital_linear' op takes float32 weights}}
  %y = cim.digital_linear %x, %w {kind = "matmul", layer = "d", precision = "int8"} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @digital_kind(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'cim.digital_linear' op of kind gemm needs 2-D x and W and alpha, beta, transB}}
  %y = cim.digital_linear %x, %w {kind = "gemm", layer = "d", precision = "bf16"} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @hybrid_bits(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{hybrid.analog_bits is 1, expected 2..16}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", hybrid = #cim.hybrid<analog_bits = 1, analog_qmax = 0>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
