//===- LowerToCim.cpp - place constant-weight layers on crossbars ---------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "runtime/device/DeviceConfig.h"

#include "llvm/Support/JSON.h"

namespace cimlir {
#define GEN_PASS_DEF_LOWERTOCIM
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// A JSON value as an attribute: objects become dictionaries, so the settings read like
/// the device file in the IR. Integers above 2^63 - 1 (seeds) become ui64.
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
  if (auto u = v.getAsUINT64())
    return b.getIntegerAttr(b.getIntegerType(64, /*isSigned=*/false), *u);
  if (auto d = v.getAsNumber())
    return b.getF64FloatAttr(*d);
  return b.getUnitAttr(); // JSON null: not produced by the device library
}

struct LowerToCimPass : public cimlir::impl::LowerToCimBase<LowerToCimPass> {
  using LowerToCimBase::LowerToCimBase;

  LogicalResult initialize(MLIRContext *ctx) final {
    std::string error = this->deviceJson.empty()
                            ? device::tryLoadDevice(this->device, config_)
                            : device::tryParseDeviceText(this->deviceJson, this->device, config_);
    if (!error.empty())
      return emitError(UnknownLoc::get(ctx)) << error;
    return success();
  }

  void runOnOperation() final {
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isLinearLayer(op))
        layers.push_back(op);
    });
    for (Operation *op : layers)
      if (failed(lower(op)))
        return signalPassFailure();
  }

private:
  LogicalResult lower(Operation *op) {
    device::LayerSettings settings;
    if (std::string error = device::tryResolveLayer(config_, layerName(op), settings);
        !error.empty())
      return op->emitError() << error;
    Builder b(op->getContext());
    if (settings.digital.enabled) {
      // Kept digital (§8): cim-digital-layers decides what that becomes.
      op->setAttr(kDigitalPrecisionAttr,
                  b.getStringAttr(cim::toString(settings.digital.precision)));
      ++numDigitalLayers;
      return success();
    }
    auto parsed = llvm::json::parse(device::toJsonText(settings, -1));
    if (!parsed)
      return layerError(op) << "internal: unreadable layer settings";
    // A layer on crossbars is not digital: `settings` holds what the CIM passes decide.
    parsed->getAsObject()->erase("digital");
    replaceWithLinear(op, cim::LinearOp::getOperationName(),
                      {b.getNamedAttr("settings", jsonToAttr(op->getContext(), *parsed))});
    ++numCimLayers;
    return success();
  }

  device::DeviceConfig config_;
};

} // namespace
