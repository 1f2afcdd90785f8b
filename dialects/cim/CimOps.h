//===- CimOps.h - cim dialect operations ------------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_CIM_CIMOPS_H
#define CIMLIR_DIALECTS_CIM_CIMOPS_H

#include "dialects/cim/CimDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/cim/CimAttrInterfaces.h.inc"
#include "dialects/cim/CimDecisionFields.h"
#include "kernels/cpu/LayerNormPrologue.h"

#include <optional>
#include <string>

#define GET_ATTRDEF_CLASSES
#include "dialects/cim/CimAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/cim/CimOps.h.inc"

namespace cimlir::cim {

/// Whether a cim.elementwise_chain input of type `input` can be read at every element of `out`
/// (each axis, counted from the last, 1 or out's extent; a dynamic extent matches only a
/// dynamic one, the batch).
bool chainInputBroadcasts(mlir::RankedTensorType input, mlir::RankedTensorType out);

/// The matrix product a linear layer op computes, per group (cim-numerics.md §0): `groups`
/// matrices W_g [k, n]. gemm/matmul: one group of W [K,N] (or [N,K] with transB); conv: W [M,
/// C/g, k...] gives k = (C/g)·prod(k...), n = M/g.
struct LinearShape {
  int64_t groups = 1, k = 0, n = 0;
  /// W[n][k] (gemm with transB, conv) rather than W[k][n].
  bool outputMajor = false;
  /// The rows of x one sample gives each group: a conv's output pixels, a conv_transpose's
  /// input pixels, a matmul's leading dimensions, a recurrent layer's steps (a GRU without
  /// linear_before_reset reads its crossbars twice a step), a gemm's 1.
  int64_t rowsPerSample = 1;
};
/// The `layer` (the ONNX node name) of a cim.linear or cim.digital_linear; null for any
/// other op.
inline mlir::StringAttr getLayerAttr(mlir::Operation *op) {
  return mlir::isa<LinearOp, DigitalLinearOp>(op) ? op->getAttrOfType<mlir::StringAttr>("layer")
                                                  : mlir::StringAttr();
}

/// The LayerNormalization a cim.linear's rows go through first (its `layer_norm`,
/// cim-fuse-normalization), or nothing. `error` (when given) receives what is malformed in it;
/// the verifier refuses such an op.
std::optional<cpu::LayerNormPrologue> layerNormPrologue(LinearOp op, std::string *error = nullptr);

/// The shape of a verified cim.linear or cim.digital_linear.
LinearShape getLinearShape(mlir::Operation *op);

/// The integer width of W once quantized to `bits` (§1): 8, or 16 above 8 bits.
unsigned quantizedWeightWidth(int64_t bits);

/// Checks the decisions attached to a cim.linear (weights, hybrid, inputs, mapping, adc,
/// noise), each where present (CimLinearAttrs.cpp).
mlir::LogicalResult verifyLinearDecisions(LinearOp op);

} // namespace cimlir::cim

#endif
