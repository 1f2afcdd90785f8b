//===- CimDialect.cpp - the cim dialect -----------------------------------===//

#include "dialects/cim/CimDialect.h"
#include "dialects/cim/CimOps.h"

using namespace mlir;
using namespace cimlir::cim;

#include "dialects/cim/CimDialect.cpp.inc"

LogicalResult CimDialect::verifyOperationAttribute(Operation *op, NamedAttribute attribute) {
  if (attribute.getName() == kDeviceAttr && !isa<StringAttr>(attribute.getValue()))
    return op->emitError() << "'" << kDeviceAttr << "' must be the device file as a string";
  if (attribute.getName() != kExtAttr)
    return success();
  auto ext = dyn_cast<DictionaryAttr>(attribute.getValue());
  if (!ext)
    return op->emitError() << "'" << kExtAttr << "' must be a dictionary";
  for (NamedAttribute entry : ext) {
    auto [space, name] = entry.getName().getValue().split('.');
    if (space.empty() || name.empty())
      return op->emitError() << "'" << kExtAttr << "' key '" << entry.getName().getValue()
                             << "' is not namespaced: name it <pass>.<name>";
  }
  return success();
}

void CimDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/cim/CimOps.cpp.inc"
      >();
}
