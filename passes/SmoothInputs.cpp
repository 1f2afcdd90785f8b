//===- SmoothInputs.cpp - input outliers migrated into the weights --------===//
//
// SmoothQuant (Xiao et al., 2023) per CIM layer: Passes.td says what and why. The channel
// maxima come from the calibration table (measured by cim-opt --calibration on the fp32
// network), from a file (table=FILE) or in memory.
//
//===----------------------------------------------------------------------===//

#include "passes/CalibrationTableFile.h"
#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>

namespace cimlir {
#define GEN_PASS_DEF_SMOOTHINPUTS
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

struct SmoothInputsPass : public cimlir::impl::SmoothInputsBase<SmoothInputsPass> {
  using SmoothInputsBase::SmoothInputsBase;
  SmoothInputsPass(std::shared_ptr<const calibration::Table> measured, std::string name)
      : table_(std::move(measured)) {
    table = std::move(name);
  }

  LogicalResult initialize(MLIRContext *ctx) final {
    if (table.empty())
      return success(); // without a table, only a layer that needs one is an error
    return loadTableOption(*ctx, table, table_);
  }

  void runOnOperation() final {
    SmallVector<std::pair<cim::LinearOp, double>> layers;
    getOperation().walk([&](cim::LinearOp op) {
      if (double alpha = smoothAlpha(op); alpha > 0 && !op->hasAttr(kSmoothedAttr))
        layers.push_back({op, alpha});
    });
    for (auto [op, alpha] : layers)
      if (failed(smooth(op, alpha)))
        return signalPassFailure();
  }

private:
  LogicalResult smooth(cim::LinearOp op, double alpha) {
    StringRef kind = op.getKind();
    if (kind != "gemm" && kind != "matmul" && kind != "conv")
      return layerError(op) << "inputs.smooth_alpha applies to Gemm, MatMul and Conv layers, not "
                            << kind << " (set it to 0 for this layer)";
    const calibration::Layer *entry = nullptr;
    if (table_)
      if (auto it = table_->layers.find(op.getLayer().str()); it != table_->layers.end())
        entry = &it->second;
    if (!entry || !entry->inputChannelMax)
      return layerError(op) << "inputs.smooth_alpha needs the layer's input channel maxima; "
                               "calibrate with --calibration DATASET (the table "
                            << (table.empty() ? std::string("is missing")
                                              : "'" + table + "' has none")
                            << ")";
    ElementsAttr value;
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    if (!wType.getElementType().isF32() || !matchPattern(op.getWeight(), m_Constant(&value)))
      return layerError(op) << "inputs.smooth_alpha needs a float32 constant weight";
    auto weights = constantFloats(op, value);
    if (failed(weights))
      return failure();
    std::vector<float> &w = *weights;
    ArrayRef<int64_t> shape = wType.getShape();

    // Where channel c's weights are: W[index(c, j)] for j < perChannel.
    const bool transB = kind == "gemm" && op->getAttrOfType<IntegerAttr>("transB") &&
                        op->getAttrOfType<IntegerAttr>("transB").getInt() != 0;
    int64_t channels = 0;
    std::function<size_t(int64_t, int64_t)> index;
    int64_t perChannel = 0;
    if (kind == "conv") {
      const int64_t m = shape[0], cg = shape[1], groups = op.getGroup().value_or(1);
      const int64_t taps = wType.getNumElements() / std::max<int64_t>(1, m * cg), mg = m / groups;
      channels = cg * groups;
      perChannel = mg * taps;
      // Channel c = g·cg + ci meets output channels g·mg .. g·mg + mg − 1.
      index = [=](int64_t c, int64_t j) {
        const int64_t g = c / cg, ci = c % cg, o = g * mg + j / taps, t = j % taps;
        return static_cast<size_t>((o * cg + ci) * taps + t);
      };
    } else if (transB) { // W [N, K]
      channels = shape[1];
      perChannel = shape[0];
      index = [=](int64_t c, int64_t j) { return static_cast<size_t>(j * shape[1] + c); };
    } else { // W [K, N]
      channels = shape[0];
      perChannel = shape[1];
      index = [=](int64_t c, int64_t j) { return static_cast<size_t>(c * shape[1] + j); };
    }
    const std::vector<double> &xmax = *entry->inputChannelMax;
    if (static_cast<int64_t>(xmax.size()) != channels)
      return layerError(op) << "the calibration table's input_channel_max has " << xmax.size()
                            << " channels but the layer has " << channels;

    std::vector<float> s(static_cast<size_t>(channels), 1.0f);
    for (int64_t c = 0; c < channels; ++c) {
      double wmax = 0;
      for (int64_t j = 0; j < perChannel; ++j)
        wmax = std::max(wmax, std::fabs(double(w[index(c, j)])));
      const double x = xmax[static_cast<size_t>(c)];
      if (!(x > 0) || !(wmax > 0) || !std::isfinite(x) || !std::isfinite(wmax))
        continue; // a dead or unmeasured channel: nothing to migrate
      const float sc = static_cast<float>(std::pow(x, alpha) / std::pow(wmax, 1.0 - alpha));
      if (std::isfinite(sc) && sc > 0)
        s[static_cast<size_t>(c)] = sc;
    }
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t j = 0; j < perChannel; ++j)
        w[index(c, j)] *= s[static_cast<size_t>(c)];

    OpBuilder b(op);
    const std::string layer = op.getLayer().str();
    auto newW = onnx::ConstantOp::create(b, op.getLoc(), wType,
                                         constantData(wType, w.data(), layer + ".smoothed"));
    // s broadcasts over the input: [K] for a row input, [C, 1, ...] for a conv's [N, C, ...].
    auto xType = cast<RankedTensorType>(op.getX().getType());
    SmallVector<int64_t> sShape{channels};
    if (kind == "conv")
      sShape.append(static_cast<size_t>(xType.getRank() - 2), 1);
    auto sType = RankedTensorType::get(sShape, b.getF32Type());
    auto sConst = onnx::ConstantOp::create(b, op.getLoc(), sType,
                                           constantData(sType, s.data(), layer + ".smooth"));
    Value divided = onnx::DivOp::create(b, op.getLoc(), xType, op.getX(), sConst);
    Operation *oldW = op.getWeight().getDefiningOp();
    op->setOperand(0, divided);
    op->setOperand(1, newW);
    if (oldW->use_empty()) // else another layer shares it; the plan writes every constant
      oldW->erase();
    op->setAttr(kSmoothedAttr, b.getBoolAttr(true));
    ++numSmoothed;
    return success();
  }

  std::shared_ptr<const calibration::Table> table_;
};

} // namespace

std::unique_ptr<Pass> cimlir::createSmoothInputs(std::shared_ptr<const calibration::Table> table,
                                                 std::string name) {
  return std::make_unique<SmoothInputsPass>(std::move(table), std::move(name));
}
