//===- RecurrentImport.cpp - RNN, GRU and LSTM ----------------------------===//
//
// Each becomes one onnx.RNN, onnx.GRU or onnx.LSTM in layout 0 (layout 1, batch first, is
// transposed in and out), with its activation functions and their parameters resolved for
// every direction as onnxruntime reads them (cpu::resolveRecurrentActivations), and
// hidden_size read from R when a node leaves it out.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "kernels/cpu/Recurrent.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

namespace {

LogicalResult importRecurrent(NodeContext &ctx, cpu::RecurrentCell cell) {
  const bool lstm = cell == cpu::RecurrentCell::Lstm;
  const std::string op = ctx.node.op_type();
  if (failed(expectInputs(ctx, 3, lstm ? 8 : 6)))
    return failure();
  if (ctx.node.output_size() > (lstm ? 3 : 2))
    return emitError(ctx.loc) << op << " has " << ctx.node.output_size() << " outputs";
  const std::string direction = getString(ctx.node, "direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return emitError(ctx.loc) << op << " direction '" << direction
                              << "' is not forward, reverse or bidirectional";
  const int64_t directions = direction == "bidirectional" ? 2 : 1;
  int64_t hidden = getInt(ctx.node, "hidden_size", 0);
  auto r = cast<RankedTensorType>(ctx.inputs[2].getType());
  if (!findAttr(ctx.node, "hidden_size") && r.getRank() == 3 && !r.isDynamicDim(2))
    hidden = r.getDimSize(2);
  const int64_t layout = getInt(ctx.node, "layout", 0);
  if (layout != 0 && layout != 1)
    return emitError(ctx.loc) << op << " layout must be 0 or 1, got " << layout;

  // Activation functions: as given for every direction, or the cell's defaults.
  std::vector<std::string> names;
  if (const AttrProto *a = findAttr(ctx.node, "activations"))
    names.assign(a->strings().begin(), a->strings().end());
  else
    for (int64_t d = 0; d < directions; ++d)
      for (const auto &n : cpu::defaultRecurrentActivations(cell))
        names.push_back(n);
  std::vector<float> alphas, betas;
  if (const AttrProto *a = findAttr(ctx.node, "activation_alpha"))
    alphas.assign(a->floats().begin(), a->floats().end());
  if (const AttrProto *a = findAttr(ctx.node, "activation_beta"))
    betas.assign(a->floats().begin(), a->floats().end());
  std::vector<cpu::RecurrentActivation> activations;
  if (std::string problem = cpu::resolveRecurrentActivations(names, alphas, betas, activations);
      !problem.empty())
    return emitError(ctx.loc) << op << " " << problem;

  Builder &b = ctx.builder;
  SmallVector<Attribute> activationNames;
  SmallVector<float> activationAlpha, activationBeta;
  for (const auto &a : activations) {
    activationNames.push_back(b.getStringAttr(a.name));
    activationAlpha.push_back(a.alpha);
    activationBeta.push_back(a.beta);
  }
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("hidden_size", b.getI64IntegerAttr(hidden)),
      b.getNamedAttr("direction", b.getStringAttr(direction)),
      b.getNamedAttr("activations", b.getArrayAttr(activationNames)),
      b.getNamedAttr("activation_alpha", b.getDenseF32ArrayAttr(activationAlpha)),
      b.getNamedAttr("activation_beta", b.getDenseF32ArrayAttr(activationBeta)),
      b.getNamedAttr("input_forget", b.getI64IntegerAttr(getInt(ctx.node, "input_forget", 0))),
      b.getNamedAttr("linear_before_reset",
                     b.getI64IntegerAttr(getInt(ctx.node, "linear_before_reset", 0)))};
  if (findAttr(ctx.node, "clip")) {
    const float clip = getFloat(ctx.node, "clip", 0);
    if (!(clip > 0))
      return emitError(ctx.loc) << op << " clip must be positive, got " << clip;
    attrs.push_back(b.getNamedAttr("clip", b.getF32FloatAttr(clip)));
  }

  // Operands X, W, R, B, sequence_lens, initial_h, initial_c, P; layout 1's batch-first X,
  // initial_h and initial_c transposed to layout 0.
  SmallVector<Value> all(ctx.inputs.begin(), ctx.inputs.end());
  all.resize(8);
  if (layout == 1)
    for (int i : {0, 5, 6}) {
      if (!all[i])
        continue;
      auto t = transposeBy(ctx, all[i], {1, 0, 2});
      if (failed(t))
        return failure();
      all[i] = *t;
    }
  SmallVector<Value> operands(all.begin(), all.begin() + 3);
  SmallVector<int64_t> optionalOperands;
  for (int64_t i = 3; i < 8; ++i)
    if (all[i]) {
      operands.push_back(all[i]);
      optionalOperands.push_back(i);
    }
  attrs.push_back(b.getNamedAttr("optional_operands", b.getDenseI64ArrayAttr(optionalOperands)));
  auto results = buildOpResults(ctx, "onnx." + op, operands, attrs);
  if (failed(results))
    return failure();
  if (layout == 1) {
    // Back to batch first: Y [seq, D, batch, H] -> [batch, seq, D, H], the states
    // [D, batch, H] -> [batch, D, H]; only the outputs the node asks for.
    for (auto [i, v] : llvm::enumerate(*results)) {
      const bool used = static_cast<int>(i) < ctx.node.output_size() && !ctx.node.output(i).empty();
      auto t =
          used ? transposeBy(ctx, v,
                             i == 0 ? ArrayRef<int64_t>{2, 0, 1, 3} : ArrayRef<int64_t>{1, 0, 2})
               : FailureOr<Value>(v);
      if (failed(t))
        return failure();
      ctx.results.push_back(*t);
    }
  } else {
    ctx.results.append(results->begin(), results->end());
  }
  return success();
}

} // namespace

void addRecurrentImports(OpTable &m) {
  using A = AttrProto;
  const AttrSchema common = {{"activation_alpha", A::FLOATS},
                             {"activation_beta", A::FLOATS},
                             {"activations", A::STRINGS},
                             {"clip", A::FLOAT},
                             {"direction", A::STRING},
                             {"hidden_size", A::INT},
                             {"layout", A::INT}};
  AttrSchema gru = common, lstm = common;
  gru["linear_before_reset"] = A::INT;
  lstm["input_forget"] = A::INT;
  m["RNN"] = {[](NodeContext &c) { return importRecurrent(c, cpu::RecurrentCell::Rnn); }, common};
  m["GRU"] = {[](NodeContext &c) { return importRecurrent(c, cpu::RecurrentCell::Gru); }, gru};
  m["LSTM"] = {[](NodeContext &c) { return importRecurrent(c, cpu::RecurrentCell::Lstm); }, lstm};
}

} // namespace cimlir
