//===- ControlFlowImport.cpp - If with a constant condition ---------------===//
//
// An If whose condition is known at import (a constant, a value folded from constants, or one
// computed from inputs frozen with --freeze-inputs: exporters write such Ifs for a sample
// rate, a dtype or an input size) is replaced by the branch it takes, its nodes imported in
// the enclosing graph's scope. A condition computed at run time is refused by name: plans
// have no control flow.
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
  Value cond = ctx.inputs[0];
  auto constant = cond.getDefiningOp<onnx::ConstantOp>();
  if (!constant || ctx.batchMasks.count(cond))
    return emitError(ctx.loc)
           << "If's condition '" << ctx.node.input(0)
           << "' is computed at run time; cimlir imports an If only when its condition is "
              "known at import (freeze the graph inputs it depends on with --freeze-inputs)";
  auto value = cast<ElementsAttr>(constant.getValue());
  if (value.getNumElements() != 1 || !value.getElementType().isInteger(1))
    return emitError(ctx.loc) << "If's condition must be one bool, got " << value.getType();
  const bool taken = *value.value_begin<bool>();
  const AttrProto *branch = findAttr(ctx.node, taken ? "then_branch" : "else_branch");
  if (!branch)
    return emitError(ctx.loc) << "If has no " << (taken ? "then_branch" : "else_branch");
  auto outputs = ctx.inlineGraph(branch->g());
  if (failed(outputs))
    return failure();
  if (static_cast<int>(outputs->size()) != ctx.node.output_size())
    return emitError(ctx.loc) << "If has " << ctx.node.output_size() << " outputs but its "
                              << (taken ? "then_branch" : "else_branch") << " gives "
                              << outputs->size();
  ctx.results.assign(outputs->begin(), outputs->end());
  return success();
}

} // namespace

void addControlFlowImports(OpTable &table) {
  table["If"] = {importIf, {{"then_branch", AttrProto::GRAPH}, {"else_branch", AttrProto::GRAPH}}};
}

} // namespace cimlir
