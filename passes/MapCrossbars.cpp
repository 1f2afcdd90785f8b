//===- MapCrossbars.cpp - tile CIM layers onto crossbar arrays ------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "kernels/cim/CimParams.h"

namespace cimlir {
#define GEN_PASS_DEF_MAPCROSSBARS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct MapCrossbarsPass : public cimlir::impl::MapCrossbarsBase<MapCrossbarsPass> {
  void runOnOperation() final {
    if (failed(
            forEachUndecided(getOperation(), "mapping", [&](cim::LinearOp op) { return map(op); })))
      signalPassFailure();
  }

  LogicalResult map(cim::LinearOp op) {
    auto weights = op.getWeightsAttr();
    auto weightSlices = weights ? weights.getAs<DenseI64ArrayAttr>("slices") : nullptr;
    if (!weightSlices)
      return layerError(op) << "has no weight slices to map; run cim-quantize-weights before "
                               "cim-map-crossbars";
    SettingsSection crossbar(op, "crossbar");
    cim::LayerSettings values;
    auto fields = crossbar.takeFields(values); // rows >= 1, cols >= 2: a column pair
    if (failed(fields))
      return failure();
    const int64_t *rows = &values.crossbar.rows, *cols = &values.crossbar.cols;
    const cim::LinearShape shape = cim::getLinearShape(op);
    int64_t rowsPerSample = 1;
    if (op.getKind() == "conv") {
      for (int64_t d : op.getY().getType().getShape().drop_front(2))
        rowsPerSample *= d;
    } else if (op.getKind() == "matmul") {
      for (int64_t d : op.getX().getType().getShape().drop_front().drop_back())
        rowsPerSample *= d;
    }
    const int64_t k = shape.k, n = shape.n, groups = shape.groups;
    const int64_t slices = weightSlices.size();
    int64_t rowBlocks = cim::rowBlockCount(k, *rows), colBlocks = ceilDiv(n, *cols / 2);
    int64_t arrays = rowBlocks * colBlocks * slices * groups;
    double utilisation = 2.0 * k * n * slices * groups / (double(arrays) * *rows * *cols);
    Builder b(op.getContext());
    SmallVector<NamedAttribute> attrs = *fields; // rows, cols
    attrs.append({b.getNamedAttr("k", b.getI64IntegerAttr(k)),
                  b.getNamedAttr("n", b.getI64IntegerAttr(n)),
                  b.getNamedAttr("groups", b.getI64IntegerAttr(groups)),
                  b.getNamedAttr("row_blocks", b.getI64IntegerAttr(rowBlocks)),
                  b.getNamedAttr("col_blocks", b.getI64IntegerAttr(colBlocks)),
                  b.getNamedAttr("slices", b.getI64IntegerAttr(slices)),
                  b.getNamedAttr("arrays", b.getI64IntegerAttr(arrays)),
                  b.getNamedAttr("rows_per_sample", b.getI64IntegerAttr(rowsPerSample)),
                  b.getNamedAttr("utilisation", b.getF64FloatAttr(utilisation))});
    op.setMappingAttr(b.getDictionaryAttr(attrs));
    crossbar.commit();
    numArrays += arrays;
    return success();
  }
};

} // namespace
