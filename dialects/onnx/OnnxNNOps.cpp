//===- OnnxNNOps.cpp - matrix products, convolution, pooling, norms -------===//

#include "dialects/onnx/OnnxOps.h"
#include "dialects/onnx/ShapeInference.h"

#include "core/ShapeMath.h"

#include "mlir/Dialect/Traits.h"

#include <limits>

using namespace mlir;
using namespace cimlir::onnx;

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto a = rankedOperand(loc, adaptor.getA(), "Gemm A");
  auto b = rankedOperand(loc, adaptor.getB(), "Gemm B");
  if (failed(a) || failed(b) || failed(requireF32(loc, *a, "Gemm", "A")) ||
      failed(requireF32(loc, *b, "Gemm", "B")))
    return failure();
  if (a->getRank() != 2 || b->getRank() != 2)
    return emitOptionalError(loc, "Gemm needs 2-D A and B, got ", *a, " and ", *b);
  bool transA = adaptor.getTransA() != 0, transB = adaptor.getTransB() != 0;
  int64_t m = a->getDimSize(transA ? 1 : 0), k = a->getDimSize(transA ? 0 : 1);
  int64_t kb = b->getDimSize(transB ? 1 : 0), n = b->getDimSize(transB ? 0 : 1);
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(kb) || ShapedType::isDynamic(n))
    return emitOptionalError(loc, "Gemm needs static K and N; only M may be the batch");
  if (k != kb)
    return emitOptionalError(loc, "Gemm inner dimensions differ: A gives K = ", k,
                             ", B gives K = ", kb);
  SmallVector<int64_t> y = {m, n};
  if (Value c = adaptor.getC()) {
    auto tc = rankedOperand(loc, c, "Gemm C");
    if (failed(tc) || failed(requireF32(loc, *tc, "Gemm", "C")))
      return failure();
    SmallVector<int64_t> out;
    if (tc->getRank() > 2 || !OpTrait::util::getBroadcastedShape(y, tc->getShape(), out) ||
        out != y)
      return emitOptionalError(loc, "Gemm C ", *tc, " is not broadcastable to [", m, ",", n, "]");
  }
  types.push_back(RankedTensorType::get(y, a->getElementType()));
  return success();
}

/// numpy.matmul's result shape of A and B (1-D operands promoted and the added axis dropped),
/// with element type `element`.
static LogicalResult inferMatMulShape(std::optional<Location> loc, StringRef op, RankedTensorType a,
                                      RankedTensorType b, Type element,
                                      SmallVectorImpl<Type> &types) {
  if (a.getRank() < 1 || b.getRank() < 1)
    return emitOptionalError(loc, op, " operands must have rank >= 1");
  SmallVector<int64_t> sa(a.getShape()), sb(b.getShape());
  bool vecA = sa.size() == 1, vecB = sb.size() == 1;
  if (vecA)
    sa.insert(sa.begin(), 1);
  if (vecB)
    sb.push_back(1);
  int64_t k = sa.back(), kb = sb[sb.size() - 2];
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(kb) || k != kb)
    return emitOptionalError(loc, op, " inner dimensions must be static and equal, got ", a,
                             " and ", b);
  SmallVector<int64_t> batch;
  ArrayRef<int64_t> ba(sa.data(), sa.size() - 2), bb(sb.data(), sb.size() - 2);
  if (!OpTrait::util::getBroadcastedShape(ba, bb, batch))
    return emitOptionalError(loc, op, " batch dimensions of ", a, " and ", b, " do not broadcast");
  SmallVector<int64_t> y = batch;
  if (!vecA)
    y.push_back(sa[sa.size() - 2]);
  if (!vecB)
    y.push_back(sb.back());
  types.push_back(RankedTensorType::get(y, element));
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto a = rankedOperand(loc, adaptor.getA(), "MatMul A");
  auto b = rankedOperand(loc, adaptor.getB(), "MatMul B");
  if (failed(a) || failed(b) || failed(requireF32(loc, *a, "MatMul", "A")) ||
      failed(requireF32(loc, *b, "MatMul", "B")))
    return failure();
  return inferMatMulShape(loc, "MatMul", *a, *b, a->getElementType(), types);
}

