// cimlir CPU kernels: a chain of elementwise ops computed as one step (cim-fuse-elementwise).
//
// A chain is a program: the value v starts as an element of the step's first input and each
// instruction replaces it (v = v op B, v = f(v), ...), so that no tensor is written between
// the ops. Every op computes exactly what its own step computes (BinaryMath.h, UnaryMath.h,
// the same float type), so a fused plan gives the same bits as an unfused one. A float32 chain
// may end in a Softmax over the last axis (attention's scale, mask and softmax): each row of
// chain values is then normalised as cpu::softmax does it.
#pragma once

#include "core/Tensor.h"
#include "kernels/cpu/Elementwise.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimlir::cpu {

/// Which element function an instruction applies.
enum class ChainOpKind : uint8_t { Binary, Unary, Relu, Gelu, Softmax };

struct ChainOp {
  ChainOpKind kind = ChainOpKind::Relu;
  BinaryOp binary = BinaryOp::Add; ///< for kind Binary
  UnaryOp unary = UnaryOp::Abs;    ///< for kind Unary
};

/// The op a chain instruction of ONNX op type `name` computes, or nothing when a chain cannot
/// hold that type. A chain holds Add, Sub, Mul, Div, Max, Min, Pow and PRelu (two operands),
/// Relu, Gelu, every op of unaryOpTypes(), and as its last entry Softmax (over the last axis):
/// the one list that the fusion pass and both backends follow.
std::optional<ChainOp> chainOpNamed(const std::string &name);
/// Every op type chainOpNamed takes: the binary ops, Relu, Gelu, the unary ops, Softmax.
const std::vector<std::string> &chainOpTypes();

/// One instruction: v = op(v) or, for a binary op, v = op(v, B) (op(B, v) when `swapped`),
/// B being element i' of the step's input `operand` (0 is the chain's own first input).
struct ChainInstruction {
  ChainOp op;
  int operand = -1;     ///< binary ops: the step input holding B
  bool swapped = false; ///< binary ops: v is the op's second operand
  float alpha = 0;      ///< unary ops: unaryOpTypes()'s parameters; Gelu: 1 for "tanh"
  float beta = 0;
};

/// One instruction as the IR and a plan write it: an object with `op` (the ONNX op type);
/// binary ops add `input` and `swapped`, the unary ops the parameters unaryOpTypes() gives
/// them (`alpha`, `beta`), Gelu `approximate` ("none" or "tanh"). The IR's verifier and the
/// plan reader fill this from their own representation and check it with
/// chainInstructionFrom, so both hold an instruction to the same rules. Softmax has no fields.
struct ChainInstructionFields {
  std::string op;
  std::optional<int64_t> input;
  std::optional<bool> swapped;
  std::optional<double> alpha, beta;
  std::optional<std::string> approximate;
  std::vector<std::string> otherKeys; ///< keys that are none of the above
};

/// The instruction `fields` describe, entry `last` of a program or not, for a step of `inputs`
/// inputs of type `type` and rank `rank`; on a bad field, nothing, and `error` says what is
/// wrong.
std::optional<ChainInstruction> chainInstructionFrom(const ChainInstructionFields &fields,
                                                     int64_t inputs, bool last, DType type,
                                                     int64_t rank, std::string &error);

/// The most instructions and inputs a chain step holds (the GPU kernel takes them by value);
/// the fusion pass splits longer chains.
inline constexpr int kMaxChainInstructions = 16;
inline constexpr int kMaxChainInputs = 8;

/// y = the program applied to every element of inputs[0]: float32 or float64, every input of
/// that type and broadcasting to inputs[0]'s shape (each of its axes, counted from the last,
/// 1 or inputs[0]'s extent), y of inputs[0]'s shape and type; with a last Softmax, then the
/// softmax of each row (float32, rank >= 1). A program that names an input it does not have,
/// or holds more than kMaxChainInstructions, is an Error.
void elementwiseChain(const std::vector<ChainInstruction> &program,
                      const std::vector<const Tensor *> &inputs, Tensor &y);

/// Strides (in elements, 0 along a broadcast axis) that read `input` at each index of an
/// element of `out`'s shape; false when `input` does not broadcast to `out` one way.
bool broadcastStrides(const Shape &input, const Shape &out, std::vector<int64_t> &strides);

} // namespace cimlir::cpu
