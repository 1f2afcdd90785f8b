//===- CimOps.h - cim dialect operations ------------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_CIM_CIMOPS_H
#define CIMLIR_DIALECTS_CIM_CIMOPS_H

#include "dialects/cim/CimDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/cim/CimOps.h.inc"

#endif
