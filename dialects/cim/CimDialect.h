//===- CimDialect.h - the cim dialect ---------------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_CIM_CIMDIALECT_H
#define CIMLIR_DIALECTS_CIM_CIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/cim/CimDialect.h.inc"

#endif