/// An int8 or uint8 operand of an integer op, and its zero point of the same type: one value
/// or `count` values (per row, column or channel; 0 when not checked).
static LogicalResult requireQuantized(std::optional<Location> loc, StringRef op, StringRef what,
                                      RankedTensorType t, Value zero, int64_t count) {
  if (!t.getElementType().isInteger(8))
    return emitOptionalError(loc, op, " ", what, " must be int8 or uint8, got ", t);
  auto z = rankedOperand(loc, zero, (op + " " + what + " zero point").str());
  if (failed(z))
    return failure();
  if (z->getElementType() != t.getElementType())
    return emitOptionalError(loc, op, " ", what, " zero point must be of ", what, "'s type, got ",
                             *z);
  const bool one = z->getNumElements() == 1 && z->hasStaticShape();
  const bool perIndex = z->getRank() == 1 && count > 0 && z->getDimSize(0) == count;
  if (!one && !perIndex)
    return emitOptionalError(loc, op, " ", what, " zero point must hold one value",
                             count > 0 ? " or one per row, column or channel" : "", ", got ", *z);
  return success();
}

LogicalResult MatMulIntegerOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto a = rankedOperand(loc, adaptor.getA(), "MatMulInteger A");
  auto b = rankedOperand(loc, adaptor.getB(), "MatMulInteger B");
  if (failed(a) || failed(b))
    return failure();
  if (a->getRank() < 2 || b->getRank() < 2)
    return emitOptionalError(loc, "MatMulInteger needs A and B of rank >= 2, got ", *a, " and ",
                             *b);
  if (failed(requireQuantized(loc, "MatMulInteger", "A", *a, adaptor.getAZeroPoint(),
                              a->getDimSize(a->getRank() - 2))) ||
      failed(requireQuantized(loc, "MatMulInteger", "B", *b, adaptor.getBZeroPoint(),
                              b->getDimSize(b->getRank() - 1))))
    return failure();
  return inferMatMulShape(loc, "MatMulInteger", *a, *b, IntegerType::get(ctx, 32), types);
}

/// Checks the per-spatial-axis attribute lists of conv and pooling ops.
static LogicalResult checkWindowAttrs(std::optional<Location> loc, StringRef op, size_t spatial,
                                      ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                      ArrayRef<int64_t> dilations) {
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return emitOptionalError(loc, op, " with ", spatial,
                             " spatial axes needs that many strides and dilations and twice "
                             "that many pads");
  return success();
}

