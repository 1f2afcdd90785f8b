//===- CimAttrs.td - cim dialect attributes ------------------*- tablegen -*-===//
//
// The decisions the CIM passes attach to a cim.linear, as typed attributes. `hybrid` is the
// first; the other decisions (weights, inputs, mapping, adc, noise) are dictionaries whose
// fields the field table (kernels/cim/LayerSettings.h, CimFieldAttrs.h) types, until they
// move here too.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_CIM_ATTRS_TD
#define CIMLIR_CIM_ATTRS_TD

include "dialects/cim/CimDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Cim_Attr<string name, string attrMnemonic> : AttrDef<Cim_Dialect, name> {
  let mnemonic = attrMnemonic;
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
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The decision as the plan writes it: {"analog_bits": h, "analog_qmax": q}.
    ::mlir::DictionaryAttr toDictionary() const;
  }];
}

#endif // CIMLIR_CIM_ATTRS_TD
