//===- FoldBatchNorm.cpp - BatchNormalization into the layer before it ----===//
//
// An inference BatchNormalization right after a linear layer with constant weights scales each
// output channel by a = scale / sqrt(var + epsilon) and shifts it by beta - mean·a. Folded into
// the layer (W' = a·W per output channel, b' = (b - mean)·a + beta), the crossbars hold the
// weights the trained network computes with, quantized once (§1), and the digital step
// disappears: what a CIM compiler does before it maps a CNN.
//
//===----------------------------------------------------------------------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/BatchNormMultiplier.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>
#include <optional>

namespace cimlir {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// The float32 values of a constant operand, or nothing (not a constant, not float32, not a
/// dense or resource constant).
std::optional<std::vector<float>> floatsOf(Value v) {
  ElementsAttr value;
  if (!matchPattern(v, m_Constant(&value)) || !value.getElementType().isF32() ||
      !isa<DenseElementsAttr, DenseResourceElementsAttr>(value))
    return std::nullopt;
  // A resource without its blob is left to the pass that needs the values (it names it).
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value);
      res && (!res.getRawHandle().getBlob() ||
              res.getRawHandle().getBlob()->getData().size() !=
                  static_cast<size_t>(value.getNumElements()) * sizeof(float)))
    return std::nullopt;
  FailureOr<std::vector<float>> floats = constantFloats(v.getDefiningOp(), value);
  if (failed(floats))
    return std::nullopt;
  return std::move(*floats);
}

/// A float32 constant of `shape` holding `data`, named after `key` (a resource when large).
Value makeConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   const std::vector<float> &data, StringRef key) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return onnx::ConstantOp::create(b, loc, type, constantData(type, data.data(), key));
}

/// `operand` takes `value`; the constant it held goes when nothing else reads it.
void replaceConstant(OpOperand &operand, Value value) {
  Value old = operand.get();
  operand.set(value);
  if (Operation *def = old.getDefiningOp(); def && old.use_empty())
    def->erase();
}

/// The optional operand at `index` (a Conv's bias, a Gemm's C) takes `value`: replaced, or
/// inserted when the layer has none.
void setOptional(Operation *layer, MutableOperandRange operand, unsigned index, Value value) {
  if (operand.empty())
    layer->insertOperands(index, value);
  else
    replaceConstant(operand[0], value);
}

/// Erases `bn` and the constants only it read (each once: two parameters may be one
/// constant, canonicalize merges equal ones).
void eraseWithConstants(onnx::BatchNormalizationOp bn) {
  llvm::SetVector<Operation *> constants;
  for (Value v : bn->getOperands().drop_front())
    if (Operation *def = v.getDefiningOp(); def && isa<onnx::ConstantOp>(def))
      constants.insert(def);
  bn.erase();
  for (Operation *def : constants)
    if (def->use_empty())
      def->erase();
}

