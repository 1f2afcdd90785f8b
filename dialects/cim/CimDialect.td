//===- CimDialect.td - the cim dialect -----------------------*- tablegen -*-===//
//
// The hardware view of a model: layers placed on compute-in-memory crossbars, with the
// device parameters that decide their arithmetic (docs/cim-numerics.md).
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_CIM_DIALECT_TD
#define CIMLIR_CIM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Cim_Dialect : Dialect {
  let name = "cim";
  let cppNamespace = "::cimlir::cim";
  let summary = "compute-in-memory layers";
  let description = [{
    A `cim` op is a weight-stationary layer (a matrix product with constant weights,
    cim-numerics.md §0) computed on crossbars: its weights are quantized, sliced and
    programmed into arrays, its inputs sliced through DACs and its partial sums converted
    by ADCs, as the layer's device settings say. Everything that decides the numbers is
    an attribute of the op, so each pass's effect shows in the IR.
  }];
  let usePropertiesForAttributes = 0;
  let useDefaultAttributePrinterParser = 1;
  // cim.device and cim.ext (CimDialect.h) on any op.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Cim_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cim_Dialect, mnemonic, traits>;

#endif // CIMLIR_CIM_DIALECT_TD
