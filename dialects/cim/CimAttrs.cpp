//===- CimAttrs.cpp - cim dialect attributes ------------------------------===//

#include "dialects/cim/CimOps.h"

#include "kernels/cim/LayerSettings.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cimlir::cim;

#define GET_ATTRDEF_CLASSES
#include "dialects/cim/CimAttrs.cpp.inc"

LogicalResult HybridAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t analogBits,
                                 int64_t analogQmax) {
  // h > 0 here, in the range of the device-file field it comes from.
  const LayerField *h = findLayerField("inputs.hybrid_analog_bits");
  if (analogBits < h->lo || analogBits > h->hi)
    return emitError() << "hybrid.analog_bits is " << analogBits << ", expected " << h->rangeText();
  const int64_t qmax = (int64_t(1) << (analogBits - 1)) - 1;
  if (analogQmax != qmax)
    return emitError() << "hybrid.analog_qmax is " << analogQmax
                       << ", expected 2^(analog_bits - 1) - 1 = " << qmax;
  return success();
}

DictionaryAttr HybridAttr::toDictionary() const {
  Builder b(getContext());
  return b.getDictionaryAttr({b.getNamedAttr("analog_bits", b.getI64IntegerAttr(getAnalogBits())),
                              b.getNamedAttr("analog_qmax", b.getI64IntegerAttr(getAnalogQmax()))});
}

void CimDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/cim/CimAttrs.cpp.inc"
      >();
}
