//===- LayerReport.h - cim-opt --report: the per-layer cost table ---------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_LAYERREPORT_H
#define CIMLIR_COMPILER_DRIVER_LAYERREPORT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace cimlir {

/// Writes a CSV table with one row per layer with constant weights (cim-numerics.md §0):
/// where it runs (cim or digital), its shapes, and for CIM layers the crossbar mapping
/// (arrays, utilisation) and, per sample, the DAC input-slice vectors applied and the ADC
/// conversions. Reads the `mapping` attributes of cim-map-crossbars.
/// Writes the per-layer CSV to `path`; messages name `name` (the file asked for, when
/// `path` is its staged temporary file). A write error is one diagnostic naming `name`.
mlir::LogicalResult writeLayerReport(mlir::ModuleOp module, const std::string &path,
                                     const std::string &name);

} // namespace cimlir

#endif
