//===- CimOps.td - cim dialect operations --------------------*- tablegen -*-===//
#ifndef CIMLIR_CIM_OPS_TD
#define CIMLIR_CIM_OPS_TD

include "dialects/cim/CimAttrs.td"
include "dialects/cim/CimDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// What every linear layer op has: the matrix product of an ONNX Gemm, MatMul, Conv or
// ConvTranspose with a constant weight (cim-numerics.md §0), or the hidden product of an RNN, GRU or LSTM, its
// operands as the model has them and the attributes its kind reads (the recurrent kinds: the
// cell's, as the onnx ops hold them); `activation` ("relu", not for the recurrent kinds) is an
// activation cim-fuse-activations fused into the layer's epilogue, applied to y last.
defvar Cim_LinearArguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$weight,
                   Variadic<AnyRankedTensor>:$more,
                   StrAttr:$kind, StrAttr:$layer,
                   OptionalAttr<DenseI64ArrayAttr>:$optional_operands,
                   OptionalAttr<F32Attr>:$alpha, OptionalAttr<F32Attr>:$beta,
                   OptionalAttr<I64Attr>:$transB,
                   OptionalAttr<DenseI64ArrayAttr>:$strides,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   OptionalAttr<I64Attr>:$group,
                   OptionalAttr<I64Attr>:$hidden_size, OptionalAttr<StrAttr>:$direction,
                   OptionalAttr<StrArrayAttr>:$activations,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
                   OptionalAttr<F32Attr>:$clip, OptionalAttr<I64Attr>:$input_forget,
                   OptionalAttr<I64Attr>:$linear_before_reset,
                   OptionalAttr<StrAttr>:$activation);

