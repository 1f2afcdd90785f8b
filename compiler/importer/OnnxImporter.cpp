//===- OnnxImporter.cpp - ONNX graph to func.func @main -------------------===//

#include "compiler/importer/OnnxImporter.h"

#include "compiler/importer/ModelLoader.h"
#include "compiler/importer/NodeImport.h"
#include "compiler/importer/TensorImport.h"
#include "core/HalfFloat.h"
#include "core/ShapeMath.h"
#include "dialects/onnx/OnnxOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <functional>

using namespace mlir;

namespace cimlir {

ImportedModel::ImportedModel() = default;
ImportedModel::~ImportedModel() = default;
ImportedModel::ImportedModel(ImportedModel &&) = default;
ImportedModel &ImportedModel::operator=(ImportedModel &&) = default;

namespace {

/// The type of a graph input: static except a leading batch dimension, which may be
/// symbolic (dim_param, no value, or -1 as some exporters write it) and becomes `?`.
/// `pinned` (--input-shape) sizes the dimensions the model leaves symbolic.
FailureOr<RankedTensorType> importInputType(Location loc, const ::onnx::ValueInfoProto &vi,
                                            const SmallVector<int64_t> *pinned) {
  const auto &type = vi.type();
  if (!type.has_tensor_type())
    return emitError(loc) << "graph input '" << vi.name() << "' is not a tensor";
  const auto &tt = type.tensor_type();
  Type elem = importElementType(loc.getContext(), tt.elem_type());
  if (!elem)
    return emitError(loc) << "graph input '" << vi.name() << "' has unsupported element type "
                          << onnxTypeName(tt.elem_type());
  if (!tt.has_shape())
    return emitError(loc) << "graph input '" << vi.name() << "' has no shape"
                          << (pinned ? "" : "; give it with --input-shape NAME=D0xD1x...");
  const int rank = tt.shape().dim_size();
  if (pinned && static_cast<int>(pinned->size()) != rank)
    return emitError(loc) << "--input-shape " << vi.name() << ": " << pinned->size()
                          << " dimensions, but the model declares " << rank;
  // How the model's dimensions read, for the hint: 1xNx?x...
  auto declared = [&]() {
    std::string out;
    for (int i = 0; i < rank; ++i) {
      const auto &d = tt.shape().dim(i);
      out += (i ? "x" : "") + (d.has_dim_value() && d.dim_value() >= 0
                                   ? std::to_string(d.dim_value())
                                   : (i == 0 ? std::string("N") : std::string("<size>")));
    }
    return out;
  };
  SmallVector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    const auto &d = tt.shape().dim(i);
    const bool symbolic = !d.has_dim_value() || d.dim_value() == -1;
    if (d.has_dim_value() && d.dim_value() < -1)
      return emitError(loc) << "graph input '" << vi.name() << "' has a negative dimension " << i;
    if (pinned) {
      const int64_t p = (*pinned)[i];
      if (!symbolic && p != d.dim_value())
        return emitError(loc) << "--input-shape " << vi.name() << ": dimension " << i << " is "
                              << d.dim_value() << " in the model, not "
                              << (ShapedType::isDynamic(p) ? std::string("N") : std::to_string(p));
      dims.push_back(p);
    } else if (!symbolic) {
      dims.push_back(d.dim_value());
    } else if (i == 0) {
      dims.push_back(ShapedType::kDynamic);
    } else {
      std::string name = d.has_dim_param() && !d.dim_param().empty() ? " ('" + d.dim_param() + "')"
                                                                     : std::string();
      return emitError(loc) << "graph input '" << vi.name() << "' has a symbolic dimension " << i
                            << name << "; only the leading batch dimension may be: give its "
                            << "size with --input-shape " << vi.name() << "=" << declared();
    }
  }
  return RankedTensorType::get(dims, elem);
}

/// `type` within what one tensor may hold (core/ShapeMath.h), the batch dimension counted as
/// 1: the plan loader applies the same rule, so a model it would refuse is refused here.
LogicalResult checkTensorSize(Location loc, Type type, const std::string &what) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return success();
  std::vector<int64_t> dims;
  for (int64_t d : t.getShape())
    dims.push_back(ShapedType::isDynamic(d) ? 1 : d);
  Type elem = t.getElementType();
  const size_t itemBytes = elem.isIntOrFloat() ? (elem.getIntOrFloatBitWidth() + 7) / 8 : 8;
  if (std::string problem = tensorSizeProblem(dims, itemBytes); !problem.empty())
    return emitError(loc) << what << " of type " << t << " " << problem;
  return success();
}

