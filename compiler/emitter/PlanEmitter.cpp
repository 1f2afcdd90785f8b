//===- PlanEmitter.cpp - final IR to plan.bin -----------------------------===//
//
// Walks func.func @main once: block arguments are the graph inputs, onnx.Constant ops
// become tensor sections, every other op a step whose attributes are written by name
// (integers, floats, strings, arrays; a cim.linear's decisions as JSON objects). The
// runtime's PlanWriter owns the file layout.
//
//===----------------------------------------------------------------------===//

#include "compiler/emitter/PlanEmitter.h"

#include "dialects/cim/CimDialect.h"
#include "dialects/cim/CimOps.h"
#include "dialects/onnx/ElementTypes.h"
#include "dialects/onnx/OnnxOps.h"
#include "runtime/device/DeviceConfig.h"
#include "runtime/plan/PlanMetadata.h"
#include "runtime/plan/PlanWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"

#include <deque>

using namespace mlir;

namespace cimlir {

namespace {

/// The name a location gives an op: the ONNX node name for imported ops.
std::string locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto n = locationName(l); !n.empty())
        return n;
  return "";
}

/// An attribute as plan JSON: integers (ui64 ones unsigned), floats, strings, bools, dense
/// i64/f32/f64 arrays, and arrays and dictionaries of those (a cim.linear's decisions).
FailureOr<llvm::json::Value> attrToJson(Attribute a) {
  // A typed decision (dialects/cim/CimAttrs.td) is written as the object it stands for.
  if (auto decision = dyn_cast<cim::DecisionAttrInterface>(a))
    return attrToJson(decision.toDictionary());
  if (auto d = dyn_cast<DictionaryAttr>(a)) {
    llvm::json::Object o;
    for (NamedAttribute e : d) {
      auto v = attrToJson(e.getValue());
      if (failed(v))
        return failure();
      o[e.getName().str()] = std::move(*v);
    }
    return llvm::json::Value(std::move(o));
  }
  if (auto arr = dyn_cast<ArrayAttr>(a)) {
    llvm::json::Array out;
    for (Attribute e : arr) {
      auto v = attrToJson(e);
      if (failed(v))
        return failure();
      out.push_back(std::move(*v));
    }
    return llvm::json::Value(std::move(out));
  }
  if (auto ints = dyn_cast<DenseI64ArrayAttr>(a))
    return llvm::json::Value(llvm::json::Array(ints.asArrayRef()));
  if (auto doubles = dyn_cast<DenseF64ArrayAttr>(a)) {
    llvm::json::Array out;
    for (double d : doubles.asArrayRef())
      out.push_back(d); // printed with enough digits to read back the same double
    return llvm::json::Value(std::move(out));
  }
  if (auto floats = dyn_cast<DenseF32ArrayAttr>(a)) {
    llvm::json::Array out;
    for (float f : floats.asArrayRef())
      out.push_back(static_cast<double>(f)); // printed exactly, read back to the same float
    return llvm::json::Value(std::move(out));
  }
  if (auto s = dyn_cast<StringAttr>(a))
    return llvm::json::Value(s.str());
  if (auto t = dyn_cast<TypeAttr>(a)) { // an element type (Cast's `to`): its dtype name
    std::optional<DType> d = dtypeOf(t.getValue());
    if (!d)
      return failure();
    return llvm::json::Value(dtypeName(*d));
  }
  if (auto b = dyn_cast<BoolAttr>(a))
    return llvm::json::Value(b.getValue());
  if (auto i = dyn_cast<IntegerAttr>(a)) {
    if (i.getType().isUnsignedInteger())
      return llvm::json::Value(static_cast<uint64_t>(i.getValue().getZExtValue()));
    return llvm::json::Value(i.getInt());
  }
  if (auto f = dyn_cast<FloatAttr>(a))
    return llvm::json::Value(f.getValueAsDouble());
  return failure();
}

/// The step op of an IR op: onnx ops keep their ONNX name, cim.linear is "CimLinear",
/// cim.digital_linear "DigitalLinear" and cim.elementwise_chain "ElementwiseChain".
std::string stepOpName(Operation *op) {
  if (isa<cim::LinearOp>(op))
    return "CimLinear";
  if (isa<cim::DigitalLinearOp>(op))
    return "DigitalLinear";
  if (isa<cim::ElementwiseChainOp>(op))
    return "ElementwiseChain";
  return op->getName().stripDialect().str();
}

