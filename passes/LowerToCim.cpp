//===- LowerToCim.cpp - place constant-weight layers on crossbars ---------===//

#include "passes/Passes.h"

#include "dialects/cim/CimOps.h"
#include "dialects/onnx/OnnxOps.h"
#include "runtime/device/DeviceConfig.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/JSON.h"

namespace cimlir {
#define GEN_PASS_DEF_LOWERTOCIM
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// The ONNX node name the importer put in the op's location.
std::string layerName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return "";
}

/// A JSON value as an attribute: objects become dictionaries, so the settings read like
/// the device file in the IR.
Attribute jsonToAttr(MLIRContext *ctx, const llvm::json::Value &v) {
  Builder b(ctx);
  if (auto *o = v.getAsObject()) {
    SmallVector<NamedAttribute> entries;
    for (const auto &kv : *o)
      entries.push_back(b.getNamedAttr(kv.first.str(), jsonToAttr(ctx, kv.second)));
    return b.getDictionaryAttr(entries);
  }
  if (auto *a = v.getAsArray()) {
    SmallVector<Attribute> items;
    for (const auto &e : *a)
      items.push_back(jsonToAttr(ctx, e));
    return b.getArrayAttr(items);
  }
  if (auto s = v.getAsString())
    return b.getStringAttr(*s);
  if (auto bl = v.getAsBoolean())
    return b.getBoolAttr(*bl);
  if (auto i = v.getAsInteger())
    return b.getI64IntegerAttr(*i);
  if (auto d = v.getAsNumber())
    return b.getF64FloatAttr(*d);
  return b.getUnitAttr(); // JSON null: not produced by the device library
}

struct LowerToCimPass : public cimlir::impl::LowerToCimBase<LowerToCimPass> {
  using LowerToCimBase::LowerToCimBase;

  LogicalResult initialize(MLIRContext *ctx) final {
    std::string error = device::tryLoadDevice(this->device, config_);
    if (!error.empty())
      return emitError(UnknownLoc::get(ctx)) << error;
    return success();
  }

  void runOnOperation() final {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp>(op) &&
          matchPattern(op->getOperand(1), m_Constant()))
        candidates.push_back(op);
    });
    for (Operation *op : candidates)
      if (failed(lower(op)))
        return signalPassFailure();
  }

private:
  LogicalResult lower(Operation *op) {
    std::string name = layerName(op);
    device::LayerSettings settings;
    if (std::string error = device::tryResolveLayer(config_, name, settings); !error.empty())
      return op->emitError() << error;
    if (settings.digital.enabled) {
      if (settings.digital.precision != device::DigitalPrecision::Fp32)
        return op->emitError() << "digital precision '" << device::toString(settings.digital.precision)
                               << "' is not implemented yet; use fp32";
      ++numDigitalLayers;
      return success();
    }
    auto parsed = llvm::json::parse(device::toJsonText(settings, -1));
    if (!parsed)
      return op->emitError() << "internal: unreadable layer settings";
    auto settingsAttr = cast<DictionaryAttr>(jsonToAttr(op->getContext(), *parsed));

    OpBuilder b(op);
    SmallVector<NamedAttribute> attrs = {b.getNamedAttr("layer", b.getStringAttr(name)),
                                         b.getNamedAttr("settings", settingsAttr)};
    SmallVector<Value> operands(op->getOperands());
    if (auto gemm = dyn_cast<onnx::GemmOp>(op)) {
      if (gemm.getTransA() != 0) {
        // transA is a digital transpose in front of the crossbars (§0).
        auto at = cast<RankedTensorType>(gemm.getA().getType());
        auto tt = RankedTensorType::get({at.getDimSize(1), at.getDimSize(0)}, at.getElementType());
        operands[0] = onnx::TransposeOp::create(b, op->getLoc(), tt, gemm.getA(),
                                                b.getDenseI64ArrayAttr({1, 0}));
      }
      attrs.append({b.getNamedAttr("kind", b.getStringAttr("gemm")),
                    b.getNamedAttr("alpha", gemm.getAlphaAttr()),
                    b.getNamedAttr("beta", gemm.getBetaAttr()),
                    b.getNamedAttr("transB", gemm.getTransBAttr())});
    } else if (auto mm = dyn_cast<onnx::MatMulOp>(op)) {
      auto at = cast<RankedTensorType>(mm.getA().getType());
      auto bt = cast<RankedTensorType>(mm.getB().getType());
      if (at.getRank() < 2 || bt.getRank() != 2) {
        ++numDigitalLayers; // a vector or batched weight: no crossbar mapping (§0)
        return success();
      }
      attrs.push_back(b.getNamedAttr("kind", b.getStringAttr("matmul")));
    } else {
      auto conv = cast<onnx::ConvOp>(op);
      attrs.append({b.getNamedAttr("kind", b.getStringAttr("conv")),
                    b.getNamedAttr("strides", conv.getStridesAttr()),
                    b.getNamedAttr("pads", conv.getPadsAttr()),
                    b.getNamedAttr("dilations", conv.getDilationsAttr()),
                    b.getNamedAttr("group", conv.getGroupAttr())});
    }
    OperationState state(op->getLoc(), cim::LinearOp::getOperationName());
    state.addOperands(operands);
    state.addAttributes(attrs);
    state.addTypes(op->getResultTypes());
    Operation *linear = b.create(state);
    op->replaceAllUsesWith(linear);
    op->erase();
    ++numCimLayers;
    return success();
  }

  device::DeviceConfig config_;
};

} // namespace
