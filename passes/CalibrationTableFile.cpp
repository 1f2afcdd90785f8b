//===- CalibrationTableFile.cpp - a calibration table read from a file ----===//

#include "passes/CalibrationTableFile.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

namespace cimlir {

FailureOr<calibration::Table> readCalibrationTable(MLIRContext &context, const std::string &path) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return emitError(loc) << "cannot read the calibration table: " << buffer.getError().message();
  calibration::Table table;
  if (std::string error = calibration::readTable((*buffer)->getBuffer(), path, table);
      !error.empty())
    return emitError(loc) << "the calibration table " << error;
  return table;
}

LogicalResult loadTableOption(MLIRContext &context, const std::string &path,
                              std::shared_ptr<const calibration::Table> &table) {
  if (table)
    return success();
  auto read = readCalibrationTable(context, path);
  if (failed(read))
    return failure();
  table = std::make_shared<const calibration::Table>(std::move(*read));
  return success();
}

} // namespace cimlir
