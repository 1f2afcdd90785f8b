//===- FrozenInputs.h - graph inputs turned into constants ------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_FROZENINPUTS_H
#define CIMLIR_COMPILER_DRIVER_FROZENINPUTS_H

#include "compiler/importer/OnnxImporter.h"

namespace cimlir {

/// Reads every array of a .npz file as a constant for `importOnnxModel`'s frozen inputs.
/// Emits an error naming the file on failure.
mlir::LogicalResult loadFrozenInputs(mlir::MLIRContext &context, const std::string &path,
                                     FrozenInputs &out);

} // namespace cimlir

#endif
