#include "kernels/cpu/ElementwiseChain.h"

#include "kernels/cpu/ChainMath.h"
#include "kernels/cpu/Check.h"
#include "kernels/cpu/Normalization.h"

namespace cimlir::cpu {

using detail::fail;

namespace {

/// The op types a chain holds, in chainOpTypes()'s order, and what each computes.
const std::vector<std::pair<std::string, ChainOp>> &chainOps() {
  static const std::vector<std::pair<std::string, ChainOp>> ops = [] {
    std::vector<std::pair<std::string, ChainOp>> v;
    const std::pair<const char *, BinaryOp> binaries[] = {
        {"Add", BinaryOp::Add}, {"Sub", BinaryOp::Sub},    {"Mul", BinaryOp::Mul},
        {"Div", BinaryOp::Div}, {"Max", BinaryOp::Max},    {"Min", BinaryOp::Min},
        {"Pow", BinaryOp::Pow}, {"PRelu", BinaryOp::PRelu}};
    for (const auto &[n, op] : binaries)
      v.push_back({n, ChainOp{ChainOpKind::Binary, op, UnaryOp::Abs}});
    v.push_back({"Relu", ChainOp{ChainOpKind::Relu}});
    v.push_back({"Gelu", ChainOp{ChainOpKind::Gelu}});
    for (size_t i = 0; i < unaryOpTypes().size(); ++i)
      v.push_back({unaryOpTypes()[i].name,
                   ChainOp{ChainOpKind::Unary, BinaryOp::Add, static_cast<UnaryOp>(i)}});
    v.push_back({"Softmax", ChainOp{ChainOpKind::Softmax}});
    return v;
  }();
  return ops;
}

} // namespace

std::optional<ChainOp> chainOpNamed(const std::string &name) {
  for (const auto &[n, op] : chainOps())
    if (n == name)
      return op;
  return std::nullopt;
}

const std::vector<std::string> &chainOpTypes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto &entry : chainOps())
      v.push_back(entry.first);
    return v;
  }();
  return names;
}

std::optional<ChainInstruction> chainInstructionFrom(const ChainInstructionFields &fields,
                                                     int64_t inputs, bool last, DType type,
                                                     int64_t rank, std::string &error) {
  const std::optional<ChainOp> op = chainOpNamed(fields.op);
  if (!op) {
    error = "op '" + fields.op + "' cannot be in a chain";
    return std::nullopt;
  }
  if (!fields.otherKeys.empty()) {
    error = fields.op + " has an unknown field '" + fields.otherKeys.front() + "'";
    return std::nullopt;
  }
  if (op->kind == ChainOpKind::Softmax && !(last && type == DType::F32)) {
    error = "Softmax can only end a float32 chain";
    return std::nullopt;
  }
  if (op->kind == ChainOpKind::Softmax && rank == 0) {
    error = "ends in a Softmax, which needs a rank of at least 1";
    return std::nullopt;
  }
  ChainInstruction in;
  in.op = *op;
  const bool binary = op->kind == ChainOpKind::Binary;
  const UnaryOpType *unary =
      op->kind == ChainOpKind::Unary ? &unaryOpTypes()[static_cast<size_t>(op->unary)] : nullptr;
  const bool wantAlpha = unary && !unary->alphaName.empty();
  const bool wantBeta = unary && !unary->betaName.empty();
  auto mismatch = [&](const char *field, bool want, bool has) {
    if (want == has)
      return false;
    error = fields.op + (want ? " needs " : " takes no ") + "field '" + field + "'";
    return true;
  };
  if (mismatch("input", binary, fields.input.has_value()) ||
      mismatch("swapped", binary, fields.swapped.has_value()) ||
      mismatch("alpha", wantAlpha, fields.alpha.has_value()) ||
      mismatch("beta", wantBeta, fields.beta.has_value()) ||
      mismatch("approximate", op->kind == ChainOpKind::Gelu, fields.approximate.has_value()))
    return std::nullopt;
  if (binary) {
    if (*fields.input < 0 || *fields.input >= inputs) {
      error = fields.op + " reads input " + std::to_string(*fields.input) + " of " +
              std::to_string(inputs);
      return std::nullopt;
    }
    in.operand = static_cast<int>(*fields.input);
    in.swapped = *fields.swapped;
  }
  in.alpha = static_cast<float>(fields.alpha.value_or(0));
  in.beta = static_cast<float>(fields.beta.value_or(0));
  if (fields.approximate) {
    if (*fields.approximate != "none" && *fields.approximate != "tanh") {
      error = "Gelu has an unknown approximate '" + *fields.approximate + "'";
      return std::nullopt;
    }
    in.alpha = *fields.approximate == "tanh" ? 1.0f : 0.0f;
  }
  return in;
}