class Emitter {
public:
  /// Builds the plan and hands the writer to `write` (a file or memory), whose error it
  /// emits.
  LogicalResult run(func::FuncOp main, const std::string &sourceName, bool needsDevice,
                    llvm::function_ref<std::string(const plan::PlanWriter &)> write);

private:
  int64_t addValue(Value v, StringRef name);
  FailureOr<ArrayRef<char>> constantBytes(Location loc, ElementsAttr attr);
  FailureOr<std::string> stepAttributes(Operation *op);
  FailureOr<std::string> stepExt(Operation *op);

  llvm::DenseMap<Value, int64_t> ids_;
  plan::Metadata meta_;
  std::deque<std::vector<char>> expanded_; // bytes of splat/bool constants, alive until written
};

int64_t Emitter::addValue(Value v, StringRef name) {
  auto type = cast<RankedTensorType>(v.getType());
  plan::ValueEntry value{name.str(), *dtypeOf(type.getElementType()), {}};
  for (int64_t d : type.getShape())
    value.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  meta_.values.push_back(std::move(value));
  int64_t id = static_cast<int64_t>(meta_.values.size()) - 1;
  ids_[v] = id;
  return id;
}

FailureOr<ArrayRef<char>> Emitter::constantBytes(Location loc, ElementsAttr attr) {
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return emitError(loc) << "constant refers to a missing resource blob (IR printed without "
                               "--print-weights holds no weights)";
    return blob->getData();
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return emitError(loc) << "unsupported constant attribute kind";
  Type elem = dense.getElementType();
  if (!dense.isSplat() && !elem.isInteger(1))
    return dense.getRawData();
  // Splats store one element and bools are bit-packed: write every element out.
  std::vector<char> &bytes = expanded_.emplace_back();
  unsigned width = elem.getIntOrFloatBitWidth();
  if (elem.isInteger(1)) {
    for (bool b : dense.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
  } else {
    ArrayRef<char> one = dense.getRawData();
    size_t elemBytes = width / 8;
    for (int64_t i = 0, n = dense.getNumElements(); i < n; ++i)
      bytes.insert(bytes.end(), one.begin(), one.begin() + elemBytes);
  }
  return ArrayRef<char>(bytes);
}

FailureOr<std::string> Emitter::stepAttributes(Operation *op) {
  llvm::json::Object attrs;
  for (NamedAttribute a : op->getAttrs()) {
    // A CIM layer's name is the step's name, and cim.ext the step's ext: neither is one of its
    // attributes.
    if ((cim::getLayerAttr(op) && a.getName() == "layer") || a.getName() == cim::kExtAttr)
      continue;
    auto value = attrToJson(a.getValue());
    if (failed(value))
      return op->emitError() << "cannot write attribute '" << a.getName().str() << "' into a plan";
    attrs[a.getName().str()] = std::move(*value);
  }
  std::string text;
  llvm::raw_string_ostream(text) << llvm::json::Value(std::move(attrs));
  return text;
}

/// The op's cim.ext (the cim dialect verified its keys) as the step's ext: "" when none.
FailureOr<std::string> Emitter::stepExt(Operation *op) {
  auto ext = op->getAttrOfType<DictionaryAttr>(cim::kExtAttr);
  if (!ext)
    return std::string();
  for (NamedAttribute entry : ext)
    if (failed(attrToJson(entry.getValue())))
      return op->emitError() << "cannot write " << cim::kExtAttr << " '"
                             << entry.getName().getValue()
                             << "' into a plan (its values: strings, numbers, bools, and arrays "
                                "and dictionaries of those)";
  std::string text;
  llvm::raw_string_ostream(text) << *attrToJson(ext);
  return text;
}

LogicalResult Emitter::run(func::FuncOp main, const std::string &sourceName, bool needsDevice,
                           llvm::function_ref<std::string(const plan::PlanWriter &)> write) {
  plan::PlanWriter writer;
  // The device the layers were placed for (cim-lower-to-cim put it on @main), as the plan
  // records it: the resolved file in the metadata, its fingerprint in the header.
  std::string deviceJson;
  uint64_t deviceFingerprint = 0;
  std::optional<device::DeviceConfig> placed;
  if (std::string error = placedDevice(main, placed); !error.empty())
    return main.emitError() << "@main's " << error;
  if (placed) {
    deviceJson = device::toJsonText(*placed, -1);
    deviceFingerprint = device::fingerprint(*placed);
  } else if (needsDevice) {
    return main.emitError() << "the IR was never placed on a device (@main has no string "
                            << cim::kDeviceAttr
                            << "): run the cim-compile pipeline (or cim-lower-to-cim) first";
  }

  for (auto [i, arg] : llvm::enumerate(main.getArguments())) {
    auto name = main.getArgAttrOfType<StringAttr>(i, "onnx.name");
    std::string n = name ? name.str() : "input" + std::to_string(i);
    if (!isa<RankedTensorType>(arg.getType()) ||
        !dtypeOf(cast<RankedTensorType>(arg.getType()).getElementType()))
      return main.emitError() << "graph input '" << n << "' has a type plans cannot hold";
    meta_.inputs.push_back({n, addValue(arg, n)});
  }

  WalkResult walk = main.getBody().walk([&](Operation *op) -> WalkResult {
    if (isa<func::ReturnOp>(op))
      return WalkResult::advance();
    if (!isa_and_nonnull<onnx::OnnxDialect, cim::CimDialect>(op->getDialect()))
      return op->emitError() << "op '" << op->getName() << "' cannot be written into a plan "
                             << "(run the full pipeline first)";
    for (Value r : op->getResults())
      if (!isa<RankedTensorType>(r.getType()) ||
          !dtypeOf(cast<RankedTensorType>(r.getType()).getElementType()))
        return op->emitError() << "result type " << r.getType() << " cannot be written into a plan";
    // A CIM layer's name is its id's seed (§9): take it from the op, not the location.
    auto layer = cim::getLayerAttr(op);
    std::string name = layer ? layer.str() : locationName(op->getLoc());
    if (auto c = dyn_cast<onnx::ConstantOp>(op)) {
      if (op->hasAttr(cim::kExtAttr))
        return op->emitError() << cim::kExtAttr
                               << " on a constant: constants are no plan steps, nothing would "
                                  "carry it (put it on the op that reads the constant)";
      auto bytes = constantBytes(op->getLoc(), c.getValue());
      if (failed(bytes))
        return WalkResult::interrupt();
      int64_t id = addValue(c.getResult(), name);
      uint32_t section = writer.addTensor("const:" + (name.empty() ? std::to_string(id) : name),
                                          bytes->data(), bytes->size());
      meta_.constants.push_back({id, section});
      return WalkResult::advance();
    }
    auto attrs = stepAttributes(op);
    if (failed(attrs))
      return WalkResult::interrupt();
    auto ext = stepExt(op);
    if (failed(ext))
      return WalkResult::interrupt();
    plan::StepEntry step{stepOpName(op), name, {}, {}, std::move(*attrs), std::move(*ext)};
    for (Value v : op->getOperands())
      step.inputs.push_back(ids_.lookup(v));
    for (Value v : op->getResults())
      step.outputs.push_back(addValue(v, name));
    meta_.steps.push_back(std::move(step));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto name = main.getResultAttrOfType<StringAttr>(i, "onnx.name");
    meta_.outputs.push_back({name ? name.str() : "output" + std::to_string(i), ids_.lookup(v)});
  }

  meta_.producer = "cim-opt " CIMLIR_VERSION;
  meta_.source = sourceName;
  meta_.device = deviceJson;
  std::string text;
  if (std::string error = plan::toMetadataJson(meta_, text); !error.empty())
    return emitError(main.getLoc()) << error;
  writer.setMetadata(std::move(text));
  writer.setProducer("cim-opt " CIMLIR_VERSION);
  writer.setDeviceFingerprint(deviceFingerprint);
  std::string error = write(writer);
  if (!error.empty())
    return emitError(main.getLoc()) << error;
  return success();
}

} // namespace

std::string placedDevice(func::FuncOp main, std::optional<device::DeviceConfig> &out) {
  out.reset();
  auto placed = main->getAttrOfType<StringAttr>(cim::kDeviceAttr);
  if (!placed)
    return "";
  device::DeviceConfig config;
  if (std::string error =
          device::tryParseDeviceText(placed.getValue(), cim::kDeviceAttr.str(), config);
      !error.empty())
    return error;
  out = std::move(config);
  return "";
}

LogicalResult emitPlan(ModuleOp module, const std::string &sourceName,
                       const std::string &stagedTemp, const std::string &path) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError() << "no func.func @main to write into a plan";
  return Emitter().run(main, sourceName, /*needsDevice=*/true,
                       [&](const plan::PlanWriter &w) { return w.writeStaged(stagedTemp, path); });
}

LogicalResult emitPlanToMemory(ModuleOp module, const std::string &sourceName,
                               std::vector<unsigned char> &bytes) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError() << "no func.func @main to write into a plan";
  return Emitter().run(main, sourceName, /*needsDevice=*/false,
                       [&](const plan::PlanWriter &w) { return w.writeToMemory(bytes); });
}

} // namespace cimlir
