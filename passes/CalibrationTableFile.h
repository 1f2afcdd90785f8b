//===- CalibrationTableFile.h - a calibration table read from a file -*- C++ -*-===//
//
// The one reader of a calibration table file for the compiler: the passes' table=FILE
// options (cim-apply-calibration, cim-smooth-inputs) and cim-opt --calibration-table.
//
//===----------------------------------------------------------------------===//
#ifndef CIMLIR_PASSES_CALIBRATIONTABLEFILE_H
#define CIMLIR_PASSES_CALIBRATIONTABLEFILE_H

#include "runtime/calibration/CalibrationTable.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"

#include <memory>
#include <string>

namespace cimlir {

/// Reads the table at `path`: emits one error naming the file and what is wrong, and fails,
/// when it cannot.
mlir::FailureOr<calibration::Table> readCalibrationTable(mlir::MLIRContext &context,
                                                         const std::string &path);

/// A pass's table=FILE option: unless the pass was handed a table in memory (`table` set),
/// reads `path` into `table`. Emits one error and fails when the file cannot be read.
mlir::LogicalResult loadTableOption(mlir::MLIRContext &context, const std::string &path,
                                    std::shared_ptr<const calibration::Table> &table);

} // namespace cimlir

#endif
