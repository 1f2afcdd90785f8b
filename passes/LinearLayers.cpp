//===- LinearLayers.cpp - what the CIM passes share -----------------------===//

#include "passes/LinearLayers.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cim/CimParams.h"

#include "mlir/IR/Matchers.h"

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
  if (!isa<onnx::GemmOp, onnx::MatMulOp, onnx::ConvOp>(op) ||
      !matchPattern(op->getOperand(1), m_Constant()))
    return false;
  if (auto mm = dyn_cast<onnx::MatMulOp>(op))
    // A vector or batched weight has no crossbar mapping (§0): it stays the onnx op.
    return cast<RankedTensorType>(mm.getA().getType()).getRank() >= 2 &&
           cast<RankedTensorType>(mm.getB().getType()).getRank() == 2;
  return true;
}

Operation *replaceWithLinear(Operation *op, StringRef opName, ArrayRef<NamedAttribute> extra) {
  OpBuilder b(op);
  SmallVector<NamedAttribute> attrs(extra);
  attrs.push_back(b.getNamedAttr("layer", b.getStringAttr(layerName(op))));
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
  } else {
    auto conv = cast<onnx::ConvOp>(op);
    attrs.append({b.getNamedAttr("kind", b.getStringAttr("conv")),
                  b.getNamedAttr("strides", conv.getStridesAttr()),
                  b.getNamedAttr("pads", conv.getPadsAttr()),
                  b.getNamedAttr("dilations", conv.getDilationsAttr()),
                  b.getNamedAttr("group", conv.getGroupAttr())});
  }
  OperationState state(op->getLoc(), opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(op->getResultTypes());
  Operation *linear = b.create(state);
  op->replaceAllUsesWith(linear);
  op->erase();
  return linear;
}

LogicalResult forEachUndecided(Operation *root, StringRef decision,
                               function_ref<LogicalResult(cim::LinearOp)> decide) {
  WalkResult result = root->walk([&](cim::LinearOp op) {
    if (op->hasAttr(decision))
      return WalkResult::advance();
    return failed(decide(op)) ? WalkResult::interrupt() : WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

SmallVector<NamedAttribute, 2> sliceAttrs(Builder &b, ArrayRef<int64_t> widths) {
  std::vector<int> offsets = cim::sliceOffsets(std::vector<int>(widths.begin(), widths.end()));
  return {b.getNamedAttr("slices", b.getDenseI64ArrayAttr(widths)),
          b.getNamedAttr("offsets", b.getDenseI64ArrayAttr(
                                        SmallVector<int64_t>(offsets.begin(), offsets.end())))};
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

FailureOr<double> SettingsSection::takeNumber(StringRef field) {
  if (failed_)
    return failure(); // one error per layer
  Attribute a = find(field);
  std::optional<double> v;
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    v = static_cast<double>(i.getValue().getSExtValue());
  else if (auto f = dyn_cast_or_null<FloatAttr>(a))
    v = f.getValueAsDouble();
  if (!v)
    return missing(field, "a number");
  taken_.push_back(field.str());
  return *v;
}

FailureOr<std::string> SettingsSection::takeString(StringRef field) {
  if (failed_)
    return failure(); // one error per layer
  auto a = dyn_cast_or_null<StringAttr>(find(field));
  if (!a)
    return missing(field, "a string");
  taken_.push_back(field.str());
  return a.str();
}

FailureOr<SmallVector<int64_t>> SettingsSection::takeIntegers(StringRef field) {
  if (failed_)
    return failure(); // one error per layer
  Attribute a = find(field);
  SmallVector<int64_t> out;
  if (auto dense = dyn_cast_or_null<DenseI64ArrayAttr>(a)) {
    out.assign(dense.asArrayRef().begin(), dense.asArrayRef().end());
  } else if (auto list = dyn_cast_or_null<ArrayAttr>(a)) {
    for (Attribute e : list) {
      auto i = dyn_cast<IntegerAttr>(e);
      if (!i)
        return missing(field, "a list of integers");
      out.push_back(i.getValue().getSExtValue());
    }
  } else {
    return missing(field, "a list of integers");
  }
  taken_.push_back(field.str());
  return out;
}

FailureOr<uint64_t> SettingsSection::takeSeed(StringRef field) {
  if (failed_)
    return failure(); // one error per layer
  auto a = dyn_cast_or_null<IntegerAttr>(find(field));
  // An i64 seed is below 2^63; the device settings write larger ones as ui64.
  if (!a || (!a.getType().isUnsignedInteger() && a.getValue().isNegative()))
    return missing(field, "a seed (an integer in 0..2^64-1)");
  taken_.push_back(field.str());
  return a.getValue().getZExtValue();
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
