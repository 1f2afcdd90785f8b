//===- Passes.td - cimlir passes -----------------------------*- tablegen -*-===//
//
// The CIM passes, in the order cim-compile runs them (Pipeline.cpp): cim-fold-batch-norm,
// cim-mark-digital (with names), cim-lower-to-cim, cim-digital-layers, cim-smooth-inputs (with
// a calibration table), cim-hybrid-split, cim-quantize-weights, cim-slice-inputs,
// cim-map-crossbars, cim-configure-adc, cim-apply-calibration (with a calibration table),
// cim-assign-seeds, cim-fuse-activations, cim-verify-plan-contract.
// cim-lower-to-cim puts each layer's resolved device settings on its cim.linear as
// `settings`; every later pass takes the fields it decides out of `settings` and writes its
// decision as an attribute of its own (dialects/cim/CimOps.td), which the plan emitter
// writes into the CimLinear step and the runtime reads (docs/plan-format.md).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_PASSES_TD
#define CIMLIR_PASSES_TD

include "mlir/Pass/PassBase.td"

def VerifyPlanContract : Pass<"cim-verify-plan-contract", "::mlir::func::FuncOp"> {
  let summary = "Checks that a function is ready to be written into a plan";
  let description = [{
    Runs last, before plan emission (like torch-mlir's backend-contract check): every
    op must be one the runtime executes (an `onnx` or `cim` op, or `func.return`), every tensor
    ranked with an element type plans hold, and every dynamic dimension must be a
    batch dimension that cim-run can bind. Every `cim.linear` must have all its decisions
    (`weights`, `inputs`, `mapping`, `adc`, `noise`) and no `settings` left, and no op may
    still carry cim-lower-to-cim's digital mark. Fails with one error per offending op:

    ```mlir
    // error: layer 'fc': has device settings no pass decided: adc.bits adc.mode ...
    %y = cim.linear %x, %wq {kind = "matmul", layer = "fc", settings = {adc = {...}}, ...}
    ```

    Guarantees: a function that passes is accepted by the plan emitter.
  }];
  let statistics = [
    Statistic<"numSteps", "steps", "Number of ops that become plan steps">,
  ];
}

def FoldBatchNorm : Pass<"cim-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Folds inference BatchNormalization into the layer before it";
  let description = [{
    A BatchNormalization whose input X is the only use of an onnx.Conv, onnx.Gemm or 2-D
    onnx.MatMul with constant float32 weights, and whose scale, B, mean and var are float32
    constants of one value per channel (X's axis 1, the layer's outputs), is folded into the
    layer: with a = scale / sqrt(var + epsilon) (kernels/cpu/BatchNormMultiplier.h), output
    channel m's weights become a_m·W_m and its bias (b_m − mean_m)·a_m + B_m (a Gemm's C
    when it is the same for every row, beta then 1; a MatMul gets an onnx.Add after it).
    The layer keeps its name; its location records the folded node (a NameLoc over a
    FusedLoc), which `cim-opt --report` lists in its `fused` column.

    ```mlir
    %y = onnx.Conv %x, %w, %b {...} loc("/conv1/Conv")
    %z = onnx.BatchNormalization %y, %s, %beta, %mean, %var {epsilon = 1.0e-05 : f32} loc("/bn1")
    // becomes
    %z = onnx.Conv %x, %w_folded, %b_folded {...} loc("/conv1/Conv"(fused["/bn1"]))
    ```

    Left alone: a layer whose output has other users, a weight the model quantized itself
    (its levels are what `weights.source` "model" programs), a ConvTranspose, a MatMul of more
    than two axes, a Gemm whose C differs per row, non-constant parameters, and channels whose
    multiplier is not finite (the BatchNormalization step then computes them as the model
    says). Runs before cim-lower-to-cim, so that the weights are quantized once, folded
    (cim-numerics.md §1); `cim-opt --keep-batch-norm` leaves it out of the pipeline.
  }];
  let statistics = [
    Statistic<"numFolded", "folded", "BatchNormalization ops folded into a layer">,
  ];
}

