//===- LayerReport.h - cim-opt --report: the per-layer cost table ---------*- C++ -*-===//
#ifndef CIMLIR_COMPILER_DRIVER_LAYERREPORT_H
#define CIMLIR_COMPILER_DRIVER_LAYERREPORT_H

#include "runtime/device/CostModel.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace cimlir {

/// Writes a CSV table with one row per layer with constant weights (cim-numerics.md §0):
/// where it runs (cim or digital), its shapes, for CIM layers the crossbar mapping (arrays,
/// utilisation) and, per sample, the DAC input-slice vectors applied and the ADC conversions,
/// and for every layer its energy and latency per sample and its area as `cost` prices them
/// (docs/cost-model.md), then a `total` row for the chip. Reads the `mapping` attributes of
/// cim-map-crossbars. Writes the CSV to `path`; messages name `name` (the file asked for,
/// when `path` is its staged temporary file). A write error is one diagnostic naming `name`.
mlir::LogicalResult writeLayerReport(mlir::ModuleOp module, const device::CostSettings &cost,
                                     const std::string &path, const std::string &name);

} // namespace cimlir

#endif
