// cpu::elementwiseChain against the single-op kernels (cpu::binary, unary, relu, gelu) applied
// one after the other, each writing a tensor: random programs over every op a chain holds,
// random broadcast shapes and operands (the chain's own input among them), float32 and
// float64, float32 ones ending in a Softmax half the time (then cpu::softmax over the last
// axis). A chain must give the same bits. Then the errors.
#include "kernels/cpu/ElementwiseChain.h"
#include "kernels/cpu/Normalization.h"

#include "test/unit/kernels/KernelTestUtil.h"

#include <algorithm>
#include <cstring>

namespace cimlir::test {
namespace {

using cpu::ChainInstruction;
using cpu::ChainOpKind;

/// Every op type a chain holds but Softmax, which only ends a chain (added on its own).
std::vector<std::string> elementwiseOpTypes() {
  std::vector<std::string> names = cpu::chainOpTypes();
  names.erase(std::find(names.begin(), names.end(), "Softmax"));
  return names;
}

Tensor randomOf(Rng &rng, DType t, const Shape &shape, double lo, double hi) {
  Tensor f = rng.f32(shape, lo, hi);
  if (t == DType::F32)
    return f;
  Tensor d = Tensor::allocate(DType::F64, shape);
  for (int64_t i = 0; i < f.numel(); ++i)
    d.data<double>()[i] = f.data<float>()[i] + rng.uniform(-1e-9, 1e-9);
  return d;
}

/// A shape that broadcasts to `out`: a suffix of its axes, each kept or made 1.
Shape broadcastingShape(Rng &rng, const Shape &out) {
  const size_t rank = static_cast<size_t>(rng.range(0, static_cast<int64_t>(out.size())));
  Shape s(out.end() - static_cast<std::ptrdiff_t>(rank), out.end());
  for (int64_t &d : s)
    if (rng.coin())
      d = 1;
  return s;
}

/// The program run op by op through the single kernels.
Tensor reference(const std::vector<ChainInstruction> &program,
                 const std::vector<const Tensor *> &inputs) {
  Tensor v = inputs[0]->clone();
  for (const ChainInstruction &in : program) {
    Tensor next = Tensor::allocate(v.dtype(), v.shape());
    switch (in.op.kind) {
    case ChainOpKind::Binary: {
      const Tensor &b = *inputs[static_cast<size_t>(in.operand)];
      cpu::binary(in.op.binary, in.swapped ? b : v, in.swapped ? v : b, next);
      break;
    }
    case ChainOpKind::Unary:
      cpu::unary(in.op.unary, v, next, in.alpha, in.beta);
      break;
    case ChainOpKind::Relu:
      cpu::relu(v, next);
      break;
    case ChainOpKind::Gelu:
      cpu::gelu(v, in.alpha != 0, next);
      break;
    case ChainOpKind::Softmax:
      cpu::softmax(v, v.rank() - 1, next);
      break;
    }
    v = std::move(next);
  }
  return v;
}

TEST(ElementwiseChain, EveryOpGivesTheBitsOfItsSingleKernel) {
  CIMLIR_RANDOM_TEST();
  const std::vector<std::string> names = elementwiseOpTypes();
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const DType t = rng.coin() ? DType::F32 : DType::F64;
    const bool softmax = t == DType::F32 && rng.coin();
    Shape shape;
    for (int64_t r = rng.range(softmax ? 1 : 0, 4); r > 0; --r)
      shape.push_back(rng.range(1, 6));
    std::vector<Tensor> tensors = {randomOf(rng, t, shape, -3, 3)};
    for (int64_t k = rng.range(0, cpu::kMaxChainInputs - 1); k > 0; --k)
      tensors.push_back(randomOf(rng, t, broadcastingShape(rng, shape), 0.25, 2));
    std::vector<const Tensor *> inputs;
    for (const Tensor &x : tensors)
      inputs.push_back(&x);
    std::vector<ChainInstruction> program;
    std::string text;
    for (int64_t k = rng.range(1, cpu::kMaxChainInstructions - (softmax ? 1 : 0)); k > 0; --k) {
      const std::string &name = names[static_cast<size_t>(rng.range(0, names.size() - 1))];
      ChainInstruction in;
      in.op = *cpu::chainOpNamed(name);
      if (in.op.kind == ChainOpKind::Binary) {
        in.operand = static_cast<int>(rng.range(0, static_cast<int64_t>(inputs.size()) - 1));
        in.swapped = rng.coin();
      } else if (in.op.kind == ChainOpKind::Unary) {
        const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(in.op.unary)];
        in.alpha = type.alpha;
        in.beta = type.beta;
      } else if (in.op.kind == ChainOpKind::Gelu) {
        in.alpha = rng.coin() ? 1.0f : 0.0f;
      }
      program.push_back(in);
      text += name + (in.operand >= 0 ? "(" + std::to_string(in.operand) + ")" : "") + " ";
    }
    if (softmax) {
      program.push_back(ChainInstruction{*cpu::chainOpNamed("Softmax")});
      text += "Softmax ";
    }
    SCOPED_TRACE(text + dtypeName(t) + " " + shapeToString(shape));
    Tensor got = Tensor::allocate(t, shape);
    cpu::elementwiseChain(program, inputs, got);
    const Tensor want = reference(program, inputs);
    ASSERT_EQ(std::memcmp(got.raw(), want.raw(), want.byteSize()), 0);
  }
}

