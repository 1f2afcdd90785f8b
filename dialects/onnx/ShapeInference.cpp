//===- ShapeInference.cpp - shape rules shared by onnx ops ----------------===//

#include "dialects/onnx/ShapeInference.h"

#include "kernels/cpu/Elementwise.h"

#include "core/ShapeMath.h"

using namespace mlir;

namespace cimlir::onnx {

std::optional<int64_t> batchAwareProduct(llvm::ArrayRef<int64_t> dims) {
  int64_t staticPart = 1;
  int dynamicCount = 0;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      ++dynamicCount;
    else
      staticPart *= d;
  }
  if (dynamicCount == 0)
    return staticPart;
  // N * 0 is 0 whatever N is.
  if (staticPart == 0)
    return 0;
  if (dynamicCount == 1 && staticPart == 1)
    return ShapedType::kDynamic;
  return std::nullopt;
}

FailureOr<RankedTensorType> rankedOperand(std::optional<Location> loc, Value v,
                                          llvm::StringRef what) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return emitOptionalError(loc, what, " must be a ranked tensor, got ", v.getType());
  return t;
}

LogicalResult requireF32(std::optional<Location> loc, RankedTensorType t, llvm::StringRef op,
                         llvm::StringRef operand) {
  if (t.getElementType().isF32())
    return success();
  return emitOptionalError(loc, op, " supports float32 ", operand, " only, got ",
                           t.getElementType());
}

FailureOr<int64_t> windowOutputSize(std::optional<Location> loc, int64_t in, int64_t kernel,
                                    int64_t stride, int64_t padBegin, int64_t padEnd,
                                    int64_t dilation, bool ceilMode) {
  WindowFit fit;
  if (std::string problem = fitWindow({in, kernel, stride, dilation, padBegin, padEnd}, fit);
      !problem.empty())
    return emitOptionalError(loc, "window ", problem);
  int64_t out = ceilMode ? fit.ceilOut : fit.floorOut;
  // As PyTorch and onnxruntime: with ceil_mode the last window must start inside the
  // input or its begin padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

LogicalResult inferUnaryFloat(std::optional<Location> loc, Value x, llvm::StringRef opName,
                              SmallVectorImpl<Type> &results) {
  auto t = rankedOperand(loc, x, (opName + " input").str());
  if (failed(t))
    return failure();
  const Type e = t->getElementType();
  // The kernels' list says which functions also take signed integers (Abs, Neg, Sign).
  const auto &types = cpu::unaryOpTypes();
  auto it = llvm::find_if(types, [&](const cpu::UnaryOpType &u) { return u.name == opName; });
  const bool integers = it != types.end() && it->signedIntegers;
  if (!e.isF32() && !e.isF64() && !(integers && e.isSignlessInteger() && !e.isInteger(1)))
    return emitOptionalError(loc, opName, " supports float32 and float64",
                             integers ? " and signed integers" : "", ", got ", e);
  results.push_back(*t);
  return success();
}

} // namespace cimlir::onnx
