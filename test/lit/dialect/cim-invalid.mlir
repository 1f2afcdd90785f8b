// RUN: cim-opt %s -split-input-file -verify-diagnostics
// cim.linear checks that its kind has the operands and attributes its runtime step reads,
// and every decision the CIM passes attached (weights, hybrid, inputs, mapping, adc, noise):
// each decision's fields through the field table (ranges, slice sums, names), then the
// decisions together: lengths against the weights and groups, slices that fit each other.
// cim.digital_linear checks its kind the same way, and its precision.

func.func @unknown_kind(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'cim.linear' op has unknown kind 'fft' (gemm, matmul, conv, conv_transpose, rnn, gru or lstm)}}
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

func.func @gru_without_cell(%x: tensor<5x2x6xf32>, %w: tensor<1x6x2xf32>) -> tensor<5x1x2x2xf32> {
  // expected-error @+1 {{of kind gru needs the cell's attributes}}
  %y = cim.linear %x, %w {kind = "gru", layer = "l", settings = {}} : (tensor<5x2x6xf32>, tensor<1x6x2xf32>) -> tensor<5x1x2x2xf32>
  return %y : tensor<5x1x2x2xf32>
}

// -----

func.func @lstm_with_a_gru_sized_r(%x: tensor<5x2x6xf32>, %w: tensor<1x6x2xf32>) -> tensor<5x1x2x2xf32> {
  // expected-error @+1 {{of kind lstm needs W (R) [1, 8, 2] and x (the input gates) [seq, batch, 8], got 'tensor<1x6x2xf32>' and 'tensor<5x2x6xf32>'}}
  %y = cim.linear %x, %w {kind = "lstm", layer = "l", settings = {}, hidden_size = 2 : i64, direction = "forward", activations = ["Sigmoid", "Tanh", "Tanh"], activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, input_forget = 0 : i64, linear_before_reset = 0 : i64} : (tensor<5x2x6xf32>, tensor<1x6x2xf32>) -> tensor<5x1x2x2xf32>
  return %y : tensor<5x1x2x2xf32>
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
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>, inputs = #cim.inputs<bits = 8, slices = [3, 4], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 4, cols = 8, k = 5, n = 2, groups = 1, slices = 4, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>>, noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_bits(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.bits: 20 is outside 2..16}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 20, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_slice_sum(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.slices: [1,2,2,1] sums to 6 but weights.bits - 1 is 7}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 1], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_slice_width(%x: tensor<2x5xf32>, %w: tensor<5x2xi16>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.slices[0]: 8 is outside 1..7 (a slice is 1 to 7 bits)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 9, slices = [8], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi16>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// The fields of a decision are all there, each once.
func.func @weight_missing_field(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+2 {{weights has no field 'scales' (still to give: slices)}}
  // expected-error @+1 {{failed to parse Cim_WeightsAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @weight_field_twice(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+2 {{weights.bits is given twice (still to give: granularity, clip_percentile, source)}}
  // expected-error @+1 {{failed to parse Cim_WeightsAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [7], bits = 8, granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @scale_count(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.scales has 1 entries, expected 2 (one per output channel)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @scale_value(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{weights.scales holds 0.000000e+00, expected finite values > 0}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 0.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @wide_levels(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{has weights quantized to 12 bits, so W must be i16, got 'i8'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 12, slices = [4, 4, 3], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
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
  // expected-error @+2 {{weights has no field 'zero_point' (still to give: slices, granularity, clip_percentile, source)}}
  // expected-error @+1 {{failed to parse Cim_WeightsAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, zero_point = 0, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @percentile_type(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-note @+3 {{add a trailing dot to make the literal a float}}
  // expected-error @+2 {{unexpected decimal integer literal for a floating point value}}
  // expected-error @+1 {{failed to parse Cim_WeightsAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100, source = float, scales = array<f32: 1.0, 2.0>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @hybrid_dac_bits(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{inputs.slices sums to 7 bits, expected 3 (hybrid.analog_bits - 1: the DAC carries the analog part)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>, inputs = #cim.inputs<bits = 8, slices = [3, 4], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
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
  // expected-error @+2 {{inputs.scale is 'per_tensor', expected one of "dynamic_row", "static"}}
  // expected-error @+1 {{failed to parse Cim_InputsAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", inputs = #cim.inputs<bits = 8, slices = [3, 4], scale = per_tensor, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_shape(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping is for 1 groups of 4 x 2, but W holds 1 of 5 x 2}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", mapping = #cim.mapping<rows = 4, cols = 8, k = 4, n = 2, groups = 1, slices = 4, rows_per_sample = 1>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_rows(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping.rows: 0 is outside}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", mapping = #cim.mapping<rows = 0, cols = 8, k = 5, n = 2, groups = 1, slices = 4, rows_per_sample = 1>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// The int32 partial sums (§2, §10): 2^20 rows of 7-bit input and weight slices overflow.
func.func @partial_sum_overflow(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{crossbar.rows: 1048576 rows · (2^7 - 1) · (2^7 - 1) = 16912482304 is 2^31 or more}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [7], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>, inputs = #cim.inputs<bits = 8, slices = [7], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 1048576, cols = 8, k = 5, n = 2, groups = 1, slices = 1, rows_per_sample = 1>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mapping_slices(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{mapping.slices is 3, but weights.slices has 4}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>, mapping = #cim.mapping<rows = 4, cols = 8, k = 5, n = 2, groups = 1, slices = 3, rows_per_sample = 1>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_alone(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc needs mapping, inputs and weights (its full scales are per row block, input slice and weight slice)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_full_scales(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc.full_scales has 15 entries, expected 16 (row blocks x input slices x weight slices)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>, inputs = #cim.inputs<bits = 8, slices = [3, 4], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 4, cols = 8, k = 5, n = 2, groups = 1, slices = 4, rows_per_sample = 1>, adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @adc_mode(%x: tensor<2x5xf32>, %w: tensor<5x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+2 {{adc.mode is 'half', expected one of "ideal", "full", "dynamic", "calibrated"}}
  // expected-error @+1 {{failed to parse Cim_AdcAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0, source = float, scales = array<f32: 1.0, 2.0>>, inputs = #cim.inputs<bits = 8, slices = [3, 4], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0>, mapping = #cim.mapping<rows = 4, cols = 8, k = 5, n = 2, groups = 1, slices = 4, rows_per_sample = 1>, adc = #cim.adc<mode = half, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16>>} : (tensor<2x5xf32>, tensor<5x2xi8>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @layer_ids(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{noise.layer_ids has 2 entries, expected 1 (one per group)}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1, 2]>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @signed_seed(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+2 {{noise.seed is -1, expected 0..2^64 - 1}}
  // expected-error @+1 {{failed to parse Cim_NoiseAttr parameter 'settings'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0, seed = -1, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @stuck_sum(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{noise.stuck_at_min + noise.stuck_at_max: 0.75 + 0.5 is more than 1}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", noise = #cim.noise<read = 0.0, program = 0.0, stuck_at_min = 0.75, stuck_at_max = 0.5, seed = 0, chip_seed = 0, normals = exact, layer_ids = [1]>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Per tensor means one scale per group.
func.func @conv_group_scales(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x1x1xi8>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{weights.scales has 1 entries, expected 2 (one per group)}}
  %y = cim.linear %x, %w {kind = "conv", layer = "c", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, weights = #cim.weights<bits = 8, slices = [7], granularity = per_tensor, clip_percentile = 100.0, source = float, scales = array<f32: 1.0>>} : (tensor<1x4x3x3xf32>, tensor<4x2x1x1xi8>) -> tensor<1x4x3x3xf32>
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

// -----

func.func @static_scales_not_static(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{inputs.static_scales is for inputs.scale 'static', not 'dynamic_row'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", inputs = #cim.inputs<bits = 8, slices = [7], scale = dynamic_row, clip_percentile = 100.0, range = percentile, smooth_alpha = 0.0, static_scales = array<f32: 0.5>>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @calibrated_not_calibrated(%x: tensor<2x5xf32>, %w: tensor<5x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{adc.calibrated_full_scales is for adc.mode 'calibrated', not 'full'}}
  %y = cim.linear %x, %w {kind = "matmul", layer = "l", adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, range = percentile, noise_lsb = 0.0, samples = 1, full_scales = array<i64: 1>, calibrated_full_scales = array<f32: 2.0>>} : (tensor<2x5xf32>, tensor<5x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @unknown_activation(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{has activation 'gelu' (only relu is fused)}}
  %y = cim.digital_linear %x, %w {activation = "gelu", kind = "matmul", layer = "g", precision = "fp32"} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// cim.elementwise_chain: each program entry is checked as a plan's (chainInstructionFrom).
func.func @chain_unknown_op(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'cim.elementwise_chain' op program entry 0: op 'LogSoftmax' cannot be in a chain}}
  %y = cim.elementwise_chain %x {program = [{op = "LogSoftmax"}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_input_out_of_range(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{program entry 1: Add reads input 1 of 1}}
  %y = cim.elementwise_chain %x {program = [{op = "Neg"}, {op = "Add", input = 1 : i64, swapped = false}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_missing_parameter(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{program entry 0: LeakyRelu needs field 'alpha'}}
  %y = cim.elementwise_chain %x {program = [{op = "LeakyRelu"}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_extra_field(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{program entry 0: Erf has an unknown field 'axis'}}
  %y = cim.elementwise_chain %x {program = [{op = "Erf", axis = 1 : i64}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_bad_approximate(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{program entry 0: Gelu has an unknown approximate 'fast'}}
  %y = cim.elementwise_chain %x {program = [{op = "Gelu", approximate = "fast"}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_integers(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{computes float32 or float64, not 'i32'}}
  %y = cim.elementwise_chain %x {program = [{op = "Neg"}]} : (tensor<3xi32>) -> tensor<3xi32>
  return %y : tensor<3xi32>
}

// -----

func.func @chain_not_broadcasting(%x: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{input 1 ('tensor<2xf32>') does not broadcast to 'tensor<2x3xf32>'}}
  %y = cim.elementwise_chain %x, %b {program = [{op = "Add", input = 1 : i64, swapped = false}]} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @chain_result_type(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{gives y of its first input's type, not 'tensor<3xf32>'}}
  %y = cim.elementwise_chain %x {program = [{op = "Neg"}]} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_empty(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{holds 1 to 16 instructions, not 0}}
  %y = cim.elementwise_chain %x {program = []} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_softmax_not_last(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{program entry 0: Softmax can only end a float32 chain}}
  %y = cim.elementwise_chain %x {program = [{op = "Softmax"}, {op = "Neg"}]} : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @chain_softmax_float64(%x: tensor<3xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{program entry 1: Softmax can only end a float32 chain}}
  %y = cim.elementwise_chain %x {program = [{op = "Neg"}, {op = "Softmax"}]} : (tensor<3xf64>) -> tensor<3xf64>
  return %y : tensor<3xf64>
}

// -----

func.func @chain_softmax_rank0(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{ends in a Softmax, which needs a rank of at least 1}}
  %y = cim.elementwise_chain %x {program = [{op = "Neg"}, {op = "Softmax"}]} : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

// A fused normalisation (layer_norm, cim-fuse-normalization): its fields, where its operands
// lie, their types and the kinds that take one.
func.func @layer_norm_on_conv(%x: tensor<?x1x4x4xf32>, %w: tensor<2x1x2x2xf32>, %s: tensor<4xf32>) -> tensor<?x2x3x3xf32> {
  // expected-error @+1 {{has layer_norm on a layer of kind conv; only gemm and matmul rows are normalised}}
  %y = cim.linear %x, %w, %s {kind = "conv", layer = "v", strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, layer_norm = {epsilon = 1.0e-5 : f32, scale = 2 : i64}} : (tensor<?x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<4xf32>) -> tensor<?x2x3x3xf32>
  return %y : tensor<?x2x3x3xf32>
}

// -----

func.func @layer_norm_unknown_field(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has an unknown layer_norm field 'axis' (epsilon, scale, bias)}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {axis = 1 : i64, epsilon = 1.0e-5 : f32, scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_without_epsilon(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has a layer_norm without a float epsilon and an i64 scale}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_unsigned_index(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has a layer_norm without a float epsilon and an i64 scale}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {epsilon = 1.0e-5 : f32, scale = 2 : ui64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_scale_in_the_layer(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has layer_norm scale 1, which must be the input after the layer's own (2, or 3 after a Gemm's C or a MatMul's bias)}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {epsilon = 1.0e-5 : f32, scale = 1 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_bias_not_after_scale(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has layer_norm bias 4, which must be the input after the scale (3) or absent}}
  %y = cim.linear %x, %w, %s, %s, %s {kind = "matmul", layer = "a", layer_norm = {bias = 4 : i64, epsilon = 1.0e-5 : f32, scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_missing_bias(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has 3 inputs, but its layer_norm says 4 (the layer's 2, the scale and the bias)}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {bias = 3 : i64, epsilon = 1.0e-5 : f32, scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_epsilon_zero(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has layer_norm epsilon 0.000000, which must be finite and > 0}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {epsilon = 0.0 : f32, scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @layer_norm_scale_type(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>, %s: tensor<1xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{has a layer_norm scale of type 'tensor<1xf32>', expected 'tensor<4xf32>'}}
  %y = cim.linear %x, %w, %s {kind = "matmul", layer = "a", layer_norm = {epsilon = 1.0e-5 : f32, scale = 2 : i64}} : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<1xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @matmul_bias_type(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{of kind matmul takes a bias of type 'tensor<3xf32>', got 'tensor<4xf32>'}}
  %y = cim.linear %x, %w, %b {kind = "matmul", layer = "a"} : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// cim.ext, on any op: a dictionary whose keys name the pass that wrote them.
func.func @ext_not_a_dictionary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'cim.ext' must be a dictionary}}
  %y = onnx.Relu %x {cim.ext = "tile=3"} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func.func @ext_key_not_namespaced(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'cim.ext' key 'tile' is not namespaced: name it <pass>.<name>}}
  %y = onnx.Relu %x {cim.ext = {mypass.note = "ok", tile = 3 : i64}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// cim.device holds the device file as text.
// expected-error @+1 {{'cim.device' must be the device file as a string}}
func.func @device_not_a_string(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {cim.device = 3 : i64} {
  return %x : tensor<?x4xf32>
}
