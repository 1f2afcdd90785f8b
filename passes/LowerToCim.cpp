//===- LowerToCim.cpp - place constant-weight layers on crossbars ---------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"
#include "passes/RecurrentLayers.h"

#include "dialects/cim/CimDialect.h"
#include "dialects/cim/CimFieldAttrs.h"
#include "dialects/onnx/OnnxOps.h"
#include "kernels/cim/LayerSettings.h"
#include "runtime/device/DeviceConfig.h"

namespace cimlir {
#define GEN_PASS_DEF_LOWERTOCIM
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// A layer's resolved settings as a dictionary per section, one attribute per field of the
/// field table (kernels/cim/LayerSettings.h) in the form the decisions take
/// (dialects/cim/CimFieldAttrs.h), so that `settings` reads like the device file. `digital`
/// is left out: a layer on crossbars is not digital.
DictionaryAttr settingsAttr(Builder &b, const cim::LayerSettings &settings) {
  SmallVector<NamedAttribute> sections;
  for (const std::string &section : cim::layerSections()) {
    if (section == "digital")
      continue;
    SmallVector<NamedAttribute> fields;
    for (const cim::LayerField *f : cim::sectionFields(section))
      fields.push_back(b.getNamedAttr(f->name, cim::fieldAttr(b, *f, f->get(settings))));
    sections.push_back(b.getNamedAttr(section, b.getDictionaryAttr(fields)));
  }
  return b.getDictionaryAttr(sections);
}

struct LowerToCimPass : public cimlir::impl::LowerToCimBase<LowerToCimPass> {
  using LowerToCimBase::LowerToCimBase;
  /// The device in memory (cim-opt's driver loaded it: a device file is read once).
  explicit LowerToCimPass(std::shared_ptr<const device::DeviceConfig> loaded)
      : loaded_(std::move(loaded)) {
    device = loaded_->source;
  }

  LogicalResult initialize(MLIRContext *ctx) final {
    if (loaded_)
      return success();
    auto config = std::make_shared<device::DeviceConfig>();
    if (std::string error = device::tryLoadDevice(device, *config); !error.empty())
      return emitError(UnknownLoc::get(ctx)) << error;
    loaded_ = std::move(config);
    return success();
  }

  void runOnOperation() final {
    SmallVector<Operation *> layers, recurrent;
    getOperation().walk([&](Operation *op) {
      if (isLinearLayer(op))
        layers.push_back(op);
      else if (isa<onnx::RNNOp, onnx::GRUOp, onnx::LSTMOp>(op))
        recurrent.push_back(op);
    });
    // A `layers` glob that matches no layer would leave the layers it was meant for as they
    // are, silently: it is an error naming the glob and the layers.
    std::vector<std::string> names;
    for (Operation *op : layers)
      names.push_back(layerName(op));
    for (Operation *op : recurrent)
      names.push_back(layerName(op));
    if (std::string error = device::unmatchedLayerGlob(*loaded_, names); !error.empty()) {
      getOperation()->emitError() << error;
      return signalPassFailure();
    }
    // The device goes with the IR (cim::kDeviceAttr): the plan records it, and IR placed for
    // one device is not placed again for another.
    std::string json = device::toJsonText(*loaded_, -1);
    if (auto placed = getOperation()->getAttrOfType<StringAttr>(cim::kDeviceAttr);
        placed && placed.getValue() != json) {
      getOperation()->emitError()
          << "cim-lower-to-cim: the function was placed for another device (its "
          << cim::kDeviceAttr << "); place the imported IR (cim-opt --emit=import) instead";
      return signalPassFailure();
    }
    getOperation()->setAttr(cim::kDeviceAttr, StringAttr::get(&getContext(), json));
    for (Operation *op : layers)
      if (failed(lower(op)))
        return signalPassFailure();
    for (Operation *op : recurrent)
      if (failed(lowerRecurrent(op)))
        return signalPassFailure();
  }

private:
  LogicalResult lower(Operation *op) {
    device::LayerSettings settings;
    if (std::string error = device::tryResolveLayer(*loaded_, layerName(op), settings);
        !error.empty())
      return op->emitError() << error;
    settings.digital.enabled |= op->hasAttr(kMarkedDigitalAttr);
    if (!settings.digital.enabled && settings.inputs.smoothAlpha > 0 &&
        isa<onnx::ConvTransposeOp>(op))
      return smoothingRefused(op, "ConvTranspose");
    Builder b(op->getContext());
    if (settings.digital.enabled) {
      // Kept digital (§8): cim-digital-layers decides what that becomes.
      op->setAttr(kDigitalPrecisionAttr,
                  b.getStringAttr(cim::toString(settings.digital.precision)));
      ++numDigitalLayers;
      return success();
    }
    replaceWithLinear<cim::LinearOp>(op, {b.getNamedAttr("settings", settingsAttr(b, settings))});
    ++numCimLayers;
    return success();
  }

  /// A recurrent layer: its two products on crossbars (RecurrentLayers.h), both with the
  /// settings the device gives the node; kept digital, it stays the onnx op (fp32).
  LogicalResult lowerRecurrent(Operation *op) {
    std::string why;
    if (!isRecurrentLayer(op, &why)) {
      op->emitWarning() << "recurrent layer '" << layerName(op)
                        << "' stays digital (fp32): " << why;
      ++numDigitalLayers;
      return success();
    }
    device::LayerSettings settings;
    if (std::string error = device::tryResolveLayer(*loaded_, layerName(op), settings);
        !error.empty())
      return op->emitError() << error;
    // A marked one runs in fp32 too: the only precision a recurrent layer has digitally.
    const bool marked = op->hasAttr(kMarkedDigitalAttr);
    if (settings.digital.enabled || marked) {
      if (!marked && settings.digital.precision != cim::DigitalPrecision::Fp32)
        return layerError(op) << "a recurrent layer kept digital runs in fp32, not "
                              << cim::toString(settings.digital.precision);
      ++numDigitalLayers;
      return success();
    }
    if (settings.inputs.smoothAlpha > 0)
      return smoothingRefused(op, op->getName().stripDialect());
    Builder b(op->getContext());
    if (failed(splitRecurrentLayer(op, b.getNamedAttr("settings", settingsAttr(b, settings)))))
      return failure();
    numCimLayers += 2;
    return success();
  }

  /// inputs.smooth_alpha on a layer cim-smooth-inputs cannot smooth: refused at placement,
  /// naming the node a `layers` entry can address, before any calibration runs.
  LogicalResult smoothingRefused(Operation *op, StringRef kind) {
    return layerError(op) << "inputs.smooth_alpha applies to Gemm, MatMul and Conv layers, not "
                          << kind << " (set it to 0 for this layer)";
  }

  std::shared_ptr<const device::DeviceConfig> loaded_;
};

} // namespace

std::unique_ptr<Pass> cimlir::createLowerToCim(std::shared_ptr<const device::DeviceConfig> device) {
  return std::make_unique<LowerToCimPass>(std::move(device));
}