/// When an ONNX shape (a value_info's or a graph output's) disagrees with `t`, the ONNX shape
/// as "2x?x7" (a size it does not state, or states as -1 as some exporters write, is `?`);
/// empty when they agree: the same rank, and each size both know equal.
std::string onnxShapeDisagreement(const ::onnx::TensorShapeProto &shape, RankedTensorType t) {
  auto known = [&](int i) { return shape.dim(i).has_dim_value() && shape.dim(i).dim_value() >= 0; };
  bool agree = shape.dim_size() == t.getRank();
  for (int i = 0; agree && i < shape.dim_size(); ++i)
    if (known(i) && !t.isDynamicDim(i))
      agree = shape.dim(i).dim_value() == t.getDimSize(i);
  if (agree)
    return "";
  std::string text;
  for (int i = 0; i < shape.dim_size(); ++i)
    text += (i ? "x" : "") + (known(i) ? std::to_string(shape.dim(i).dim_value()) : "?");
  return text;
}

/// The type cimlir inferred for value `name` against the one ONNX's shape inference gives:
/// each dimension both know statically must agree, and so must the rank when ONNX knows it.
/// A negative size (-1, which some exporters write into value_info) is unknown. The element
/// types must agree.
/// A disagreement is a bug of one of them; the error says so rather than run a wrong plan.
LogicalResult checkAgainstOnnx(Location loc, StringRef name, Type ours,
                               const ::onnx::TypeProto &onnx) {
  auto t = dyn_cast<RankedTensorType>(ours);
  if (!t || !onnx.has_tensor_type() || !onnx.tensor_type().has_shape())
    return success();
  // The element type too (where ONNX knows it): an op computed in another type than the
  // model says (a float16 rounding too many or too few) is caught here.
  if (Type theirs = importElementType(t.getContext(), onnx.tensor_type().elem_type());
      theirs && theirs != t.getElementType())
    return emitError(loc) << "value '" << name << "': cimlir infers " << t
                          << " but ONNX's shape inference gives element type " << theirs
                          << "; one of them is wrong (please report this model)";
  const std::string theirs = onnxShapeDisagreement(onnx.tensor_type().shape(), t);
  if (theirs.empty())
    return success();
  return emitError(loc) << "value '" << name << "': cimlir infers " << t
                        << " but ONNX's shape inference gives [" << theirs
                        << "]; one of them is wrong (please report this model)";
}

/// A frozen input's array must have the input's element type and shape (any size for
/// the batch dimension).
LogicalResult checkFrozenType(Location loc, StringRef name, RankedTensorType declared,
                              ElementsAttr value) {
  auto actual = cast<RankedTensorType>(value.getType());
  bool ok = actual.getElementType() == declared.getElementType() &&
            actual.getRank() == declared.getRank();
  for (int64_t i = 0; ok && i < declared.getRank(); ++i)
    ok = declared.isDynamicDim(i) || declared.getDimSize(i) == actual.getDimSize(i);
  if (!ok)
    return emitError(loc) << "frozen input '" << name << "' is " << actual
                          << " but the graph declares " << declared;
  return success();
}

/// A frozen float32 array for a bfloat16 input, rounded to nearest even: NumPy has no
/// bfloat16, and .npz files hold it as float32 (runtime/data/Npz.h). Any other array as is.
ElementsAttr asBFloat16IfDeclared(ElementsAttr value, RankedTensorType declared) {
  if (!declared.getElementType().isBF16() || !value.getElementType().isF32())
    return value;
  SmallVector<uint16_t> bits;
  for (float f : value.getValues<float>())
    bits.push_back(toBFloat16(f).bits);
  auto type = RankedTensorType::get(cast<RankedTensorType>(value.getType()).getShape(),
                                    declared.getElementType());
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(reinterpret_cast<const char *>(bits.data()), bits.size() * 2));
}

/// The newest opset of the default domain cimlir imports (ONNX 1.16). Opsets 18 to 21 changed
/// the supported ops' forms where the importers normalise them (Reduce* and Pad axes as
/// inputs, Split's num_outputs, Pad's wrap mode) and otherwise added types, which the type
/// checks refuse by name; new ops are refused by name as every unsupported op is.
constexpr int64_t kNewestOpset = 21;