/// A convolution's result: X [N, C, D...] and W [M, C/group, K...] give [N, M, O...] of
/// element type `element`; B (optional) must be [M].
static LogicalResult inferConvShape(std::optional<Location> loc, StringRef op, RankedTensorType x,
                                    RankedTensorType w, Value bias, ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                                    int64_t group, Type element, SmallVectorImpl<Type> &types) {
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return emitOptionalError(
        loc, op, " needs X [N,C,D...] and W [M,C/group,K...] of one rank, got ", x, " and ", w);
  if (!w.hasStaticShape())
    return emitOptionalError(loc, op, " needs a statically shaped W");
  size_t spatial = x.getRank() - 2;
  if (failed(checkWindowAttrs(loc, op, spatial, strides, pads, dilations)))
    return failure();
  int64_t c = x.getDimSize(1), m = w.getDimSize(0);
  if (group < 1 || ShapedType::isDynamic(c) || c % group != 0 || m % group != 0 ||
      w.getDimSize(1) * group != c)
    return emitOptionalError(loc, op, " channels do not match: X has C = ", c, ", W is ", w,
                             ", group = ", group);
  if (bias) {
    auto tb = rankedOperand(loc, bias, (op + " B").str());
    if (failed(tb))
      return failure();
    if (tb->getRank() != 1 || tb->getDimSize(0) != m)
      return emitOptionalError(loc, op, " B must be [", m, "], got ", *tb);
  }
  SmallVector<int64_t> y = {x.getDimSize(0), m};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = x.getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return emitOptionalError(loc, op, " needs static spatial dimensions, got ", x);
    auto o = windowOutputSize(loc, in, w.getDimSize(2 + i), strides[i], pads[i], pads[spatial + i],
                              dilations[i], false);
    if (failed(o))
      return failure();
    y.push_back(*o);
  }
  types.push_back(RankedTensorType::get(y, element));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "Conv X");
  auto w = rankedOperand(loc, adaptor.getW(), "Conv W");
  if (failed(x) || failed(w) || failed(requireF32(loc, *x, "Conv", "X")) ||
      failed(requireF32(loc, *w, "Conv", "W")))
    return failure();
  return inferConvShape(loc, "Conv", *x, *w, adaptor.getB(), adaptor.getStrides(),
                        adaptor.getPads(), adaptor.getDilations(),
                        static_cast<int64_t>(adaptor.getGroup()), x->getElementType(), types);
}

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "ConvInteger X");
  auto w = rankedOperand(loc, adaptor.getW(), "ConvInteger W");
  if (failed(x) || failed(w) ||
      failed(requireQuantized(loc, "ConvInteger", "X", *x, adaptor.getXZeroPoint(), 0)) ||
      failed(requireQuantized(loc, "ConvInteger", "W", *w, adaptor.getWZeroPoint(),
                              w->getRank() > 0 ? w->getDimSize(0) : 0)))
    return failure();
  return inferConvShape(loc, "ConvInteger", *x, *w, Value(), adaptor.getStrides(),
                        adaptor.getPads(), adaptor.getDilations(),
                        static_cast<int64_t>(adaptor.getGroup()), IntegerType::get(ctx, 32), types);
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "ConvTranspose X");
  auto w = rankedOperand(loc, adaptor.getW(), "ConvTranspose W");
  if (failed(x) || failed(w) || failed(requireF32(loc, *x, "ConvTranspose", "X")) ||
      failed(requireF32(loc, *w, "ConvTranspose", "W")))
    return failure();
  if (x->getRank() < 3 || w->getRank() != x->getRank() || !w->hasStaticShape())
    return emitOptionalError(loc,
                             "ConvTranspose needs X [N,C,D...] and a static W "
                             "[C,M/group,K...] of one rank, got ",
                             *x, " and ", *w);
  const size_t spatial = x->getRank() - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations(), extra = adaptor.getOutputPadding();
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial ||
      extra.size() != spatial)
    return emitOptionalError(loc, "ConvTranspose strides, pads, dilations and output_padding "
                                  "do not match the input rank");
  const int64_t group = adaptor.getGroup(), c = x->getDimSize(1);
  if (group < 1 || ShapedType::isDynamic(c) || c % group != 0 || w->getDimSize(0) != c)
    return emitOptionalError(loc, "ConvTranspose channels do not match: X has C = ", c, ", W is ",
                             *w, ", group = ", group);
  const int64_t m = w->getDimSize(1) * group;
  if (Value b = adaptor.getB()) {
    auto tb = rankedOperand(loc, b, "ConvTranspose B");
    if (failed(tb))
      return failure();
    if (tb->getRank() != 1 || tb->getDimSize(0) != m)
      return emitOptionalError(loc, "ConvTranspose B must be [", m, "], got ", *tb);
  }
  SmallVector<int64_t> y = {x->getDimSize(0), m};
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t in = x->getDimSize(2 + i), k = w->getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return emitOptionalError(loc, "ConvTranspose needs static spatial dimensions, got ", *x);
    if (strides[i] < 1 || dilations[i] < 1 || extra[i] < 0)
      return emitOptionalError(loc, "ConvTranspose strides and dilations must be >= 1");
    // In __int128: the attributes come from a file.
    const __int128 o = static_cast<__int128>(strides[i]) * (in - 1) + extra[i] +
                       static_cast<__int128>(k - 1) * dilations[i] + 1 - pads[i] -
                       pads[spatial + i];
    if (o < 0 || o > std::numeric_limits<int32_t>::max())
      return emitOptionalError(loc, "ConvTranspose output size along axis ", i, " is out of range");
    y.push_back(static_cast<int64_t>(o));
  }
  types.push_back(RankedTensorType::get(y, x->getElementType()));
  return success();
}