TEST(ElementwiseChain, ComputesTheFormulaOnAKnownCase) {
  // (x / 255 - 0.25) / 0.5 with a per-channel second step: x [2, 3], operands [] and [3].
  Tensor x = Tensor::allocate(DType::F32, {2, 3});
  const float xs[] = {0, 51, 102, 153, 204, 255};
  std::memcpy(x.raw(), xs, sizeof xs);
  Tensor c = Tensor::allocate(DType::F32, {});
  c.data<float>()[0] = 255;
  Tensor m = Tensor::allocate(DType::F32, {3});
  const float ms[] = {0.25f, 0.5f, 0.75f};
  std::memcpy(m.raw(), ms, sizeof ms);
  std::vector<ChainInstruction> program(3);
  program[0].op = *cpu::chainOpNamed("Div");
  program[0].operand = 1;
  program[1].op = *cpu::chainOpNamed("Sub");
  program[1].operand = 2;
  program[2].op = *cpu::chainOpNamed("Mul");
  program[2].operand = 0; // times x itself
  program[2].swapped = true;
  Tensor y = Tensor::allocate(DType::F32, {2, 3});
  cpu::elementwiseChain(program, {&x, &c, &m}, y);
  for (int64_t i = 0; i < 6; ++i) {
    const float want = xs[i] * (xs[i] / 255.0f - ms[i % 3]);
    EXPECT_EQ(y.data<float>()[i], want) << i;
  }
}

TEST(ElementwiseChain, RefusesWhatItCannotCompute) {
  Tensor x = Tensor::allocate(DType::F32, {2, 3});
  Tensor bad = Tensor::allocate(DType::F32, {2});
  Tensor y = Tensor::allocate(DType::F32, {2, 3});
  ChainInstruction add;
  add.op = *cpu::chainOpNamed("Add");
  add.operand = 1;
  auto error = [&](auto f) {
    try {
      f();
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error([&] {
              cpu::elementwiseChain({add}, {&x, &bad}, y);
            }).find("does not broadcast"),
            std::string::npos);
  EXPECT_NE(error([&] { cpu::elementwiseChain({add}, {&x}, y); }).find("reads input 1 of 1"),
            std::string::npos);
  Tensor ints = Tensor::allocate(DType::I32, {2, 3});
  Tensor intsOut = Tensor::allocate(DType::I32, {2, 3});
  ChainInstruction neg;
  neg.op = *cpu::chainOpNamed("Neg");
  EXPECT_NE(
      error([&] { cpu::elementwiseChain({neg}, {&ints}, intsOut); }).find("unsupported dtype"),
      std::string::npos);
  EXPECT_NE(error([&] {
              cpu::elementwiseChain(std::vector<ChainInstruction>(17, neg), {&x}, y);
            }).find("1 to 16 instructions"),
            std::string::npos);
  ChainInstruction softmax;
  softmax.op = *cpu::chainOpNamed("Softmax");
  EXPECT_NE(error([&] {
              cpu::elementwiseChain({softmax, neg}, {&x}, y);
            }).find("Softmax can only end a float32 chain"),
            std::string::npos);
  EXPECT_FALSE(cpu::chainOpNamed("LogSoftmax"));
  EXPECT_FALSE(cpu::chainOpNamed("Mod"));
}

} // namespace
} // namespace cimlir::test
