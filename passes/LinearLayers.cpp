//===- LinearLayers.cpp - what the CIM passes share -----------------------===//

#include "passes/LinearLayers.h"

#include "dialects/cim/CimFieldAttrs.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

namespace cimlir {

std::string layerName(Operation *op) {
  if (auto layer = cim::getLayerAttr(op))
    return layer.str();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return "";
}

InFlightDiagnostic layerError(Operation *op) {
  return op->emitError() << "layer '" << layerName(op) << "': ";
}

bool isLinearLayer(Operation *op) {
  if (!isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp, onnx::ConvTransposeOp>(op) ||
      !matchPattern(op->getOperand(1), m_Constant()))
    return false;
  if (auto mm = dyn_cast<onnx::MatMulOp>(op))
    // A vector or batched weight has no crossbar mapping (§0): it stays the onnx op.
    return cast<RankedTensorType>(mm.getA().getType()).getRank() >= 2 &&
           cast<RankedTensorType>(mm.getB().getType()).getRank() == 2;
  return true;
}

template <typename LinearOpTy>
LinearOpTy replaceWithLinear(Operation *op, ArrayRef<NamedAttribute> extra) {
  OpBuilder b(op);
  SmallVector<NamedAttribute> attrs(extra);
  attrs.push_back(b.getNamedAttr("layer", b.getStringAttr(layerName(op))));
  // What a pass left on the layer for the runtime stays with it (cim.ext reaches the plan).
  if (Attribute ext = op->getAttr(cim::kExtAttr))
    attrs.push_back(b.getNamedAttr(cim::kExtAttr, ext));
  SmallVector<Value> operands(op->getOperands());
  if (auto gemm = dyn_cast<onnx::GemmOp>(op)) {
    if (gemm.getTransA() != 0) {
      // transA is a digital transpose in front of the layer (§0).
      auto at = cast<RankedTensorType>(gemm.getA().getType());
      auto tt = RankedTensorType::get({at.getDimSize(1), at.getDimSize(0)}, at.getElementType());
      operands[0] = onnx::TransposeOp::create(b, op->getLoc(), tt, gemm.getA(),
                                              b.getDenseI64ArrayAttr({1, 0}));
    }
    attrs.append({b.getNamedAttr("kind", b.getStringAttr("gemm")),
                  b.getNamedAttr("alpha", gemm.getAlphaAttr()),
                  b.getNamedAttr("beta", gemm.getBetaAttr()),
                  b.getNamedAttr("transB", gemm.getTransBAttr())});
  } else if (isa<onnx::MatMulOp>(op)) {
    attrs.push_back(b.getNamedAttr("kind", b.getStringAttr("matmul")));
  } else if (auto deconv = dyn_cast<onnx::ConvTransposeOp>(op)) {
    // output_padding only sizes Y, whose type the layer keeps.
    attrs.append({b.getNamedAttr("kind", b.getStringAttr("conv_transpose")),
                  b.getNamedAttr("strides", deconv.getStridesAttr()),
                  b.getNamedAttr("pads", deconv.getPadsAttr()),
                  b.getNamedAttr("dilations", deconv.getDilationsAttr()),
                  b.getNamedAttr("group", deconv.getGroupAttr())});
  } else {
    auto conv = cast<onnx::ConvOp>(op);
    attrs.append({b.getNamedAttr("kind", b.getStringAttr("conv")),
                  b.getNamedAttr("strides", conv.getStridesAttr()),
                  b.getNamedAttr("pads", conv.getPadsAttr()),
                  b.getNamedAttr("dilations", conv.getDilationsAttr()),
                  b.getNamedAttr("group", conv.getGroupAttr())});
  }
  auto linear = LinearOpTy::create(b, op->getLoc(), op->getResultTypes(), operands, attrs);
  op->replaceAllUsesWith(linear);
  op->erase();
  return linear;
}

template cim::LinearOp replaceWithLinear<cim::LinearOp>(Operation *, ArrayRef<NamedAttribute>);
template cim::DigitalLinearOp replaceWithLinear<cim::DigitalLinearOp>(Operation *,
                                                                      ArrayRef<NamedAttribute>);

/// The layer's location with the folded op recorded: the layer keeps its name (layerName);
/// under it a FusedLoc of the layer's own location alone (first and only, unknown or not),
/// whose metadata lists the folded nodes' names (read by cim-opt --report and by messages).
Location fusedLocation(Operation *layer, Operation *folded) {
  MLIRContext *ctx = layer->getContext();
  auto name = dyn_cast<NameLoc>(layer->getLoc());
  Location own = name ? name.getChildLoc() : layer->getLoc();
  SmallVector<Attribute> names;
  if (auto fused = dyn_cast<FusedLoc>(own))
    if (auto previous = dyn_cast_or_null<ArrayAttr>(fused.getMetadata())) {
      own = fused.getLocations().front();
      names.assign(previous.begin(), previous.end());
    }
  names.push_back(StringAttr::get(ctx, layerName(folded)));
  // With metadata, FusedLoc keeps a single location (an unknown one included).
  Location child = FusedLoc::get(ctx, {own}, ArrayAttr::get(ctx, names));
  return name ? Location(NameLoc::get(name.getName(), child)) : child;
}

double smoothAlpha(cim::LinearOp op) {
  DictionaryAttr settings = op.getSettingsAttr();
  auto inputs = settings ? settings.getAs<DictionaryAttr>("inputs") : nullptr;
  auto alpha = inputs ? inputs.getAs<FloatAttr>("smooth_alpha") : nullptr;
  return alpha ? alpha.getValueAsDouble() : 0.0;
}

cim::DigitalLinearOp createFp32Twin(cim::LinearOp op) {
  OpBuilder builder(op);
  NamedAttrList attrs(op->getAttrs());
  attrs.erase(op.getSettingsAttrName());
  attrs.set(cim::DigitalLinearOp::getPrecisionAttrName(
                OperationName(cim::DigitalLinearOp::getOperationName(), op.getContext())),
            builder.getStringAttr(cim::toString(cim::DigitalPrecision::Fp32)));
  return cim::DigitalLinearOp::create(builder, op.getLoc(), op->getResultTypes(), op->getOperands(),
                                      attrs.getAttrs());
}

FailureOr<std::vector<float>> constantFloats(Operation *op, ElementsAttr value) {
  std::vector<float> out(static_cast<size_t>(value.getNumElements()));
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != out.size() * sizeof(float))
      return layerError(op) << "the weight's resource blob is missing or has the wrong size (IR "
                               "printed without --print-weights holds no weights)";
    std::memcpy(out.data(), blob->getData().data(), out.size() * sizeof(float));
    return out;
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return layerError(op) << "the weight is neither a dense nor a resource constant";
  llvm::copy(dense.getValues<float>(), out.begin());
  return out;
}

