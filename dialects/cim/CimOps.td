//===- CimOps.td - cim dialect operations --------------------*- tablegen -*-===//
#ifndef CIMLIR_CIM_OPS_TD
#define CIMLIR_CIM_OPS_TD

include "dialects/cim/CimAttrs.td"
include "dialects/cim/CimDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// What every linear layer op has: the matrix product of an ONNX Gemm, MatMul or Conv with a
// constant weight (cim-numerics.md §0), its operands as the model has them and the attributes
// its kind reads.
defvar Cim_LinearArguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias,
                   StrAttr:$kind, StrAttr:$layer,
                   OptionalAttr<F32Attr>:$alpha, OptionalAttr<F32Attr>:$beta,
                   OptionalAttr<I64Attr>:$transB,
                   OptionalAttr<DenseI64ArrayAttr>:$strides,
                   OptionalAttr<DenseI64ArrayAttr>:$pads,
                   OptionalAttr<DenseI64ArrayAttr>:$dilations,
                   OptionalAttr<I64Attr>:$group);

def Cim_LinearOp : Cim_Op<"linear", [Pure]> {
  let summary = "a layer computed on CIM crossbars: y = CIM(x · W)";
  let description = [{
    The matrix product of a Gemm, MatMul or Conv whose weights are constant, placed on
    crossbars (cim-numerics.md §0–§7). `kind` says which ONNX op it computes and how x and
    W are read:
    - `gemm`: y = alpha · CIM(x · op(W)) + beta · C, W [K,N] or [N,K] with `transB`;
    - `matmul`: y = CIM(x · W), x [..., K], W [K,N];
    - `conv`: im2col rows of x (K ordered as W[M, C/g, k...] flattened, §0) times each
      group's W_g, with `strides`, `pads`, `dilations` and `group`.
    `layer` is the ONNX node name (the layer ids of §9 are FNV-1a 64 of "layer#g<group>").

    `cim-lower-to-cim` creates the op with `settings`, the layer's resolved device settings
    (docs/device-files.md, without `digital`). Each later pass takes the fields it decides
    out of `settings` and writes its decision as an attribute of its own; once every field
    is decided, `settings` is gone. The decisions (docs/plan-format.md has the same fields):
    - `weights` (cim-quantize-weights, §1–§2): `bits`, `granularity`, `clip_percentile`,
      `scales` (s_w: one per output channel in channel order, or one per group), `slices`
      (b_j, LSB first) and `offsets` (p_j). W is then the integer Wq (i8, i16 above 8 bits)
      in W's own layout.
    - `hybrid` (cim-hybrid-split, §7; only with h > 0): a `#cim.hybrid` attribute (CimAttrs.td)
      with `analog_bits` (h) and `analog_qmax` (2^(h−1) − 1, the analog clamp).
    - `inputs` (cim-slice-inputs, §3): `bits`, `scale` (`dynamic_row` or `static`),
      `clip_percentile`, `static_scales` (`static` only, cim-apply-calibration: s_x per group),
      and the DAC `slices` (a_i) and `offsets` (o_i), over h − 1 magnitude bits with `hybrid`.
    - `mapping` (cim-map-crossbars, §2): the array size (`rows`, `cols`) and the tiling.
    - `adc` (cim-configure-adc, §5): `mode`, `bits`, `percentile`, `noise_lsb`, `samples`
      and `full_scales`, the `full` mode's R_r·(2^a_i − 1)·(2^b_j − 1) per (row block r,
      input slice i, weight slice j) at (r·T + i)·S + j; a `calibrated` ADC also
      `calibrated_full_scales` (cim-apply-calibration: FS per (group g, input slice i, weight
      slice j) at (g·T + i)·S + j).
    - `noise` (cim-assign-seeds, §4, §9): `read`, `program`, `stuck_at_min`, `stuck_at_max`,
      `seed`, `chip_seed` and `layer_ids` (one per group).
    ```mlir
    %y = cim.linear %x, %wq, %b {kind = "gemm", layer = "/fc2/Gemm", alpha = 1.0 : f32,
           beta = 1.0 : f32, transB = 1 : i64,
           weights = {bits = 8 : i64, clip_percentile = 1.0e+02, granularity = "per_channel",
                      offsets = array<i64: 0, 1, 3, 5>, scales = array<f32: 0.00167620042, ...>,
                      slices = array<i64: 1, 2, 2, 2>},
           inputs = {bits = 8 : i64, clip_percentile = 1.0e+02, scale = "dynamic_row",
                     offsets = array<i64: 0, 1, 2, 3, 4, 5, 6>, slices = array<i64: 1, 1, ...>},
           mapping = {rows = 256 : i64, cols = 256 : i64, row_blocks = 1 : i64, ...},
           adc = {bits = 8 : i64, full_scales = array<i64: 128, 384, ...>, mode = "full", ...},
           noise = {chip_seed = 0 : ui64, layer_ids = [3830924897941831690 : ui64],
                    read = 1.0e-02, seed = 0 : ui64, ...}}
         : (tensor<?x128xf32>, tensor<10x128xi8>, tensor<10xf32>) -> tensor<?x10xf32>
    ```
    The verifier checks each decision that is there: types, ranges, slice sums and offsets,
    and lengths against the weights and groups.
  }];
  let arguments = !con(Cim_LinearArguments,
                       (ins OptionalAttr<DictionaryAttr>:$settings,
                            OptionalAttr<DictionaryAttr>:$weights,
                            OptionalAttr<Cim_HybridAttr>:$hybrid,
                            OptionalAttr<DictionaryAttr>:$inputs,
                            OptionalAttr<DictionaryAttr>:$mapping,
                            OptionalAttr<DictionaryAttr>:$adc,
                            OptionalAttr<DictionaryAttr>:$noise));
  let results = (outs AnyRankedTensor:$y);
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
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // CIMLIR_CIM_OPS_TD