def MarkDigital : Pass<"cim-mark-digital", "::mlir::func::FuncOp"> {
  let summary = "Marks the named layers to stay digital (sensitivity marking)";
  let description = [{
    Puts `cim.marked_digital = true` on every layer (a linear layer with a constant weight,
    or a recurrent node) whose ONNX node name is in `layers`; cim-lower-to-cim then keeps it
    digital at the precision the device gives that layer (`digital.precision`; a recurrent
    layer in fp32, its only digital precision), and the mark
    stays on the digital op, so the plan's step carries it too. `cim-opt --digital-budget`
    (docs/sensitivity.md) chooses the names; they are exact names, not globs.

    ```mlir
    // --cim-mark-digital='layers=/fc1/Gemm'
    %y = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, ...} loc("/fc1/Gemm")
    // becomes
    %y = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, cim.marked_digital = true, ...}
    ```

    Fails, listing the model's layers, for a name that is no layer of the function (a mark
    that matches nothing would leave the layer on crossbars, silently), and for a name that
    several layers share (the mark could not tell them apart).
  }];
  let options = [
    ListOption<"layers", "layers", "std::string",
               "ONNX node names of the layers to keep digital">,
  ];
  let statistics = [
    Statistic<"numMarked", "marked", "Layers marked to stay digital">,
  ];
}

def LowerToCim : Pass<"cim-lower-to-cim", "::mlir::func::FuncOp"> {
  let summary = "Places the layers with constant weights on CIM crossbars, as the device says";
  let description = [{
    Resolves the device file for every `onnx.Gemm` and `onnx.MatMul` whose B is constant and
    every `onnx.Conv` whose W is constant (cim-numerics.md §0), by ONNX node name. A layer
    on CIM becomes a `cim.linear` carrying its resolved device settings as `settings` (the
    sections of the device file but `digital`), which the later passes decide one by one.
    A layer the device keeps digital (§8), or that cim-mark-digital marked, stays the onnx
    op, marked with its precision (`cim.digital_precision`) for cim-digital-layers. Gemm's transA becomes a digital
    `onnx.Transpose` before the layer (§0). A MatMul with a 1-D activation stays the onnx
    op, unmarked (it has no crossbar mapping).

    ```mlir
    %y = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64}
    // becomes, under --device rram-256:
    %y = cim.linear %x, %w, %b {kind = "gemm", layer = "/fc1/Gemm", alpha = 1.0 : f32,
           beta = 1.0 : f32, transB = 1 : i64,
           settings = {adc = {bits = 8 : i64, mode = "full", ...}, crossbar = {...},
                       inputs = {...}, noise = {...}, weights = {...}}}
    // and under a device that keeps it digital in bf16:
    %y = onnx.Gemm %x, %w, %b {cim.digital_precision = "bf16", alpha = 1.0 : f32, ...}
    ```

    The resolved device file goes on the function as `cim.device` (compact JSON text), which
    the plan records; a function placed for another device already is refused.

    Guarantees: numerics are unchanged for digital layers; every `cim.linear` names its
    layer (the ONNX node name) and carries settings that passed the device-file checks.
  }];
  let options = [
    Option<"device", "device", "std::string", /*default=*/"\"digital\"",
           "device file or preset (docs/device-files.md); cim-opt's driver hands the "
           "device it loaded over in memory instead (createLowerToCim(device))">,
  ];
  let dependentDialects = ["::cimlir::cim::CimDialect"];
  let statistics = [
    Statistic<"numCimLayers", "cim-layers", "Layers placed on crossbars">,
    Statistic<"numDigitalLayers", "digital-layers", "Layers with constant weights left digital">,
  ];
}

