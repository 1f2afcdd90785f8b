//===- CimAttrs.td - cim dialect attributes ------------------*- tablegen -*-===//
//
// The decisions the CIM passes attach to a cim.linear, one typed attribute each. A decision
// holds the settings fields its pass decides (LayerField::decision in
// kernels/cim/LayerSettings.h) as one parameter, the section's struct, printed, parsed and
// range-checked through the field table (CimDecisionFields.h), and the values the pass
// derives as parameters of their own. Each verifies what it can see alone; the op verifies
// the decisions against W and each other (CimLinearAttrs.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_CIM_ATTRS_TD
#define CIMLIR_CIM_ATTRS_TD

include "dialects/cim/CimDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Cim_DecisionAttrInterface : AttrInterface<"DecisionAttrInterface"> {
  let cppNamespace = "::cimlir::cim";
  let description = [{
    A decision of a CIM pass on a cim.linear. A plan writes it as the object of the same
    name in the CimLinear step (docs/plan-format.md).
  }];
  let methods = [
    InterfaceMethod<[{The decision as the plan writes it: its fields, derived ones included.}],
                    "::mlir::DictionaryAttr", "toDictionary">,
  ];
}

class Cim_Attr<string name, string attrMnemonic>
    : AttrDef<Cim_Dialect, name, [DeclareAttrInterfaceMethods<Cim_DecisionAttrInterface>]> {
  let mnemonic = attrMnemonic;
  let genVerifyDecl = 1;
}

// The fields of `decision` as the struct of their section, e.g. WeightSettings.
class Cim_SettingsParameter<string decision, string section>
    : AttrParameter<"::cimlir::cim::" # section,
                    "the settings fields " # decision # " holds",
                    "const ::cimlir::cim::" # section # " &"> {
  let printer = "::cimlir::cim::printSection($_printer, \"" # decision # "\", $_self)";
  let parser = "::cimlir::cim::parseSection<::cimlir::cim::" # section # ">($_parser, \"" #
               decision # "\")";
}

// A dense array in its attribute form, `array<f32: ...>`: the short form `[...]` prints
// floats to 7 digits, which do not read back as the same float.
class Cim_ArrayParameter<string attrType>
    : AttrParameter<"::mlir::" # attrType, "a dense array"> {
  let printer = "$_printer.printAttribute($_self)";
  let parser = "::cimlir::cim::parseAttributeOf<::mlir::" # attrType # ">($_parser)";
}
class Cim_OptionalArrayParameter<string attrType> : Cim_ArrayParameter<attrType> {
  let defaultValue = "::mlir::" # attrType # "()";
}

def Cim_WeightsAttr : Cim_Attr<"Weights", "weights"> {
  let summary = "§1–§2: how W is quantized and sliced into cells";
  let description = [{
    Written by cim-quantize-weights: the `weights` fields of the device (`bits`, `slices`
    b_j LSB first, summing to bits − 1, `granularity`, `clip_percentile`) and `scales`, s_w
    per output channel in channel order, or one per group. The plan also gets `offsets`,
    p_j, the sums of the slices below each.
    ```mlir
    weights = #cim.weights<bits = 8, slices = [1, 2, 2, 2], granularity = per_channel,
                           clip_percentile = 100.0, scales = array<f32: 0.0016762, ...>>
    ```
  }];
  let parameters = (ins Cim_SettingsParameter<"weights", "WeightSettings">:$settings,
                        Cim_ArrayParameter<"DenseF32ArrayAttr">:$scales);
  let assemblyFormat = "`<` $settings `,` `scales` `=` $scales `>`";
}

