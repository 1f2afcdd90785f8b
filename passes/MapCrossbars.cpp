//===- MapCrossbars.cpp - tile CIM layers onto crossbar arrays ------------===//

#include "passes/Passes.h"

#include "dialects/cim/CimOps.h"

namespace cimlir {
#define GEN_PASS_DEF_MAPCROSSBARS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// An integer field of the layer's settings ("crossbar", "rows").
FailureOr<int64_t> setting(cim::LinearOp op, StringRef section, StringRef field) {
  auto dict = op.getSettings().getAs<DictionaryAttr>(section);
  auto value = dict ? dict.getAs<IntegerAttr>(field) : IntegerAttr();
  if (!value)
    return op.emitOpError() << "settings have no integer " << section << "." << field;
  return value.getInt();
}

/// Number of weight slices: the length of settings.weights.slices.
FailureOr<int64_t> weightSlices(cim::LinearOp op) {
  auto weights = op.getSettings().getAs<DictionaryAttr>("weights");
  auto slices = weights ? weights.getAs<ArrayAttr>("slices") : ArrayAttr();
  if (!slices || slices.empty())
    return op.emitOpError() << "settings have no weights.slices";
  return static_cast<int64_t>(slices.size());
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct MapCrossbarsPass : public cimlir::impl::MapCrossbarsBase<MapCrossbarsPass> {
  void runOnOperation() final {
    WalkResult result = getOperation().walk([&](cim::LinearOp op) {
      return failed(map(op)) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult map(cim::LinearOp op) {
    auto w = op.getWeight().getType();
    auto x = op.getX().getType();
    int64_t groups = 1, k, n, rowsPerSample = 1;
    StringRef kind = op.getKind();
    if (kind == "conv") {
      groups = *op.getGroup();
      k = w.getNumElements() / w.getDimSize(0);
      n = w.getDimSize(0) / groups;
      auto y = cast<RankedTensorType>(op.getY().getType());
      for (int64_t d : y.getShape().drop_front(2))
        rowsPerSample *= d;
    } else {
      bool nk = kind == "gemm" && *op.getTransB() != 0;
      k = w.getDimSize(nk ? 1 : 0);
      n = w.getDimSize(nk ? 0 : 1);
      if (kind == "matmul")
        for (int64_t d : x.getShape().drop_front().drop_back())
          rowsPerSample *= d;
    }
    auto rows = setting(op, "crossbar", "rows"), cols = setting(op, "crossbar", "cols");
    auto slices = weightSlices(op);
    if (failed(rows) || failed(cols) || failed(slices))
      return failure();
    int64_t outputsPerArray = *cols / 2;
    int64_t rowBlocks = ceilDiv(k, *rows), colBlocks = ceilDiv(n, outputsPerArray);
    int64_t arrays = rowBlocks * colBlocks * *slices * groups;
    double utilisation = 2.0 * k * n * *slices * groups / (double(arrays) * *rows * *cols);
    Builder b(op.getContext());
    op->setAttr("mapping",
                b.getDictionaryAttr({b.getNamedAttr("k", b.getI64IntegerAttr(k)),
                                     b.getNamedAttr("n", b.getI64IntegerAttr(n)),
                                     b.getNamedAttr("groups", b.getI64IntegerAttr(groups)),
                                     b.getNamedAttr("row_blocks", b.getI64IntegerAttr(rowBlocks)),
                                     b.getNamedAttr("col_blocks", b.getI64IntegerAttr(colBlocks)),
                                     b.getNamedAttr("slices", b.getI64IntegerAttr(*slices)),
                                     b.getNamedAttr("arrays", b.getI64IntegerAttr(arrays)),
                                     b.getNamedAttr("rows_per_sample", b.getI64IntegerAttr(rowsPerSample)),
                                     b.getNamedAttr("utilisation", b.getF64FloatAttr(utilisation))}));
    numArrays += arrays;
    return success();
  }
};

} // namespace