def DigitalLayers : Pass<"cim-digital-layers", "::mlir::func::FuncOp"> {
  let summary = "Lowers the layers the device keeps digital (cim-numerics.md §8)";
  let description = [{
    Takes cim-lower-to-cim's mark off every layer the device keeps digital. An fp32 layer
    stays the onnx op it is (its numbers do not change); a layer in `bf16`, `int8` or
    `w8a16` becomes a `cim.digital_linear` with the same operands (W stays float32) and
    kind attributes and the `precision`, which plans hold as a `DigitalLinear` step.

    ```mlir
    %y = onnx.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32,
           cim.digital_precision = "bf16", transA = 0 : i64, transB = 1 : i64}
    // becomes
    %y = cim.digital_linear %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, kind = "gemm",
           layer = "/fc1/Gemm", precision = "bf16", transB = 1 : i64}
    ```

    Guarantees: no op carries `cim.digital_precision` afterwards. Fails, naming the layer,
    for a mark on an op that is not a linear layer with a constant weight.
  }];
  let dependentDialects = ["::cimlir::cim::CimDialect"];
  let statistics = [
    Statistic<"numFp32Layers", "fp32-layers", "Digital layers left as onnx ops (fp32)">,
    Statistic<"numReducedLayers", "reduced-precision-layers",
              "Digital layers in bf16, int8 or w8a16 (cim.digital_linear)">,
  ];
}