/// Output type of max and average pooling.
static LogicalResult inferPool(std::optional<Location> loc, StringRef op, Value input,
                               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations, bool ceilMode,
                               SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, input, op.str() + " X");
  if (failed(x))
    return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, op, " needs X [N,C,D...], got ", *x);
  size_t spatial = x->getRank() - 2;
  if (kernel.size() != spatial)
    return emitOptionalError(loc, op, " kernel_shape has ", kernel.size(), " entries for ", spatial,
                             " spatial axes");
  if (failed(checkWindowAttrs(loc, op, spatial, strides, pads, dilations)))
    return failure();
  SmallVector<int64_t> y = {x->getDimSize(0), x->getDimSize(1)};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = x->getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return emitOptionalError(loc, op, " needs static spatial dimensions, got ", *x);
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1)
      return emitOptionalError(loc, op, " needs kernel_shape, strides and dilations >= 1");
    auto o = windowOutputSize(loc, in, kernel[i], strides[i], pads[i], pads[spatial + i],
                              dilations[i], ceilMode);
    if (failed(o))
      return failure();
    // It fits int64: windowOutputSize checked it.
    const int64_t extent = *cimlir::windowExtent(kernel[i], dilations[i]);
    if (pads[i] >= extent || pads[spatial + i] >= extent)
      return emitOptionalError(loc, op, " pads must be smaller than the window");
    y.push_back(*o);
  }
  types.push_back(RankedTensorType::get(y, x->getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "MaxPool X");
  if (failed(x))
    return failure();
  Type e = x->getElementType();
  if (!e.isF32() && !e.isInteger(8))
    return emitOptionalError(loc, "MaxPool supports float32, int8 and uint8, got ", e);
  return inferPool(loc, "MaxPool", adaptor.getX(), adaptor.getKernelShape(), adaptor.getStrides(),
                   adaptor.getPads(), adaptor.getDilations(), adaptor.getCeilMode() != 0, types);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "AveragePool X");
  if (failed(x) || failed(requireF32(loc, *x, "AveragePool", "X")))
    return failure();
  return inferPool(loc, "AveragePool", adaptor.getX(), adaptor.getKernelShape(),
                   adaptor.getStrides(), adaptor.getPads(), adaptor.getDilations(),
                   adaptor.getCeilMode() != 0, types);
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                    Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "GlobalAveragePool X");
  if (failed(x) || failed(requireF32(loc, *x, "GlobalAveragePool", "X")))
    return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, "GlobalAveragePool needs X [N,C,D...], got ", *x);
  SmallVector<int64_t> y(x->getShape());
  for (size_t i = 2; i < y.size(); ++i)
    y[i] = 1;
  types.push_back(RankedTensorType::get(y, x->getElementType()));
  return success();
}

LogicalResult BatchNormalizationOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "BatchNormalization X");
  if (failed(x) || failed(requireF32(loc, *x, "BatchNormalization", "X")))
    return failure();
  if (x->getRank() < 2 || ShapedType::isDynamic(x->getDimSize(1)))
    return emitOptionalError(loc, "BatchNormalization needs X [N,C,...] with static C");
  int64_t c = x->getDimSize(1);
  for (Value v :
       {adaptor.getScale(), adaptor.getB(), adaptor.getInputMean(), adaptor.getInputVar()}) {
    auto t = rankedOperand(loc, v, "BatchNormalization parameter");
    if (failed(t) || failed(requireF32(loc, *t, "BatchNormalization", "parameters")))
      return failure();
    if (t->getRank() != 1 || t->getDimSize(0) != c)
      return emitOptionalError(loc, "BatchNormalization parameters must be [", c, "], got ", *t);
  }
  types.push_back(*x);
  return success();
}