int64_t opsetFor(const ::onnx::ModelProto &model, const std::string &domain) {
  for (const auto &o : model.opset_import())
    if (o.domain() == domain || (domain == "ai.onnx" && o.domain().empty()) ||
        (domain.empty() && o.domain() == "ai.onnx"))
      return o.version();
  return -1;
}

/// Where diagnostics about a node point: NameLoc(node name, NameLoc(op type, domain
/// and opset, file)). The outer name is the node's (its first output's when unnamed):
/// the plan records it as the layer's name; "#index" for a node with neither.
Location nodeLocation(MLIRContext *ctx, StringRef file, const ::onnx::NodeProto &node, int index,
                      int64_t opset) {
  std::string name = !node.name().empty()                            ? node.name()
                     : node.output_size() && !node.output(0).empty() ? node.output(0)
                                                                     : "#" + std::to_string(index);
  std::string what = node.op_type() + ", domain '" +
                     (node.domain().empty() ? "ai.onnx" : node.domain()) + "', opset " +
                     std::to_string(opset);
  return NameLoc::get(
      StringAttr::get(ctx, name),
      NameLoc::get(StringAttr::get(ctx, what), FileLineColLoc::get(ctx, file, 0, 0)));
}

} // namespace

std::string parseInputShape(StringRef text, InputShapes &shapes) {
  auto [name, dims] = text.rsplit('=');
  if (name.empty() || dims.empty() || name.size() == text.size())
    return "--input-shape " + text.str() + ": expected NAME=D0xD1x... (sizes, N for the batch)";
  SmallVector<int64_t> out;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (auto [i, part] : llvm::enumerate(parts)) {
    int64_t size = 0;
    if (part == "N" && i == 0)
      out.push_back(ShapedType::kDynamic);
    else if (!part.getAsInteger(10, size) && size >= 0)
      out.push_back(size);
    else
      return "--input-shape " + text.str() + ": '" + part.str() +
             "' is not a size (an integer >= 0, or N for the leading batch dimension)";
  }
  if (!shapes.try_emplace(name, std::move(out)).second)
    return "--input-shape " + name.str() + " is given twice";
  return "";
}