def Cim_HybridAttr : Cim_Attr<"Hybrid", "hybrid"> {
  let summary = "§7's hybrid split: h analog bits through the DAC, the rest digital";
  let description = [{
    Written by cim-hybrid-split for a layer whose device sets inputs.hybrid_analog_bits = h
    > 0: `analog_bits` is h (in 2..16, inputs.hybrid_analog_bits's range, and at most
    inputs.bits) and `analog_qmax` the analog clamp 2^(h−1) − 1.
    ```mlir
    hybrid = #cim.hybrid<analog_bits = 4, analog_qmax = 7>
    ```
  }];
  let parameters = (ins "int64_t":$analog_bits, "int64_t":$analog_qmax);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Cim_InputsAttr : Cim_Attr<"Inputs", "inputs"> {
  let summary = "§3: how x is quantized and sliced through the DACs";
  let description = [{
    Written by cim-slice-inputs: the `inputs` fields of the device but the hybrid bits
    (`bits`, `slices` a_i LSB first, `scale`, `clip_percentile`); the slices sum to bits − 1,
    or to h − 1 with a `hybrid` decision. A `static` layer also gets `static_scales`, s_x per
    group, from cim-apply-calibration. The plan also gets `offsets`, o_i.
    ```mlir
    inputs = #cim.inputs<bits = 8, slices = [1, 1, 1, 1, 1, 1, 1], scale = dynamic_row,
                         clip_percentile = 100.0>
    ```
  }];
  let parameters = (ins Cim_SettingsParameter<"inputs", "InputSettings">:$settings,
                        Cim_OptionalArrayParameter<"DenseF32ArrayAttr">:$static_scales);
  let assemblyFormat = "`<` $settings (`,` `static_scales` `=` $static_scales^)? `>`";
}

def Cim_MappingAttr : Cim_Attr<"Mapping", "mapping"> {
  let summary = "§2: the layer tiled onto crossbar arrays";
  let description = [{
    Written by cim-map-crossbars: the device's array size (`rows`, `cols`) and what was
    tiled: `groups` matrices of `k` × `n`, `slices` weight slices, `rows_per_sample` rows of
    x per sample (the output pixels of a conv). The tiling follows from them: row_blocks
    ceil(k / rows), col_blocks ceil(n / (cols / 2)) (a column pair per output), arrays
    row_blocks · col_blocks · slices · groups; the plan writes those too.
    ```mlir
    mapping = #cim.mapping<rows = 256, cols = 256, k = 128, n = 10, groups = 1, slices = 4,
                           rows_per_sample = 1>
    ```
  }];
  let parameters = (ins Cim_SettingsParameter<"mapping", "CrossbarSettings">:$crossbar,
                        "int64_t":$k, "int64_t":$n, "int64_t":$groups, "int64_t":$slices,
                        "int64_t":$rows_per_sample);
  let assemblyFormat = "`<` $crossbar `,` struct($k, $n, $groups, $slices, $rows_per_sample) `>`";
  let extraClassDeclaration = [{
    /// ceil(k / rows): the row blocks whose partial sums the ADC converts apart (§5).
    int64_t rowBlocks() const;
    /// ceil(n / (cols / 2)).
    int64_t colBlocks() const;
    /// The arrays the layer occupies.
    int64_t arrays() const;
    /// The share of the arrays' cells that hold weights.
    double utilisation() const;
  }];
}

def Cim_AdcAttr : Cim_Attr<"Adc", "adc"> {
  let summary = "§5: how each slice pair's partial sums are converted";
  let description = [{
    Written by cim-configure-adc: the `adc` fields of the device (`mode`, `bits`,
    `percentile`, `noise_lsb`, `samples`) and `full_scales`, the `full` mode's
    R_r·(2^a_i − 1)·(2^b_j − 1) per (row block r, input slice i, weight slice j) at
    (r·T + i)·S + j, written whatever the mode (cim-run --set adc.mode=full may pick it). A
    `calibrated` ADC also gets `calibrated_full_scales` from cim-apply-calibration: FS per
    (group g, input slice i, weight slice j) at (g·T + i)·S + j.
    ```mlir
    adc = #cim.adc<mode = full, bits = 8, percentile = 100.0, noise_lsb = 0.0, samples = 1,
                   full_scales = array<i64: 128, 384, 384, 384, ...>>
    ```
  }];
  let parameters = (ins Cim_SettingsParameter<"adc", "AdcSettings">:$settings,
                        Cim_ArrayParameter<"DenseI64ArrayAttr">:$full_scales,
                        Cim_OptionalArrayParameter<"DenseF32ArrayAttr">:$calibrated_full_scales);
  let assemblyFormat = "`<` $settings `,` `full_scales` `=` $full_scales "
                       "(`,` `calibrated_full_scales` `=` $calibrated_full_scales^)? `>`";
}

def Cim_NoiseAttr : Cim_Attr<"Noise", "noise"> {
  let summary = "§4, §9: the device's noise and faults, and the keys of their streams";
  let description = [{
    Written by cim-assign-seeds: the `noise` fields of the device (`read`, `program`,
    `stuck_at_min`, `stuck_at_max`, `seed`, `chip_seed`, `normals`) and `layer_ids`, one per group:
    FNV-1a 64 of "<layer>#g<group>".
    ```mlir
    noise = #cim.noise<read = 0.01, program = 0.0, stuck_at_min = 0.0, stuck_at_max = 0.0,
                       seed = 0, chip_seed = 0, normals = exact, layer_ids = [3830924897941831690]>
    ```
  }];
  let parameters = (ins Cim_SettingsParameter<"noise", "NoiseSettings">:$settings,
                        ArrayRefParameter<"uint64_t">:$layer_ids);
  let assemblyFormat = "`<` $settings `,` `layer_ids` `=` `[` $layer_ids `]` `>`";
}

#endif // CIMLIR_CIM_ATTRS_TD