LogicalResult cimlir::onnx::inferSoftmaxLike(std::optional<Location> loc, StringRef opName,
                                             Value input, int64_t axis,
                                             SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, input, opName.str() + " input");
  if (failed(x) || failed(requireF32(loc, *x, opName, "input")))
    return failure();
  const int64_t rank = x->getRank();
  if (axis < -rank || axis >= rank)
    return emitOptionalError(loc, opName, " axis ", axis, " is out of range for ", *x);
  types.push_back(*x);
  return success();
}

LogicalResult LayerNormalizationOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "LayerNormalization X");
  if (failed(x) || failed(requireF32(loc, *x, "LayerNormalization", "X")))
    return failure();
  const int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= x->getRank())
    return emitOptionalError(loc, "LayerNormalization axis ", axis, " is out of range for ", *x);
  ArrayRef<int64_t> normalised = x->getShape().drop_front(axis);
  if (llvm::any_of(normalised, ShapedType::isDynamic))
    return emitOptionalError(loc, "LayerNormalization over the batch axis is not supported",
                             kFixedBatchHint);
  for (Value v : {adaptor.getScale(), adaptor.getB()}) {
    if (!v)
      continue;
    auto t = rankedOperand(loc, v, "LayerNormalization scale or bias");
    if (failed(t) || failed(requireF32(loc, *t, "LayerNormalization", "scale and bias")))
      return failure();
    SmallVector<int64_t> out;
    if (!OpTrait::util::getBroadcastedShape(t->getShape(), normalised, out) ||
        ArrayRef<int64_t>(out) != normalised)
      return emitOptionalError(loc, "LayerNormalization scale or bias ", *t,
                               " does not broadcast to the normalised axes of ", *x);
  }
  SmallVector<int64_t> stats(x->getShape().take_front(axis));
  stats.append(x->getRank() - axis, 1);
  types.push_back(*x);
  types.push_back(x->clone(stats));
  types.push_back(x->clone(stats));
  return success();
}

LogicalResult InstanceNormalizationOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                        Adaptor adaptor,
                                                        SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getInput(), "InstanceNormalization input");
  if (failed(x) || failed(requireF32(loc, *x, "InstanceNormalization", "input")))
    return failure();
  if (x->getRank() < 3 || ShapedType::isDynamic(x->getDimSize(1)))
    return emitOptionalError(loc, "InstanceNormalization needs [N, C, D1, ...] with static C");
  for (Value v : {adaptor.getScale(), adaptor.getB()}) {
    auto t = rankedOperand(loc, v, "InstanceNormalization parameter");
    if (failed(t) || failed(requireF32(loc, *t, "InstanceNormalization", "parameters")))
      return failure();
    if (t->getRank() != 1 || t->getDimSize(0) != x->getDimSize(1))
      return emitOptionalError(loc, "InstanceNormalization parameters must be [", x->getDimSize(1),
                               "], got ", *t);
  }
  types.push_back(*x);
  return success();
}

LogicalResult LRNOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto x = rankedOperand(loc, adaptor.getX(), "LRN input");
  if (failed(x) || failed(requireF32(loc, *x, "LRN", "input")))
    return failure();
  if (x->getRank() < 3)
    return emitOptionalError(loc, "LRN needs [N, C, D1, ...], got ", *x);
  if (adaptor.getSize() < 1)
    return emitOptionalError(loc, "LRN size must be >= 1");
  types.push_back(*x);
  return success();
}
