//===- FuseElementwise.cpp - chains of elementwise ops into one step ------===//

#include "passes/LinearLayers.h"
#include "passes/Passes.h"

#include "dialects/cim/CimOps.h"
#include "dialects/onnx/OnnxOps.h"
#include "kernels/cpu/ElementwiseChain.h"

#include "mlir/IR/Builders.h"

namespace cimlir {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace cimlir

using namespace mlir;
using namespace cimlir;

namespace {

/// The chain op an onnx op would be, or nothing: one float32 or float64 result, and an op type
/// chainOpNamed takes (binary ops with two operands of the result's element type; Softmax
/// along the last axis, float32).
std::optional<cpu::ChainOp> chainOpOf(Operation *op) {
  if (!isa_and_nonnull<onnx::OnnxDialect>(op->getDialect()) || op->getNumResults() != 1)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !(type.getElementType().isF32() || type.getElementType().isF64()))
    return std::nullopt;
  std::optional<cpu::ChainOp> chainOp = cpu::chainOpNamed(op->getName().stripDialect().str());
  if (!chainOp)
    return std::nullopt;
  if (chainOp->kind == cpu::ChainOpKind::Softmax) {
    auto softmax = dyn_cast<onnx::SoftmaxOp>(op);
    if (!softmax || !type.getElementType().isF32() || type.getRank() == 0 ||
        (static_cast<int64_t>(softmax.getAxis()) != type.getRank() - 1 &&
         static_cast<int64_t>(softmax.getAxis()) != -1))
      return std::nullopt;
  }
  const unsigned operands = chainOp->kind == cpu::ChainOpKind::Binary ? 2 : 1;
  if (op->getNumOperands() != operands)
    return std::nullopt;
  for (Value v : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getElementType() != type.getElementType())
      return std::nullopt;
  }
  return chainOp;
}

/// A chain being built: its ops, its inputs (0 the value it starts from) and its program.
struct Chain {
  SmallVector<Operation *> ops;
  SmallVector<Value> inputs;
  SmallVector<Attribute> program;

  /// The index of `v` among the inputs, added when new; -1 when the chain has no room.
  int64_t inputIndex(Value v) {
    for (auto [i, in] : llvm::enumerate(inputs))
      if (in == v)
        return static_cast<int64_t>(i);
    if (inputs.size() >= static_cast<size_t>(cpu::kMaxChainInputs))
      return -1;
    inputs.push_back(v);
    return static_cast<int64_t>(inputs.size()) - 1;
  }

  /// Appends `op`, whose operand `streamIndex` is the chain's value; false (and nothing
  /// changed) when `op` does not fit: a result of another type, an operand that does not
  /// broadcast, or no room.
  bool append(Operation *op, const cpu::ChainOp &chainOp, unsigned streamIndex) {
    auto out = cast<RankedTensorType>(op->getResult(0).getType());
    if (op->getOperand(streamIndex).getType() != out ||
        ops.size() >= static_cast<size_t>(cpu::kMaxChainInstructions))
      return false;
    Builder b(op->getContext());
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("op", b.getStringAttr(op->getName().stripDialect()))};
    const size_t inputsBefore = inputs.size();
    if (ops.empty())
      inputs.push_back(op->getOperand(streamIndex));
    if (chainOp.kind == cpu::ChainOpKind::Binary) {
      Value other = op->getOperand(1 - streamIndex);
      const int64_t index = cim::chainInputBroadcasts(cast<RankedTensorType>(other.getType()), out)
                                ? inputIndex(other)
                                : -1;
      if (index < 0) {
        inputs.resize(inputsBefore);
        return false;
      }
      fields.push_back(b.getNamedAttr("input", b.getI64IntegerAttr(index)));
      fields.push_back(b.getNamedAttr("swapped", b.getBoolAttr(streamIndex == 1)));
    } else if (chainOp.kind == cpu::ChainOpKind::Unary) {
      // The parameters the op has (unaryOpTypes), as the onnx op holds them or by default.
      const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(chainOp.unary)];
      auto parameter = [&](const char *name, const std::string &onnxName, float byDefault) {
        if (onnxName.empty())
          return;
        auto value = op->getAttrOfType<FloatAttr>(name);
        fields.push_back(b.getNamedAttr(name, value ? value : b.getF32FloatAttr(byDefault)));
      };
      parameter("alpha", type.alphaName, type.alpha);
      parameter("beta", type.betaName, type.beta);
    } else if (chainOp.kind == cpu::ChainOpKind::Gelu) {
      fields.push_back(b.getNamedAttr("approximate", op->getAttr("approximate")));
    }
    ops.push_back(op);
    program.push_back(b.getDictionaryAttr(fields));
    return true;
  }
};

/// The operand of `op` that a chain starting at `op` runs through: the one of the result's
/// type (the first, for a binary op with two), or nothing.
std::optional<unsigned> headStream(Operation *op) {
  for (unsigned i = 0; i < op->getNumOperands(); ++i)
    if (op->getOperand(i).getType() == op->getResult(0).getType())
      return i;
  return std::nullopt;
}

/// Whether a chain whose last op is `last` may go on (a Softmax ends it).
bool nextCanFollow(Operation *last) { return chainOpOf(last)->kind != cpu::ChainOpKind::Softmax; }

struct FuseElementwisePass : public cimlir::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() final {
    // Ops come in block order, so the first op of a chain is met before the rest.
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (chainOpOf(op))
        candidates.push_back(op);
    });
    // Each chain is fused as soon as it is found, so that a later chain that reads its result
    // reads the fused op's. Its ops are erased then: `taken` is checked before anything else.
    DenseSet<Operation *> taken;
    for (Operation *head : candidates) {
      if (taken.contains(head))
        continue;
      std::optional<unsigned> stream = headStream(head);
      Chain chain;
      // A Softmax ends a chain (over the rows of the values before it).
      if (chainOpOf(head)->kind == cpu::ChainOpKind::Softmax || !stream ||
          !chain.append(head, *chainOpOf(head), *stream))
        continue;
      for (Operation *last = head; nextCanFollow(last);) {
        Value y = last->getResult(0);
        if (!y.hasOneUse())
          break;
        Operation *next = *y.getUsers().begin();
        std::optional<cpu::ChainOp> nextOp = chainOpOf(next);
        if (!nextOp || next->getBlock() != last->getBlock())
          break;
        const unsigned index = next->getOperand(0) == y ? 0 : 1;
        if (!chain.append(next, *nextOp, index))
          break;
        last = next;
      }
      if (chain.ops.size() < 2)
        continue;
      taken.insert(chain.ops.begin(), chain.ops.end());
      fuse(chain);
    }
  }

  /// The chain's ops replaced by one cim.elementwise_chain where its last op was (every
  /// input is defined before that).
  void fuse(Chain &chain) {
    Operation *last = chain.ops.back();
    OpBuilder b(last);
    auto fused = cim::ElementwiseChainOp::create(b, last->getLoc(), last->getResult(0).getType(),
                                                 chain.inputs, b.getArrayAttr(chain.program));
    for (Operation *op : llvm::ArrayRef(chain.ops).drop_back())
      fused->setLoc(fusedLocation(fused, op));
    last->getResult(0).replaceAllUsesWith(fused.getY());
    for (Operation *op : llvm::reverse(chain.ops))
      op->erase();
    ++numChains;
    numOpsFused += chain.ops.size();
  }
};

} // namespace
