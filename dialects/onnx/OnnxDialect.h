//===- OnnxDialect.h - the onnx dialect -------------------------*- C++ -*-===//
#ifndef CIMLIR_DIALECTS_ONNX_ONNXDIALECT_H
#define CIMLIR_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/onnx/OnnxDialect.h.inc"

#endif
