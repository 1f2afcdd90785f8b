//===- SignalImport.cpp - HannWindow, HammingWindow, BlackmanWindow -------===//
//
// A window's size fixes its shape, so it must be known at import (a constant, or folded from
// one); the window is then a constant, computed in double by the CPU kernels' signalWindow and
// cast to output_datatype by a (folded) Cast.
//
//===----------------------------------------------------------------------===//

#include "compiler/importer/ImportSupport.h"

#include "compiler/importer/TensorImport.h"
#include "core/ShapeMath.h"
#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/SignalWindows.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace cimlir {

namespace {

LogicalResult importWindow(NodeContext &ctx, cpu::SignalWindow kind) {
  if (failed(expectInputs(ctx, 1, 1)) || failed(expectOneOutput(ctx)))
    return failure();
  auto size = constantInts(ctx, ctx.inputs[0], "size");
  if (failed(size))
    return failure();
  if (size->size() != 1 || (*size)[0] < 0)
    return emitError(ctx.loc) << ctx.node.op_type() << " size must be one integer >= 0";
  // Computed here in double: a size the tensor limits refuse is refused before that.
  if (std::string problem = tensorSizeProblem({(*size)[0]}, sizeof(double)); !problem.empty())
    return emitError(ctx.loc) << ctx.node.op_type() << " of size " << (*size)[0] << " " << problem;
  const int code = static_cast<int>(getInt(ctx.node, "output_datatype", 1));
  Type to = importElementType(ctx.builder.getContext(), code);
  if (!to)
    return emitError(ctx.loc) << ctx.node.op_type() << " output_datatype " << onnxTypeName(code)
                              << " is not supported";
  const std::vector<double> w =
      cpu::signalWindow(kind, (*size)[0], getInt(ctx.node, "periodic", 1) != 0);
  auto type = RankedTensorType::get({(*size)[0]}, ctx.builder.getF64Type());
  Value window = onnx::ConstantOp::create(ctx.builder, ctx.loc,
                                          DenseElementsAttr::get(type, ArrayRef<double>(w)));
  return pushResult(ctx, castTo(ctx, window, to));
}

} // namespace

void addSignalImports(OpTable &table) {
  const auto &types = cpu::signalWindowOpTypes();
  for (size_t i = 0; i < types.size(); ++i)
    table[types[i]] = {[kind = static_cast<cpu::SignalWindow>(i)](NodeContext &c) {
                         return importWindow(c, kind);
                       },
                       {{"output_datatype", AttrProto::INT}, {"periodic", AttrProto::INT}}};
}

} // namespace cimlir
