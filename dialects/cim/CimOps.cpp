//===- CimOps.cpp - cim dialect operations --------------------------------===//

#include "dialects/cim/CimOps.h"

using namespace mlir;
using namespace cimlir::cim;

#define GET_OP_CLASSES
#include "dialects/cim/CimOps.cpp.inc"

/// Each kind has the operand ranks and attributes its runtime step reads.
LogicalResult LinearOp::verify() {
  auto x = getX().getType(), w = getWeight().getType();
  if (!x.getElementType().isF32() || !w.getElementType().isF32())
    return emitOpError("takes float32 x and weights");
  if (!w.hasStaticShape())
    return emitOpError("needs statically shaped weights");
  StringRef kind = getKind();
  if (kind == "gemm") {
    if (x.getRank() != 2 || w.getRank() != 2 || !getAlpha() || !getBeta() || !getTransB())
      return emitOpError("of kind gemm needs 2-D x and W and alpha, beta, transB");
  } else if (kind == "matmul") {
    if (x.getRank() < 2 || w.getRank() != 2 || getBias())
      return emitOpError("of kind matmul needs x of rank >= 2, a 2-D W and no bias");
  } else if (kind == "conv") {
    if (x.getRank() < 3 || w.getRank() != x.getRank() || !getStrides() || !getPads() ||
        !getDilations() || !getGroup())
      return emitOpError("of kind conv needs x [N,C,D...], W [M,C/g,K...] and strides, pads, "
                         "dilations, group");
  } else {
    return emitOpError("has unknown kind '") << kind << "' (gemm, matmul or conv)";
  }
  if (getLayer().empty())
    return emitOpError("needs the layer's name");
  return success();
}