def SmoothInputs : Pass<"cim-smooth-inputs", "::mlir::func::FuncOp"> {
  let summary = "Migrates input outliers into the weights (SmoothQuant), per layer";
  let description = [{
    For every `cim.linear` whose settings give `inputs.smooth_alpha` = α > 0 (a Gemm, MatMul
    or Conv), with m_c = max |x_c| per input channel c over calibration data (the table's
    `input_channel_max`, measured on the fp32 network) and w_c = max |W| over the weights
    channel c multiplies: s_c = m_c^α / w_c^(1−α) (1 where m_c or w_c is 0), the layer's input
    divided by s (an `onnx.Div` in front, digital) and W's channel c multiplied by s_c
    (before weight quantization). In fp32 the layer computes what it did; on CIM the inputs'
    channels are flatter (fewer outliers for the DAC's levels) and the weights carry the
    difference (SmoothQuant, Xiao et al. 2023). The layer gets `cim.smoothed = true`; α stays
    in `settings` for cim-slice-inputs, which records it and refuses a layer with α > 0 that
    this pass did not smooth.

    ```mlir
    %y = cim.linear %x, %w {kind = "matmul", settings = {inputs = {smooth_alpha = 0.5, ...}}}
    // becomes, with input_channel_max [4.0, 1.0] and max |W| per channel [1.0, 1.0]:
    %xs = onnx.Div %x, dense<[2.0, 1.0]>
    %y = cim.linear %xs, %w_scaled {cim.smoothed = true, kind = "matmul", ...}
    ```

    Runs after placement and before calibration's static scales and ADC full scales are
    measured (cim-opt's driver measures the channel maxima first, smooths, then calibrates
    the smoothed layers). Fails, naming the layer, for another kind of layer, a table
    without its `input_channel_max` or with the wrong number of channels, and a weight that
    is not a float constant.
  }];
  let options = [
    Option<"table", "table", "std::string", /*default=*/"\"\"",
           "calibration table (JSON) holding input_channel_max">,
  ];
  let statistics = [
    Statistic<"numSmoothed", "smoothed-layers", "Layers whose inputs were smoothed">,
  ];
}

def HybridSplit : Pass<"cim-hybrid-split", "::mlir::func::FuncOp"> {
  let summary = "Splits hybrid layers' inputs into an analog clamp and a digital residual (§7)";
  let description = [{
    Takes `inputs.hybrid_analog_bits` = h out of every `cim.linear`'s settings. With h > 0
    the layer's quantized input xq runs on the crossbars clamped to ±(2^(h−1) − 1), and the
    residual d = xq − clamp(xq) is multiplied digitally and exactly; the pass records h and
    the clamp as `hybrid`. The DAC then carries h − 1 magnitude bits: cim-slice-inputs
    writes those analog DAC slices (h − 1 one-bit slices unless the device gives
    `inputs.slices`). With h = 0 nothing is written.

    ```mlir
    cim.linear ... {settings = {inputs = {bits = 8 : i64, hybrid_analog_bits = 4 : i64,
                                          slices = array<i64: 1, 1, 1>, ...}}}
    // becomes
    cim.linear ... {hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>,
                    settings = {inputs = {bits = 8 : i64, slices = array<i64: 1, 1, 1>, ...}}}
    ```

    Runs before cim-slice-inputs. Fails, naming the layer, when h is neither 0 nor in
    2..inputs.bits.
  }];
  let statistics = [
    Statistic<"numHybridLayers", "hybrid-layers", "Layers with a digital residual">,
  ];
}

def QuantizeWeights : Pass<"cim-quantize-weights", "::mlir::func::FuncOp"> {
  let summary = "Quantizes and slices each CIM layer's weights at compile time (§1, §2)";
  let description = [{
    Takes `weights` (bits, slices, granularity, clip_percentile) out of every `cim.linear`'s
    settings and quantizes each group's W_g with the backend-neutral quantizeWeights
    (kernels/cim/Quantization.h, which every backend shares): s_w = clip / qmax_w per
    output channel (or per group), Wq = clamp(rint(W / s_w)). The float32 weight operand is
    replaced by Wq as an integer constant of the same shape (i8, i16 above 8 bits), and
    the decision recorded as `weights` (#cim.weights, dialects/cim/CimAttrs.td): the
    settings with the slice widths b_j (§2) and the scales (output channel order g·N + n, or
    one per group).

    ```mlir
    %w = onnx.Constant {value = dense<[[0.5, -1.0], [0.25, 2.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
    %y = cim.linear %x, %w {kind = "matmul", layer = "m", settings = {weights = {bits = 8 : i64,
           clip_percentile = 1.000000e+02 : f64, granularity = "per_channel", slices = array<i64: 1, 2, 2, 2>}}}
    // becomes
    %wq = onnx.Constant {value = dense<[[127, -64], [64, 127]]> : tensor<2x2xi8>} : tensor<2x2xi8>
    %y = cim.linear %x, %wq {kind = "matmul", layer = "m", weights = #cim.weights<bits = 8,
           slices = [1, 2, 2, 2], granularity = per_channel, clip_percentile = 100.0,
           scales = array<f32: 0.00393700786, 0.0157480314>>}
    ```

    Guarantees: the plan holds the integers and scales the runtime programs; numbers do not
    change. Fails, naming the layer, for a weight that is not a constant or not finite, or
    settings that do not pass §10's checks.
  }];
  let statistics = [
    Statistic<"numWeights", "weights", "Weights quantized">,
  ];
}

def SliceInputs : Pass<"cim-slice-inputs", "::mlir::func::FuncOp"> {
  let summary = "Decides each CIM layer's input quantization and DAC slices (§3)";
  let description = [{
    Takes `inputs` (bits, slices, scale, clip_percentile) out of every `cim.linear`'s
    settings and records them as `inputs` (#cim.inputs), with the DAC slice widths a_i. A
    hybrid layer (`hybrid`, cim-hybrid-split) slices its h − 1 analog bits; any
    other layer its B_x − 1 magnitude bits.

    ```mlir
    cim.linear ... {settings = {inputs = {bits = 8 : i64, clip_percentile = 9.950000e+01 : f64,
                                          scale = "dynamic_row", slices = array<i64: 1, 2, 4>}}}
    // becomes
    cim.linear ... {inputs = #cim.inputs<bits = 8, slices = [1, 2, 4], scale = dynamic_row,
                                         clip_percentile = 99.5>}
    ```

    `static` input scales are recorded as `scale = static`; their values (s_x per group)
    come from calibration (cim-apply-calibration). Fails, naming the layer, for an unknown
    scale and when cim-hybrid-split has not run.
  }];
  let statistics = [
    Statistic<"numDacSlices", "dac-slices", "DAC slices of all layers">,
  ];
}

def MapCrossbars : Pass<"cim-map-crossbars", "::mlir::func::FuncOp"> {
  let summary = "Tiles each CIM layer onto crossbar arrays (cim-numerics.md §2)";
  let description = [{
    Takes `crossbar` (rows, cols) out of every `cim.linear`'s settings, cuts each group's
    K x N weight matrix into row blocks of `rows` and column blocks of floor(`cols` / 2)
    outputs (each output uses a differential column pair), one array per (row block,
    column block, weight slice), and records the mapping as the op's `mapping` attribute
    (#cim.mapping): the array size and what is tiled.

    ```mlir
    cim.linear ... {mapping = #cim.mapping<rows = 256, cols = 256, k = 800, n = 128, groups = 1,
                                           slices = 4, rows_per_sample = 1>, ...}
    ```
    The attribute derives the tiling, which plans and `cim-opt --report` show: row_blocks =
    ceil(K / rows) (4 here), col_blocks = ceil(N / (cols / 2)) (1), arrays = row_blocks ·
    col_blocks · slices · groups (16) and utilisation = 2·K·N·slices·groups / (arrays · rows
    · cols) (0.78125). `rows_per_sample` is how many rows of x
    one sample feeds the layer (1 for Gemm, OH·OW for Conv, the middle axes for an N-D
    MatMul), which the cost report multiplies by. Numbers do not change. Runs after
    cim-quantize-weights (the slices come from `weights`).
  }];
  let statistics = [
    Statistic<"numArrays", "arrays", "Crossbar arrays of all layers">,
  ];
}

def ConfigureAdc : Pass<"cim-configure-adc", "::mlir::func::FuncOp"> {
  let summary = "Decides each CIM layer's ADC and its full scales (§5)";
  let description = [{
    Takes `adc` (mode, bits, percentile, noise_lsb, samples) out of every `cim.linear`'s
    settings and records it as `adc` (#cim.adc) with `full_scales`: the `full` mode's full scale
    FS = R_r·(2^a_i − 1)·(2^b_j − 1) of every (row block r, DAC slice i, weight slice j),
    at (r·T + i)·S + j, R_r the rows of block r. They are written whatever the mode, since
    `cim-run --set adc.mode=full` may select it; the runtime converts with them.

    ```mlir
    // K = 300 on 128-row arrays (blocks of 128, 128, 44), DAC slices [1, 2], weight slices [3]:
    cim.linear ... {adc = #cim.adc<mode = full, bits = 6, percentile = 100.0, noise_lsb = 0.0,
                                   samples = 1,
                                   full_scales = array<i64: 896, 2688, 896, 2688, 308, 924>>, ...}
    ```

    Runs after cim-quantize-weights, cim-slice-inputs and cim-map-crossbars. The
    `calibrated` mode is recorded as such; its full scales come from calibration
    (cim-apply-calibration).
  }];
  let statistics = [
    Statistic<"numFullScales", "full-scales", "Full scales of all layers">,
  ];
}

def ApplyCalibration : Pass<"cim-apply-calibration", "::mlir::func::FuncOp"> {
  let summary = "Attaches calibrated input scales and ADC full scales from a table (§3, §5)";
  let description = [{
    Reads a calibration table (JSON, docs/numerics.md "Calibration"; `cim-opt --calibration`
    measures one, `--save-calibration` keeps it) and, for every `cim.linear` whose decided
    `inputs.scale` is `static` or whose `adc.mode` is `calibrated`, writes the layer's values:
    `inputs.static_scales` (array<f32>, s_x per group) and `adc.calibrated_full_scales`
    (array<f32>, groups·T·S, group-major then (input slice i, weight slice j)).

    ```mlir
    // table: "layers": {"fc": {"groups": [ {"input_scale": 0.5, "adc_full_scales": [3, 7]} ] }}
    cim.linear ... {inputs = #cim.inputs<..., scale = static, ...>,
                    adc = #cim.adc<mode = calibrated, ..., full_scales = array<i64: ...>>}
    // becomes
    cim.linear ... {inputs = #cim.inputs<..., static_scales = array<f32: 5.000000e-01>>,
                    adc = #cim.adc<..., calibrated_full_scales = array<f32: 3.0, 7.0>>}
    ```

    Other layers and table entries for layers not in the function are left alone. Runs after
    cim-configure-adc. Fails, naming the layer, for a layer the table lacks, a wrong number of
    groups or of full scales, and a scale that is not finite and > 0 (full scales: >= 0);
    and, naming the file, for an unreadable table.
  }];
  let options = [
    Option<"table", "table", "std::string", /*default=*/"\"\"",
           "calibration table (JSON) to read">,
  ];
  let statistics = [
    Statistic<"numCalibrated", "calibrated-layers", "Layers given calibrated values">,
  ];
}

def AssignSeeds : Pass<"cim-assign-seeds", "::mlir::func::FuncOp"> {
  let summary = "Decides each CIM layer's noise, seeds and layer ids (§4, §9)";
  let description = [{
    Takes `noise` (read, program, stuck_at_min, stuck_at_max, seed, chip_seed, normals) out of every
    `cim.linear`'s settings and records it as `noise` (#cim.noise), with `layer_ids`: FNV-1a 64 of
    "<layer>#g<g>" for each group g (kernels/cim/LayerId.h), which key the chip's
    static effects (with chip_seed) and the fresh noise (with seed). cim-run may change
    the seeds (--seed, --chip-seed, --repeats), never the layer ids.

    ```mlir
    cim.linear ... {layer = "fc", noise = #cim.noise<read = 0.01, program = 0.0,
                    stuck_at_min = 0.0, stuck_at_max = 0.0, seed = 0, chip_seed = 0,
                    normals = exact, layer_ids = [938935453466667776]>, ...}
    ```
  }];
  let statistics = [
    Statistic<"numLayerIds", "layer-ids", "Layer ids (one per group) assigned">,
  ];
}

def FuseActivations : Pass<"cim-fuse-activations", "::mlir::func::FuncOp"> {
  let summary = "Fuses a layer's bias and ReLU into its epilogue";
  let description = [{
    A `cim.linear` or `cim.digital_linear` of kind matmul without a bias whose y feeds an
    `onnx.Add` of a float32 [N] tensor (defined before the layer) and nothing else takes it as
    its bias: the backends add it to every row of y after the ADC's recombination (§6; what the
    Add step computed, bit for bit). Then a layer (not of a recurrent kind) whose y feeds an
    `onnx.Relu` and nothing else gets `activation = "relu"` and the ReLU goes: the backends
    apply it to y last, after the bias (what the Relu step computed, bit for bit). No step and
    no tensor is left between them. The layer's location records the fused nodes
    (`cim-opt --report`'s `fused` column).

    ```mlir
    %y = cim.linear %x, %w {kind = "matmul", ...}
    %a = onnx.Add %y, %b
    %r = onnx.Relu %a
    // becomes
    %r = cim.linear %x, %w, %b {activation = "relu", kind = "matmul", ...}
    ```

    Runs last among the decisions, after cim-assign-seeds (calibration, which runs before the
    decisions, sees the layers unfused); `cim-opt --keep-activations` leaves it out.
  }];
  let statistics = [
    Statistic<"numBiases", "biases", "bias Adds fused into their matmul layer">,
    Statistic<"numFused", "fused", "ReLUs fused into their layer">,
  ];
}

def FuseNormalization : Pass<"cim-fuse-normalization", "::mlir::func::FuncOp"> {
  let summary = "Fuses a LayerNormalization into the input quantization of the CIM layers it feeds";
  let description = [{
    An `onnx.LayerNormalization` over the last axis (float32, a scale and bias of one value per
    element of a row) whose Y is read only as the x of `cim.linear` layers of kind gemm or
    matmul, directly or through an `onnx.Reshape` that keeps the last extent (GPT-2's export
    flattens [batch, seq, K] before its Gemm; the Reshape then reshapes the normalisation's
    input), and whose Mean and InvStdDev are not read, goes into each of them as `layer_norm`:
    the layer reads the normalisation's input, and its step normalises each row as the
    LayerNormalization step does (the same bits) before §3 quantizes it for the DACs, as a CIM
    macro's digital periphery would: no normalised tensor is written between them
    (kernels/cpu/LayerNormPrologue.h). A pre-LN transformer's normalisations before the
    attention's projections and the MLP are such. The layer's location records the fused node
    (`cim-opt --report`'s `fused`).

    ```mlir
    %y, %mean, %inv = onnx.LayerNormalization %x, %scale, %b {axis = 2 : i64, epsilon = 1.0E-5 : f32}
    %z = cim.linear %y, %wq {kind = "matmul", ...}
    // becomes
    %z = cim.linear %x, %wq, %scale, %b {kind = "matmul",
           layer_norm = {bias = 3 : i64, epsilon = 1.0E-5 : f32, scale = 2 : i64}, ...}
    ```

    Runs after the decisions (calibration, before them, measures the layers' normalised
    inputs); `cim-opt --keep-normalization` leaves it out.
  }];
  let statistics = [
    Statistic<"numFused", "fused", "LayerNormalizations fused into a layer (once per layer)">,
  ];
}

def FuseElementwise : Pass<"cim-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuses chains of elementwise ops into one digital step";
  let description = [{
    Elementwise onnx ops (float32 or float64; Add, Sub, Mul, Div, Max, Min, Pow, PRelu,
    Relu, Gelu and the unary float ops: kernels/cpu/ElementwiseChain.h, chainOpNamed) where
    each reads the one before and is its only user become one `cim.elementwise_chain`: the
    value runs through every op in registers, with no tensor between them, and each op
    computes what its own step computed (the same bits). A chain needs at least two ops; the
    value's type stays that of the chain's first input (the other operands broadcast to it,
    and may be any value: constants, the chain's own input as in GELU's x·Φ(x), another
    tensor); it ends where the value has another user or a chain would exceed 16 ops or 8
    inputs. The model's input normalisation (x/255 − μ)/σ, GELU written out with Erf, and
    residual scaling are such chains. A float32 Softmax over the last axis may end a chain:
    attention's scale, additive mask and softmax, softmax(q·kᵀ / √d + mask), become one step
    whose softmax reads the scaled, masked scores as it normalises each row. The op keeps the
    last node's name, its location lists the others (`cim-opt --report`'s `fused`).

    ```mlir
    %0 = onnx.Div %x, %c255 : (tensor<?x784xf32>, tensor<f32>) -> tensor<?x784xf32>
    %1 = onnx.Sub %0, %mean : (tensor<?x784xf32>, tensor<f32>) -> tensor<?x784xf32>
    // becomes
    %1 = cim.elementwise_chain %x, %c255, %mean {program = [
           {op = "Div", input = 1 : i64, swapped = false},
           {op = "Sub", input = 2 : i64, swapped = false} ]} : ...
    ```

    Runs after cim-fuse-activations (a layer's ReLU goes into the layer first);
    `cim-opt --keep-elementwise` leaves it out.
  }];
  let dependentDialects = ["::cimlir::cim::CimDialect"];
  let statistics = [
    Statistic<"numChains", "chains", "Chains fused">,
    Statistic<"numOpsFused", "ops", "Elementwise ops fused into chains">,
  ];
}

#endif // CIMLIR_PASSES_TD
