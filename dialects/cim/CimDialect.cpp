//===- CimDialect.cpp - the cim dialect -----------------------------------===//

#include "dialects/cim/CimDialect.h"
#include "dialects/cim/CimOps.h"

using namespace mlir;
using namespace cimlir::cim;

#include "dialects/cim/CimDialect.cpp.inc"

void CimDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/cim/CimOps.cpp.inc"
      >();
}