struct FoldBatchNormPass : public cimlir::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() final {
    SmallVector<onnx::BatchNormalizationOp> norms;
    getOperation().walk([&](onnx::BatchNormalizationOp bn) { norms.push_back(bn); });
    for (onnx::BatchNormalizationOp bn : norms)
      if (fold(bn))
        ++numFolded;
  }

  /// Folds `bn` into the layer that feeds it when that layer has constant weights, feeds only
  /// `bn`, and has its output channels on BatchNormalization's axis 1; else leaves both.
  bool fold(onnx::BatchNormalizationOp bn) {
    Operation *layer = bn.getX().getDefiningOp();
    if (!layer || !layer->getResult(0).hasOneUse() || !isLinearLayer(layer))
      return false;
    // A weight the model quantized keeps its own levels (weights.source "model" programs
    // them): scaled, it would no longer be those levels.
    if (Operation *w = layer->getOperand(1).getDefiningOp();
        w && w->hasAttr(onnx::kQuantizedOriginAttr))
      return false;
    auto y = cast<RankedTensorType>(bn.getY().getType());
    if (y.getRank() < 2 || y.isDynamicDim(1))
      return false;
    const int64_t channels = y.getDimSize(1);
    std::optional<std::vector<float>> scale = floatsOf(bn.getScale()), beta = floatsOf(bn.getB()),
                                      mean = floatsOf(bn.getInputMean()),
                                      var = floatsOf(bn.getInputVar());
    for (const auto *p : {&scale, &beta, &mean, &var})
      if (!*p || static_cast<int64_t>((*p)->size()) != channels)
        return false;
    // a per channel, as the BatchNormalization step would apply it; a NaN or infinity (a
    // negative variance) stays the step's to compute.
    std::vector<double> a(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      a[c] = batchNormMultiplier((*scale)[c], (*var)[c], bn.getEpsilon().convertToFloat());
      if (!std::isfinite(a[c]))
        return false;
    }
    // The shift of channel c given the layer's own bias b_c: (b_c - mean_c)·a_c + beta_c.
    auto shift = [&](const std::vector<double> &b) {
      std::vector<float> out(static_cast<size_t>(channels));
      for (int64_t c = 0; c < channels; ++c)
        out[c] = static_cast<float>((b[c] - (*mean)[c]) * a[c] + (*beta)[c]);
      return out;
    };
    OpBuilder b(layer);
    const std::string key = layerName(layer);
    if (auto conv = dyn_cast<onnx::ConvOp>(layer))
      return foldConv(conv, bn, b, key, a, shift);
    if (auto gemm = dyn_cast<onnx::GemmOp>(layer))
      return foldGemm(gemm, bn, b, key, a, shift);
    if (auto matmul = dyn_cast<onnx::MatMulOp>(layer))
      return foldMatMul(matmul, bn, b, key, a, shift);
    return false; // ConvTranspose: its output channels are W's second axis, per group
  }

  template <typename Shift>
  bool foldConv(onnx::ConvOp conv, onnx::BatchNormalizationOp bn, OpBuilder &b,
                const std::string &key, const std::vector<double> &a, Shift shift) {
    auto wType = cast<RankedTensorType>(conv.getW().getType());
    std::optional<std::vector<float>> w = floatsOf(conv.getW());
    if (!w || !wType.hasStaticShape() || wType.getDimSize(0) != static_cast<int64_t>(a.size()))
      return false;
    std::vector<double> bias(a.size(), 0.0);
    if (conv.getB()) {
      std::optional<std::vector<float>> given = floatsOf(conv.getB());
      if (!given || given->size() != a.size())
        return false;
      bias.assign(given->begin(), given->end());
    }
    // W [M, C/group, k...]: output channel m is W's first axis.
    const size_t perChannel = w->size() / a.size();
    for (size_t i = 0; i < w->size(); ++i)
      (*w)[i] = static_cast<float>((*w)[i] * a[i / perChannel]);
    replaceConstant(conv.getWMutable(),
                    makeConstant(b, conv.getLoc(), wType.getShape(), *w, key + ".W"));
    setOptional(
        conv, conv.getBMutable(), 2,
        makeConstant(b, conv.getLoc(), {static_cast<int64_t>(a.size())}, shift(bias), key + ".B"));
    finish(conv, bn);
    return true;
  }

  template <typename Shift>
  bool foldGemm(onnx::GemmOp gemm, onnx::BatchNormalizationOp bn, OpBuilder &b,
                const std::string &key, const std::vector<double> &a, Shift shift) {
    auto wType = cast<RankedTensorType>(gemm.getB().getType());
    std::optional<std::vector<float>> w = floatsOf(gemm.getB());
    const int64_t m = static_cast<int64_t>(a.size());
    const bool transB = gemm.getTransB() != 0;
    if (!w || !wType.hasStaticShape() || wType.getDimSize(transB ? 0 : 1) != m)
      return false;
    // beta·C when it is the same for every row (a scalar, [M] or [1, M]); a C per row stays.
    std::vector<double> bias(a.size(), 0.0);
    if (Value c = gemm.getC()) {
      auto cType = cast<RankedTensorType>(c.getType());
      std::optional<std::vector<float>> given = floatsOf(c);
      if (!given || !cType.hasStaticShape())
        return false;
      const bool perColumn = cType.getNumElements() == m && cType.getRank() >= 1 &&
                             cType.getDimSize(cType.getRank() - 1) == m && cType.getRank() <= 2;
      if (!(cType.getNumElements() == 1 || perColumn))
        return false;
      const double betaC = gemm.getBeta().convertToFloat();
      for (int64_t j = 0; j < m; ++j)
        bias[j] = betaC * static_cast<double>((*given)[given->size() == 1 ? 0 : j]);
    }
    // B [K, M], or [M, K] with transB: column j of op(B) is output j.
    const int64_t k = wType.getDimSize(transB ? 1 : 0);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t j = 0; j < m; ++j) {
        float &v = (*w)[transB ? j * k + r : r * m + j];
        v = static_cast<float>(v * a[j]);
      }
    replaceConstant(gemm.getBMutable(),
                    makeConstant(b, gemm.getLoc(), wType.getShape(), *w, key + ".W"));
    setOptional(gemm, gemm.getCMutable(), 2,
                makeConstant(b, gemm.getLoc(), {m}, shift(bias), key + ".C"));
    gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
    finish(gemm, bn);
    return true;
  }

  /// A 2-D MatMul: its columns scaled, the shift an Add after it (a MatMul has no bias).
  template <typename Shift>
  bool foldMatMul(onnx::MatMulOp matmul, onnx::BatchNormalizationOp bn, OpBuilder &b,
                  const std::string &key, const std::vector<double> &a, Shift shift) {
    auto wType = cast<RankedTensorType>(matmul.getB().getType());
    std::optional<std::vector<float>> w = floatsOf(matmul.getB());
    const int64_t m = static_cast<int64_t>(a.size());
    // Rank 2 only: with more axes, BatchNormalization's axis 1 is not the MatMul's columns.
    if (!w || !wType.hasStaticShape() || wType.getDimSize(1) != m ||
        cast<RankedTensorType>(matmul.getA().getType()).getRank() != 2)
      return false;
    for (size_t i = 0; i < w->size(); ++i)
      (*w)[i] = static_cast<float>((*w)[i] * a[i % static_cast<size_t>(m)]);
    replaceConstant(matmul.getBMutable(),
                    makeConstant(b, matmul.getLoc(), wType.getShape(), *w, key + ".W"));
    OpBuilder after(bn);
    Value folded = makeConstant(after, bn.getLoc(), {m}, shift(std::vector<double>(a.size(), 0.0)),
                                key + ".B");
    auto add = onnx::AddOp::create(after, bn.getLoc(), bn.getY().getType(), matmul.getY(), folded);
    matmul->setLoc(fusedLocation(matmul, bn));
    bn.getY().replaceAllUsesWith(add.getC());
    eraseWithConstants(bn);
    return true;
  }

  /// The layer takes the normalisation's place (same type) and its location records it.
  void finish(Operation *layer, onnx::BatchNormalizationOp bn) {
    layer->setLoc(fusedLocation(layer, bn));
    bn.getY().replaceAllUsesWith(layer->getResult(0));
    eraseWithConstants(bn);
  }
};

} // namespace