def Cim_LinearOp : Cim_Op<"linear", [Pure]> {
  let summary = "a layer computed on CIM crossbars: y = CIM(x · W)";
  let description = [{
    The matrix product of a Gemm, MatMul, Conv or ConvTranspose whose weights are constant
    (or a recurrent layer's hidden product), placed on
    crossbars (cim-numerics.md §0–§7). `kind` says which ONNX op it computes and how x and
    W are read:
    - `gemm`: y = alpha · CIM(x · op(W)) + beta · C, W [K,N] or [N,K] with `transB`;
    - `matmul`: y = CIM(x · W), x [..., K], W [K,N];
    - `conv`: im2col rows of x (K ordered as W[M, C/g, k...] flattened, §0) times each
      group's W_g, with `strides`, `pads`, `dilations` and `group`.
    - `conv_transpose`: each input pixel's channels of group g (rows, K = C/g) times W_g
      (W [C, M/g, k...] read as [C/g, (M/g)·prod(k)]) give its contributions, scattered to
      the output positions i·stride − pad + t·dilation (y's shape says where it ends), with
      `strides`, `pads`, `dilations` and `group`; the bias after all of them.
    - `rnn`, `gru`, `lstm`: the hidden product H·R_d^T of a recurrent layer (W is R
      [D, G·H, H], a group per direction), run step after step by the cell around it; x is
      the input gates [seq, batch, D·G·H] (X·W^T + Wb, the layer's input projection, which
      cim-lower-to-cim places on crossbars as a `matmul` layer of its own). The operands
      after W are the ONNX op's optional ones that the node has, `optional_operands` giving
      their ONNX indices as on onnx.RNN/GRU/LSTM: B [D, 2·G·H] (its R half is read),
      sequence_lens, initial_h, initial_c, P. The results are Y [seq, D, batch, H] and
      Y_h [D, batch, H] (and LSTM's Y_c), and the cell's attributes are those of onnx.RNN,
      onnx.GRU and onnx.LSTM.
    The other kinds take at most one operand after W, the bias (Gemm's C), and give y.
    `layer` is the ONNX node name (the layer ids of §9 are FNV-1a 64 of "layer#g<group>").

    `layer_norm` (cim-fuse-normalization; gemm and matmul): the LayerNormalization over the
    last axis that x's rows go through before §3 quantizes them, a dictionary of `epsilon`
    (f32), `scale` and optionally `bias`, the indices of the operands after the layer's own
    that hold them (f32 [K]; kernels/cpu/LayerNormPrologue.h). x is then the normalisation's
    input.

    `cim-lower-to-cim` creates the op with `settings`, the layer's resolved device settings
    (docs/device-files.md, without `digital`), a dictionary per section. Each later pass
    takes the fields it decides out of `settings` and writes its decision as a typed
    attribute of its own (CimAttrs.td); once every field is decided, `settings` is gone. The
    decisions (docs/plan-format.md has the same fields, and the values each derives):
    - `weights` (#cim.weights, cim-quantize-weights, §1–§2): `bits`, `slices` (b_j, LSB
      first), `granularity`, `clip_percentile`, and `scales` (s_w: one per output channel in
      channel order, or one per group). W is then the integer Wq (i8, i16 above 8 bits) in
      W's own layout.
    - `hybrid` (#cim.hybrid, cim-hybrid-split, §7; only with h > 0): `analog_bits` (h) and
      `analog_qmax` (2^(h−1) − 1, the analog clamp).
    - `inputs` (#cim.inputs, cim-slice-inputs, §3): `bits`, the DAC `slices` (a_i, over
      h − 1 magnitude bits with `hybrid`), `scale` (`dynamic_row` or `static`),
      `clip_percentile`, and for `static` `static_scales` (cim-apply-calibration: s_x per
      group).
    - `mapping` (#cim.mapping, cim-map-crossbars, §2): the array size (`rows`, `cols`) and
      what is tiled (`k`, `n`, `groups`, `slices`, `rows_per_sample`).
    - `adc` (#cim.adc, cim-configure-adc, §5): `mode`, `bits`, `percentile`, `noise_lsb`,
      `samples` and `full_scales`, the `full` mode's R_r·(2^a_i − 1)·(2^b_j − 1) per (row
      block r, input slice i, weight slice j) at (r·T + i)·S + j; a `calibrated` ADC also
      `calibrated_full_scales` (cim-apply-calibration: FS per (group g, input slice i,
      weight slice j) at (g·T + i)·S + j).
    - `noise` (#cim.noise, cim-assign-seeds, §4, §9): `read`, `program`, `stuck_at_min`,
      `stuck_at_max`, `seed`, `chip_seed`, `normals` and `layer_ids` (one per group).
    ```mlir
    %y = cim.linear %x, %wq, %b {kind = "gemm", layer = "/fc2/Gemm", alpha = 1.0 : f32,
           beta = 1.0 : f32, transB = 1 : i64,
           weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel,
                                  clip_percentile = 100.0,
                                  scales = array<f32: 0.00167620042, ...>>,
           inputs = #cim.inputs<bits = 8, slices = [1, 1, 1, 1, 1, 1, 1], scale = dynamic_row,
                                clip_percentile = 100.0>,
           mapping = #cim.mapping<rows = 256, cols = 256, k = 128, n = 10, groups = 1,
                                  slices = 4, rows_per_sample = 1>,
           adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, noise_lsb = 0.0,
                          samples = 1, full_scales = array<i64: 128, 384, ...>>,
           noise = #cim.noise<read = 0.01, program = 0.0, stuck_at_min = 0.0,
                              stuck_at_max = 0.0, seed = 0, chip_seed = 0,
                              normals = exact, layer_ids = [3830924897941831690]>}
         : (tensor<?x128xf32>, tensor<10x128xi8>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
    Each decision checks its own fields (the field table's ranges, slice sums); the op
    checks them together: lengths against the weights and groups, input slices against
    `hybrid`, the mapping against W and the weight slices, §10's int32 partial sums.
  }];
  let arguments = !con(Cim_LinearArguments,
                       (ins OptionalAttr<DictionaryAttr>:$layer_norm,
                            OptionalAttr<DictionaryAttr>:$settings,
                            OptionalAttr<Cim_WeightsAttr>:$weights,
                            OptionalAttr<Cim_HybridAttr>:$hybrid,
                            OptionalAttr<Cim_InputsAttr>:$inputs,
                            OptionalAttr<Cim_MappingAttr>:$mapping,
                            OptionalAttr<Cim_AdcAttr>:$adc,
                            OptionalAttr<Cim_NoiseAttr>:$noise));
  let results = (outs AnyRankedTensor:$y, Variadic<AnyRankedTensor>:$states);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cim_DigitalLinearOp : Cim_Op<"digital_linear", [Pure]> {
  let summary = "a layer the device keeps digital, in a reduced precision (§8)";
  let description = [{
    The same matrix product as `cim.linear` (same `kind`, operands and kind attributes; W is
    the float32 weight as in the model), computed digitally in `precision`: `bf16` (bf16
    operands, fp32 accumulation), `int8` (W8A8: per-channel weights, per-row activations,
    int32 accumulation) or `w8a16` (int8 per-channel weights, bf16 activations). A layer
    the device keeps digital in fp32 stays the onnx op it was. `cim-digital-layers` creates
    it; plans get a `DigitalLinear` step. `fp32` is taken too: cim-opt's calibration plan
    (docs/numerics.md, "Calibration") computes every CIM layer so, on its float W.
    ```mlir
    %y = cim.digital_linear %x, %w, %b {kind = "gemm", layer = "/fc1/Gemm", precision = "bf16",
           alpha = 1.0 : f32, beta = 1.0 : f32, transB = 1 : i64}
         : (tensor<?x800xf32>, tensor<128x800xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = !con(Cim_LinearArguments, (ins StrAttr:$precision));
  let results = (outs AnyRankedTensor:$y, Variadic<AnyRankedTensor>:$states);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Cim_ElementwiseChainOp : Cim_Op<"elementwise_chain", [Pure]> {
  let summary = "a chain of elementwise ops computed as one step";
  let description = [{
    What cim-fuse-elementwise makes of onnx elementwise ops that each read the one before
    (float32 or float64): the value v starts as an element of the first input, and each
    entry of `program` replaces it, in order, exactly as the op it came from computes (the
    same float type, the same element functions: kernels/cpu/ChainMath.h). `program` is a
    list of dictionaries, one per op (kernels/cpu/ElementwiseChain.h,
    ChainInstructionFields):
    - `op`: the ONNX op type: Add, Sub, Mul, Div, Max, Min, Pow, PRelu, Relu, Gelu, or one
      of the unary float ops (Erf, Exp, Sqrt, Tanh, Sigmoid, ...);
    - binary ops: `input`, the index of the input holding the op's other operand (0 is the
      chain's own first input), and `swapped`, true when v is the op's second operand
      (c - v, c / v);
    - the unary ops with parameters: `alpha` and `beta` as the onnx op holds them; Gelu:
      `approximate`.
    - `Softmax` (no fields), float32 only and only as the last entry: each row of chain
      values along the last axis is then normalised as the Softmax step does it (attention's
      scale, mask and softmax in one step).
    Every input broadcasts to the first input's shape, which is y's. Plans get an
    `ElementwiseChain` step with the same `program`.
    ```mlir
    %y = cim.elementwise_chain %image, %c255, %mean, %std {program = [
           {op = "Div", input = 1 : i64, swapped = false},
           {op = "Sub", input = 2 : i64, swapped = false},
           {op = "Div", input = 3 : i64, swapped = false} ]}
         : (tensor<?x1x28x28xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, ArrayAttr:$program);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // CIMLIR_CIM_OPS_TD