template <typename T>
ElementsAttr constantData(RankedTensorType type, const T *data, StringRef key) {
  ArrayRef<T> values(data, static_cast<size_t>(type.getNumElements()));
  if (type.getNumElements() <= 16)
    return DenseElementsAttr::get(type, values);
  return DenseResourceElementsAttr::get(type, key,
                                        HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}

template ElementsAttr constantData<int8_t>(RankedTensorType, const int8_t *, StringRef);
template ElementsAttr constantData<int16_t>(RankedTensorType, const int16_t *, StringRef);
template ElementsAttr constantData<float>(RankedTensorType, const float *, StringRef);

LogicalResult forEachUndecided(Operation *root, StringRef decision,
                               function_ref<LogicalResult(cim::LinearOp)> decide) {
  WalkResult result = root->walk([&](cim::LinearOp op) {
    if (op->hasAttr(decision))
      return WalkResult::advance();
    return failed(decide(op)) ? WalkResult::interrupt() : WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

// ---- SettingsSection ------------------------------------------------------------------

SettingsSection::SettingsSection(cim::LinearOp op, StringRef section)
    : op_(op), section_(section.str()) {
  if (auto settings = op.getSettingsAttr())
    dict_ = settings.getAs<DictionaryAttr>(section);
}

bool SettingsSection::has(StringRef field) const { return dict_ && dict_.get(field); }

Attribute SettingsSection::find(StringRef field) { return dict_ ? dict_.get(field) : Attribute(); }

InFlightDiagnostic SettingsSection::missing(StringRef field, StringRef what) {
  failed_ = true;
  return layerError(op_) << "settings." << section_ << "." << field << " is missing or not " << what
                         << " (cim-lower-to-cim writes the device's settings)";
}

FailureOr<int64_t> SettingsSection::peekInteger(StringRef field) {
  if (failed_)
    return failure(); // one error per layer
  auto a = dyn_cast_or_null<IntegerAttr>(find(field));
  if (!a)
    return missing(field, "an integer");
  return a.getValue().getSExtValue();
}

FailureOr<int64_t> SettingsSection::takeInteger(StringRef field) {
  auto v = peekInteger(field);
  if (succeeded(v))
    taken_.push_back(field.str());
  return v;
}

LogicalResult SettingsSection::takeFields(cim::LayerSettings &values) {
  if (failed_)
    return failure(); // one error per layer
  for (const cim::LayerField *f : cim::sectionFields(section_)) {
    if (!f->decision())
      continue; // decided otherwise (inputs.hybrid_analog_bits: cim-hybrid-split)
    std::optional<cim::FieldValue> v = cim::fieldValue(*f, find(f->name));
    if (!v)
      return missing(f->name, cim::fieldKindText(*f));
    if (std::optional<cim::FieldProblem> problem = f->check(*v)) {
      failed_ = true;
      const cim::SettingsProblem p = f->describe("settings." + f->key(), *v, *problem);
      return layerError(op_) << p.field << ": " << p.what;
    }
    f->set(values, *v);
    taken_.push_back(f->name);
  }
  return success();
}

void SettingsSection::commit() {
  auto settings = op_.getSettingsAttr();
  if (!settings || !dict_)
    return;
  NamedAttrList section(dict_);
  for (const std::string &field : taken_)
    section.erase(field);
  NamedAttrList rest(settings);
  if (section.empty())
    rest.erase(section_);
  else
    rest.set(section_, section.getDictionary(op_.getContext()));
  if (rest.empty())
    op_.removeSettingsAttr();
  else
    op_.setSettingsAttr(rest.getDictionary(op_.getContext()));
  taken_.clear();
}

} // namespace cimlir