bool broadcastStrides(const Shape &input, const Shape &out, std::vector<int64_t> &strides) {
  if (input.size() > out.size())
    return false;
  strides.assign(out.size(), 0);
  int64_t stride = 1;
  for (size_t k = 0; k < input.size(); ++k) {
    const size_t d = out.size() - 1 - k;
    const int64_t extent = input[input.size() - 1 - k];
    if (extent != 1 && extent != out[d])
      return false;
    strides[d] = extent == 1 ? 0 : stride;
    stride *= extent;
  }
  return true;
}

namespace {

template <typename T>
void chainTyped(const std::vector<ChainInstruction> &program,
                const std::vector<const Tensor *> &inputs,
                const std::vector<std::vector<int64_t>> &strides, Tensor &y) {
  const Shape &shape = y.shape();
  const int64_t n = y.numel();
  if (n == 0)
    return;
  const size_t rank = shape.size(), count = inputs.size();
  std::vector<const T *> data(count);
  for (size_t j = 0; j < count; ++j)
    data[j] = inputs[j]->data<T>();
  T *out = y.data<T>();
  std::vector<int64_t> index(rank, 0), offset(count, 0);
  for (int64_t i = 0; i < n; ++i) {
    T v = data[0][i]; // inputs[0] has y's shape
    for (const ChainInstruction &in : program)
      v = applyChainInstruction(in, v,
                                in.operand >= 0 ? data[in.operand][offset[in.operand]] : T(0));
    out[i] = v;
    // The next element's index, and each input's offset with it.
    for (size_t d = rank; d-- > 0;) {
      for (size_t j = 0; j < count; ++j)
        offset[j] += strides[j][d];
      if (++index[d] < shape[d])
        break;
      for (size_t j = 0; j < count; ++j)
        offset[j] -= strides[j][d] * index[d];
      index[d] = 0;
    }
  }
}

} // namespace

void elementwiseChain(const std::vector<ChainInstruction> &program,
                      const std::vector<const Tensor *> &inputs, Tensor &y) {
  const char *kn = "elementwiseChain";
  if (inputs.empty() || inputs.size() > static_cast<size_t>(kMaxChainInputs))
    fail(kn, "takes 1 to " + std::to_string(kMaxChainInputs) + " inputs, not " +
                 std::to_string(inputs.size()));
  if (program.empty() || program.size() > static_cast<size_t>(kMaxChainInstructions))
    fail(kn, "holds 1 to " + std::to_string(kMaxChainInstructions) + " instructions, not " +
                 std::to_string(program.size()));
  const Tensor &x = *inputs[0];
  if (x.dtype() != DType::F32 && x.dtype() != DType::F64)
    fail(kn, std::string("unsupported dtype ") + dtypeName(x.dtype()));
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, x.shape());
  std::vector<std::vector<int64_t>> strides(inputs.size());
  for (size_t j = 0; j < inputs.size(); ++j) {
    detail::requireDType(kn, ("input " + std::to_string(j)).c_str(), *inputs[j], x.dtype());
    if (!broadcastStrides(inputs[j]->shape(), x.shape(), strides[j]))
      fail(kn, "input " + std::to_string(j) + " " + shapeToString(inputs[j]->shape()) +
                   " does not broadcast to " + shapeToString(x.shape()));
  }
  for (size_t k = 0; k < program.size(); ++k) {
    const ChainInstruction &in = program[k];
    const bool binary = in.op.kind == ChainOpKind::Binary;
    if (binary ? in.operand < 0 || in.operand >= static_cast<int>(inputs.size()) : in.operand != -1)
      fail(kn, "instruction " + std::to_string(k) + " reads input " + std::to_string(in.operand) +
                   " of " + std::to_string(inputs.size()));
    if (in.op.kind == ChainOpKind::Softmax &&
        (k + 1 != program.size() || x.dtype() != DType::F32 || x.rank() == 0))
      fail(kn, "Softmax can only end a float32 chain of rank >= 1");
  }
  if (x.dtype() == DType::F32)
    chainTyped<float>(program, inputs, strides, y);
  else
    chainTyped<double>(program, inputs, strides, y);
  // The rows of chain values, normalised in place as the Softmax step would normalise them.
  if (program.back().op.kind == ChainOpKind::Softmax)
    softmax(y, y.rank() - 1, y);
}

} // namespace cimlir::cpu
