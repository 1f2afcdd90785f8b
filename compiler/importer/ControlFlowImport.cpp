//===- ControlFlowImport.cpp - If -----------------------------------------===//
//
// Plans have no control flow, so an If becomes straight-line code:
// - a condition known at import (a constant, a value folded from constants, or one computed
//   from inputs frozen with --freeze-inputs: exporters write such Ifs for a sample rate, a
//   dtype or an input size) is replaced by the branch it takes, its nodes imported in the
//   enclosing graph's scope;
// - a condition computed at run time (openWakeWord's models run a verifier network only when
//   the first score passes a threshold) runs both branches and picks each output with Where,
//   which gives the If's outputs whenever both branches can run. The branches' outputs must
//   then have one type each, and a warning says that both run (their layers count in the
//   reports).
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "dialects/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

namespace {

LogicalResult importIf(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1, 1)))
    return failure();
  if (ctx.node.output_size() == 0) // nothing reads it: neither branch needs to run
    return success();
  Value cond = ctx.inputs[0];
  auto condType = cast<RankedTensorType>(cond.getType());
  if (!condType.getElementType().isInteger(1) || !condType.hasStaticShape() ||
      condType.getNumElements() != 1 || ctx.batchMasks.count(cond))
    return emitError(ctx.loc) << "If's condition '" << ctx.node.input(0)
                              << "' must be one bool, got " << condType
                              << (condType.hasStaticShape() ? ""
                                                            : " (give the batch a fixed size "
                                                              "with --input-shape)");
  const AttrProto *branches[2] = {findAttr(ctx.node, "then_branch"),
                                  findAttr(ctx.node, "else_branch")};
  if (!branches[0] || !branches[1])
    return emitError(ctx.loc) << "If needs a then_branch and an else_branch";
  auto inlineBranch = [&](bool then) -> FailureOr<SmallVector<Value>> {
    auto outputs = ctx.inlineGraph(branches[then ? 0 : 1]->g());
    if (succeeded(outputs) && static_cast<int>(outputs->size()) != ctx.node.output_size())
      return emitError(ctx.loc) << "If has " << ctx.node.output_size() << " outputs but its "
                                << (then ? "then_branch" : "else_branch") << " gives "
                                << outputs->size();
    return outputs;
  };

  if (auto constant = cond.getDefiningOp<onnx::ConstantOp>()) {
    auto taken = inlineBranch(*cast<ElementsAttr>(constant.getValue()).value_begin<bool>());
    if (failed(taken))
      return failure();
    ctx.results.assign(taken->begin(), taken->end());
    return success();
  }

  // Both branches import for the inputs as declared; one meant for other inputs (silero-vad's
  // 8 kHz branch fed 16 kHz frames) may not, and its error then says why it was imported.
  auto inlineEither = [&](bool then) {
    ScopedDiagnosticHandler explain(ctx.builder.getContext(), [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error)
        d << " (in the " << (then ? "then_branch" : "else_branch") << " of If '"
          << (ctx.node.name().empty() ? ctx.node.output(0) : ctx.node.name())
          << "', imported because its condition '" << ctx.node.input(0)
          << "' is computed at run time; freezing the graph inputs it depends on with "
             "--freeze-inputs imports the taken branch only)";
      return failure(); // on to the driver's handler
    });
    return inlineBranch(then);
  };
  auto thenOutputs = inlineEither(true);
  if (failed(thenOutputs))
    return failure();
  auto elseOutputs = inlineEither(false);
  if (failed(elseOutputs))
    return failure();
  for (int i = 0; i < ctx.node.output_size(); ++i)
    if ((*thenOutputs)[i].getType() != (*elseOutputs)[i].getType())
      return emitError(ctx.loc) << "If's condition '" << ctx.node.input(0)
                                << "' is computed at run time and its branches give output " << i
                                << " as " << (*thenOutputs)[i].getType() << " and "
                                << (*elseOutputs)[i].getType()
                                << "; cimlir runs both branches and needs one type (or freeze the "
                                   "inputs the condition depends on with --freeze-inputs)";
  emitWarning(ctx.loc) << "If's condition '" << ctx.node.input(0)
                       << "' is computed at run time: both branches run and Where picks each "
                          "output (the layers of both count in the reports)";
  Builder &b = ctx.builder;
  auto scalar = buildOp(ctx, "onnx.Reshape", {cond, shapeConstant(ctx, {})},
                        {b.getNamedAttr("allowzero", b.getI64IntegerAttr(0))});
  if (failed(scalar))
    return failure();
  for (int i = 0; i < ctx.node.output_size(); ++i) {
    auto picked = buildOp(ctx, "onnx.Where", {*scalar, (*thenOutputs)[i], (*elseOutputs)[i]});
    if (failed(picked))
      return failure();
    ctx.results.push_back(*picked);
  }
  return success();
}

} // namespace

void addControlFlowImports(OpTable &table) {
  table["If"] = {importIf, {{"then_branch", AttrProto::GRAPH}, {"else_branch", AttrProto::GRAPH}}};
}

} // namespace cimlir