FailureOr<ImportedModel> importOnnxModel(MLIRContext &context, const std::string &path,
                                         const FrozenInputs &frozen, const InputShapes &shapes) {
  context.loadDialect<onnx::OnnxDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  ImportedModel result;
  result.proto = std::make_unique<::onnx::ModelProto>();
  if (failed(loadModelProto(fileLoc, path, *result.proto)))
    return failure();
  const ::onnx::ModelProto &model = *result.proto;
  const ::onnx::GraphProto &graph = model.graph();
  int64_t defaultOpset = opsetFor(model, "");
  if (defaultOpset < 1)
    return emitError(fileLoc) << "the model imports no opset of the default ONNX domain";
  if (defaultOpset > kNewestOpset)
    return emitError(fileLoc) << "the model uses opset " << defaultOpset
                              << " of the default domain; cimlir imports opsets up to "
                              << kNewestOpset << " (ONNX 1.16)";
  if (graph.output_size() == 0)
    return emitError(fileLoc) << "the graph has no outputs";
  // Every node output's type, checked against ONNX's own shape inference once the whole
  // graph has imported: only a model that passed cimlir's checks reaches libonnx's inference,
  // which trusts its attributes (a stride of 0 divides by zero there).
  struct Produced {
    Location loc;
    std::string name;
    Type type;
  };
  std::vector<Produced> produced;
  // Every name is defined once: graph inputs, initializers and node outputs share one
  // namespace (initializers may repeat as graph inputs, IR version < 4).
  {
    llvm::StringSet<> inputNames, defined;
    for (const auto &vi : graph.input())
      if (!inputNames.insert(vi.name()).second)
        return emitError(fileLoc) << "graph input '" << vi.name() << "' is declared twice";
    for (const auto &t : graph.initializer())
      if (!defined.insert(t.name()).second)
        return emitError(fileLoc) << "initializer '" << t.name() << "' is defined twice";
    for (const auto &vi : graph.input())
      defined.insert(vi.name());
    for (const auto &node : graph.node())
      for (const auto &out : node.output())
        if (!out.empty() && !defined.insert(out).second)
          return emitError(fileLoc) << "value '" << out << "' is defined twice (by node '"
                                    << node.name() << "' and before it)";
    llvm::StringSet<> outputNames;
    for (const auto &vi : graph.output())
      if (!outputNames.insert(vi.name()).second)
        return emitError(fileLoc) << "graph output '" << vi.name() << "' is listed twice";
    for (const auto &entry : frozen)
      if (!inputNames.contains(entry.getKey()))
        return emitError(fileLoc) << "--freeze-inputs: '" << entry.getKey().str()
                                  << "' is not a graph input of the model";
    for (const auto &entry : shapes)
      if (!inputNames.contains(entry.getKey()))
        return emitError(fileLoc) << "--input-shape: '" << entry.getKey().str()
                                  << "' is not a graph input of the model";
  }

  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  TensorSource tensors{std::string(dir), &result.externalData};

  OpBuilder builder(&context);
  result.module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(result.module->getBody());
  llvm::StringMap<Value> values;

  // Initializers may be listed among the graph inputs (IR version < 4): they are
  // constants, not inputs.
  llvm::StringMap<const ::onnx::TensorProto *> initializers;
  for (const auto &t : graph.initializer())
    initializers[t.name()] = &t;
  SmallVector<const ::onnx::ValueInfoProto *> inputs;
  SmallVector<Type> inputTypes;
  FrozenInputs frozenValues = frozen; // with float32 arrays for bfloat16 inputs rounded
  for (const auto &vi : graph.input()) {
    if (initializers.count(vi.name()))
      continue;
    auto pinned = shapes.find(vi.name());
    auto t = importInputType(fileLoc, vi, pinned == shapes.end() ? nullptr : &pinned->second);
    if (failed(t) || failed(checkTensorSize(fileLoc, *t, "graph input '" + vi.name() + "'")))
      return failure();
    if (auto it = frozenValues.find(vi.name()); it != frozenValues.end()) {
      it->second = asBFloat16IfDeclared(it->second, *t);
      if (failed(checkFrozenType(fileLoc, vi.name(), *t, it->second)))
        return failure();
      continue;
    }
    inputs.push_back(&vi);
    inputTypes.push_back(*t);
  }

  auto func =
      func::FuncOp::create(builder, fileLoc, "main", builder.getFunctionType(inputTypes, {}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  SmallVector<Attribute> argNames;
  for (auto [i, vi] : llvm::enumerate(inputs)) {
    values[vi->name()] = body->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(vi->name()));
  }

  for (const auto &vi : graph.input())
    if (auto it = frozenValues.find(vi.name());
        it != frozenValues.end() && !initializers.count(vi.name()))
      values[vi.name()] = onnx::ConstantOp::create(
          builder, NameLoc::get(builder.getStringAttr("frozen input '" + vi.name() + "'"), fileLoc),
          it->second);

  for (const auto &t : graph.initializer()) {
    // importTensor's messages name the tensor; the location names the file.
    Location loc = NameLoc::get(builder.getStringAttr(t.name()), fileLoc);
    auto attr = importTensor(fileLoc, t, tensors);
    if (failed(attr))
      return failure();
    values[t.name()] = onnx::ConstantOp::create(builder, loc, *attr);
  }

  BatchMasks batchMasks;
  InlineGraph inlineGraph;
  // The nodes of `g` in order: the graph's (`branchNames` null), or an If branch's imported in
  // the scope of the graph that holds it. A branch's names were not among those checked above:
  // each must not be visible already (ONNX names are assigned once, across scopes), and
  // `branchNames` collects them, so that they go out of scope when the branch ends (sibling
  // branches may reuse a name, and so may the graph after the If).
  std::function<LogicalResult(const ::onnx::GraphProto &, std::vector<std::string> *)> importNodes =
      [&](const ::onnx::GraphProto &g, std::vector<std::string> *branchNames) -> LogicalResult {
    for (const auto &[index, node] : llvm::enumerate(g.node())) {
      std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
      int64_t opset = opsetFor(model, node.domain());
      Location loc = nodeLocation(&context, path, node, static_cast<int>(index), opset);
      if (domain != "ai.onnx")
        return emitError(loc) << "op type '" << node.op_type() << "' of domain '" << domain
                              << "' is not supported (cimlir imports the default ONNX domain)";
      NodeContext ctx{node, opset, {}, builder, loc, tensors, {}, batchMasks, inlineGraph};
      for (const auto &name : node.input()) {
        if (name.empty()) {
          ctx.inputs.push_back(Value());
          continue;
        }
        auto it = values.find(name);
        if (it == values.end())
          return emitError(loc)
                 << "input '" << name
                 << "' is not produced by any earlier node, initializer or graph input";
        ctx.inputs.push_back(it->second);
      }
      if (failed(importNode(ctx)))
        return failure();
      for (auto [i, v] : llvm::enumerate(ctx.results)) {
        if (v && failed(checkTensorSize(loc, v.getType(), "result " + std::to_string(i))))
          return failure();
        // ONNX's inference types the graph's own values (a branch's live in its subgraph).
        if (v && !branchNames && i < static_cast<size_t>(node.output_size()) &&
            !node.output(i).empty())
          produced.push_back({loc, node.output(i), v.getType()});
      }
      for (auto [i, v] : llvm::enumerate(ctx.results))
        if (i < static_cast<size_t>(node.output_size()) && !node.output(i).empty()) {
          if (branchNames) {
            if (values.count(node.output(i)))
              return emitError(loc) << "value '" << node.output(i)
                                    << "' is defined twice (in a branch and where it is visible)";
            branchNames->push_back(node.output(i));
          }
          values[node.output(i)] = v;
        }
    }
    return success();
  };
  inlineGraph = [&](const ::onnx::GraphProto &g) -> FailureOr<SmallVector<Value>> {
    if (g.input_size() != 0)
      return emitError(fileLoc) << "subgraph '" << g.name()
                                << "' has inputs; an If branch has none";
    std::vector<std::string> names;
    for (const auto &t : g.initializer()) {
      if (values.count(t.name()))
        return emitError(fileLoc) << "initializer '" << t.name() << "' of subgraph '" << g.name()
                                  << "' is defined twice";
      auto attr = importTensor(fileLoc, t, tensors);
      if (failed(attr))
        return failure();
      values[t.name()] = onnx::ConstantOp::create(
          builder, NameLoc::get(builder.getStringAttr(t.name()), fileLoc), *attr);
      names.push_back(t.name());
    }
    if (failed(importNodes(g, &names)))
      return failure();
    SmallVector<Value> outputs;
    for (const auto &vi : g.output()) {
      auto it = values.find(vi.name());
      if (it == values.end())
        return emitError(fileLoc) << "output '" << vi.name() << "' of subgraph '" << g.name()
                                  << "' is never produced";
      outputs.push_back(it->second);
    }
    for (const std::string &name : names) // out of scope
      values.erase(name);
    return outputs;
  };
  if (failed(importNodes(graph, nullptr)))
    return failure();

  SmallVector<Value> outputs;
  SmallVector<Type> outputTypes;
  for (const auto &vi : graph.output()) {
    auto it = values.find(vi.name());
    if (it == values.end())
      return emitError(fileLoc) << "graph output '" << vi.name() << "' is never produced";
    if (batchMasks.count(it->second))
      return emitError(fileLoc) << "graph output '" << vi.name()
                                << "' holds the batch size, which is only known at run time; "
                                   "give the batch a size with --input-shape";
    // The type the model declares should be the one it computes (each dimension it states);
    // onnxruntime runs a model whose declaration is wrong and warns, and so does cimlir.
    if (vi.type().has_tensor_type() && vi.type().tensor_type().has_shape()) {
      auto t = cast<RankedTensorType>(it->second.getType());
      const std::string declared = onnxShapeDisagreement(vi.type().tensor_type().shape(), t);
      if (!declared.empty())
        emitWarning(fileLoc) << "graph output '" << vi.name() << "' is declared [" << declared
                             << "] but the graph computes " << t
                             << "; the output has the computed shape, as in onnxruntime";
    }
    outputs.push_back(it->second);
    outputTypes.push_back(it->second.getType());
  }
  func::ReturnOp::create(builder, fileLoc, outputs);
  func.setFunctionType(builder.getFunctionType(inputTypes, outputTypes));
  for (auto [i, vi] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(vi.name()));

  if (inferOnnxShapes(*result.proto, defaultOpset)) {
    llvm::StringMap<const ::onnx::TypeProto *> onnxTypes;
    for (const auto &vi : result.proto->graph().value_info())
      onnxTypes[vi.name()] = &vi.type();
    for (const Produced &p : produced)
      if (auto it = onnxTypes.find(p.name); it != onnxTypes.end())
        if (failed(checkAgainstOnnx(p.loc, p.name, p.type, *it->second)))
          return failure();
  }

  // Constants that only fed folded ops (ConstantFolding.h), and initializers nothing reads.
  SmallVector<onnx::ConstantOp> constants;
  body->walk([&](onnx::ConstantOp c) { constants.push_back(c); });
  for (onnx::ConstantOp c : constants)
    if (c->use_empty())
      c->erase();

  if (failed(verify(*result.module)))
    return failure();
  return result;
}

} // namespace cimlir
