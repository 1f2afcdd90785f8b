//===- OnnxDialect.td - the onnx dialect ---------------------*- tablegen -*-===//
//
// The ONNX operators cimlir imports, one op per ONNX op type, attributes normalised
// to the newest opset at import (defaults filled in, auto_pad resolved to pads).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_ONNX_DIALECT_TD
#define CIMLIR_ONNX_DIALECT_TD

include "mlir/IR/OpBase.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::cimlir::onnx";
  let summary = "ONNX operators as imported by cimlir";
  let description = [{
    Tensors are ranked with static sizes, except dimensions of size `?`, which all
    stand for the one batch size bound when cim-run runs the plan. Operators keep
    ONNX's names and semantics (opset 13 and later); the importer normalises older
    opsets and fills in default attributes so that passes and the plan emitter see
    one form. Inherent attributes are plain attributes (no properties) so that the
    importer can build every op generically from an attribute list.
  }];
  let usePropertiesForAttributes = 0;
  let hasConstantMaterializer = 1;
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits>;

#endif // CIMLIR_ONNX_DIALECT_TD
