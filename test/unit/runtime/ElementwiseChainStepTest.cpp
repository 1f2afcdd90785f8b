// ElementwiseChain steps (cim-fuse-elementwise's) on the tested backend: random programs over
// every op a chain holds (float32 ones ending in a Softmax half the time) give the bits of the
// same ops as single steps on that backend, with broadcast operands that are activations or
// constants; a program of exact ops gives the CPU backend's bits (within float32 rounding when
// it ends in a Softmax); and a malformed program is
// refused when the plan is loaded, naming the step and the entry.
#include "kernels/cpu/ElementwiseChain.h"
#include "test/unit/runtime/OpStepTestUtil.h"

#include <algorithm>

namespace cimlir::runtimetest {
namespace {

/// A random chain: its inputs (0 is X, of the output's shape; the others broadcast to it,
/// each an activation or a constant) and its program as the plan writes it.
struct ChainCase {
  std::vector<Operand> inputs;
  Shape shape;
  json program = json::array();
};

ChainCase randomChain(std::mt19937 &gen, DType t, const std::vector<std::string> &ops,
                      bool softmax = false) {
  ChainCase c;
  for (int64_t r = randInt(gen, 1, 4); r > 0; --r)
    c.shape.push_back(randInt(gen, 1, 7));
  c.inputs.push_back({uniformOf(gen, t, c.shape, -3, 3)});
  for (int64_t k = randInt(gen, 0, cpu::kMaxChainInputs - 1); k > 0; --k) {
    const size_t rank = static_cast<size_t>(randInt(gen, 0, c.shape.size()));
    Shape s(c.shape.end() - static_cast<std::ptrdiff_t>(rank), c.shape.end());
    for (int64_t &d : s)
      if (randInt(gen, 0, 1))
        d = 1;
    c.inputs.push_back({uniformOf(gen, t, s, 0.25, 2), randInt(gen, 0, 1) == 1});
  }
  for (int64_t k = randInt(gen, 1, cpu::kMaxChainInstructions - (softmax ? 1 : 0)); k > 0; --k) {
    const std::string &op = ops[static_cast<size_t>(randInt(gen, 0, ops.size() - 1))];
    json entry = {{"op", op}};
    const cpu::ChainOp kind = *cpu::chainOpNamed(op);
    if (kind.kind == cpu::ChainOpKind::Binary) {
      entry["input"] = randInt(gen, 0, c.inputs.size() - 1);
      entry["swapped"] = randInt(gen, 0, 1) == 1;
    } else if (kind.kind == cpu::ChainOpKind::Unary) {
      const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(kind.unary)];
      if (!type.alphaName.empty())
        entry["alpha"] = type.alpha;
      if (!type.betaName.empty())
        entry["beta"] = type.beta;
    } else if (kind.kind == cpu::ChainOpKind::Gelu) {
      entry["approximate"] = randInt(gen, 0, 1) ? "tanh" : "none";
    }
    c.program.push_back(entry);
  }
  if (softmax)
    c.program.push_back({{"op", "Softmax"}});
  return c;
}

/// The chain as one ElementwiseChain step, or (`unfused`) as one step per entry.
std::string writeChain(const ChainCase &c, DType t, bool unfused, const std::string &path) {
  PlanBuilder b;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Operand &o = c.inputs[i];
    const std::string name = "in" + std::to_string(i);
    ids.push_back(o.constant ? b.constant(name, o.value)
                             : b.input(name, o.value.dtype(), o.value.shape()));
  }
  const int64_t y = b.value("y", t, c.shape);
  b.output("y", y);
  if (!unfused) {
    b.step("ElementwiseChain", "chain", ids, {y}, {{"program", c.program}});
    b.write(path);
    return path;
  }
  int64_t v = ids[0];
  for (size_t k = 0; k < c.program.size(); ++k) {
    json entry = c.program[k];
    const std::string op = entry["op"];
    const int64_t out =
        k + 1 == c.program.size() ? y : b.value("v" + std::to_string(k), t, c.shape);
    std::vector<int64_t> ins = {v};
    if (entry.contains("input")) {
      const int64_t other = ids[entry["input"].get<size_t>()];
      ins = entry["swapped"].get<bool>() ? std::vector<int64_t>{other, v}
                                         : std::vector<int64_t>{v, other};
      entry.erase("input");
      entry.erase("swapped");
    }
    entry.erase("op");
    if (op == "Softmax")
      entry["axis"] = c.shape.size() - 1;
    b.step(op, "op" + std::to_string(k), ins, {out}, entry);
    v = out;
  }
  b.write(path);
  return path;
}

TensorMap chainActivations(const ChainCase &c) {
  TensorMap in;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (!c.inputs[i].constant)
      in.emplace("in" + std::to_string(i), c.inputs[i].value);
  return in;
}

/// Every op type a chain holds but Softmax, which only ends a chain (randomChain adds it).
std::vector<std::string> elementwiseOpTypes() {
  std::vector<std::string> ops = cpu::chainOpTypes();
  ops.erase(std::find(ops.begin(), ops.end(), "Softmax"));
  return ops;
}

/// The bits of `a` and `b` (any NaN for a NaN).
void expectSameBits(const Tensor &a, const Tensor &b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.dtype() == DType::F32 ? a.data<float>()[i] : a.data<double>()[i];
    const double y = b.dtype() == DType::F32 ? b.data<float>()[i] : b.data<double>()[i];
    if (!(std::isnan(x) && std::isnan(y)) && std::memcmp(&x, &y, sizeof x) != 0) {
      ADD_FAILURE() << "element " << i << ": " << x << " vs " << y;
      return;
    }
  }
}

TEST(ElementwiseChainStep, GivesTheBitsOfItsOpsAsSingleSteps) {
  CIMLIR_SEEDED_RNG();
  const std::vector<std::string> ops = elementwiseOpTypes();
  TempDir dir;
  for (int trial = 0; trial < 40; ++trial) {
    const DType t = randInt(gen, 0, 1) ? DType::F32 : DType::F64;
    const ChainCase c = randomChain(gen, t, ops, t == DType::F32 && randInt(gen, 0, 1));
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + c.program.dump());
    Executor fused(Program::load(writeChain(c, t, false, dir.file("fused.bin"))), makeBackend());
    Executor steps(Program::load(writeChain(c, t, true, dir.file("steps.bin"))), makeBackend());
    const TensorMap in = chainActivations(c);
    expectSameBits(fused.run(in).at("y"), steps.run(in).at("y"));
    const json details = fused.backend().report();
    if (details.contains("host_steps")) {
      EXPECT_TRUE(details["host_steps"].empty()) << details["host_steps"].dump();
    }
  }
}

TEST_F(OpSteps, ElementwiseChainOfExactOpsGivesTheCpuBits) {
  CIMLIR_SEEDED_RNG();
  // Ops whose results IEEE arithmetic fixes (no library function), so every backend agrees.
  const std::vector<std::string> exact = {
      "Add", "Sub", "Mul",       "Div",         "Max",        "Min",   "PRelu", "Relu",
      "Neg", "Abs", "LeakyRelu", "HardSigmoid", "Reciprocal", "Floor", "Ceil",  "Round"};
  for (int trial = 0; trial < 20; ++trial) {
    const DType t = randInt(gen, 0, 1) ? DType::F32 : DType::F64;
    const ChainCase chain = randomChain(gen, t, exact);
    OpCase c{"ElementwiseChain", {{"program", chain.program}}, chain.inputs, {{t, chain.shape}}};
    expectAgreement(c, "trial " + std::to_string(trial) + ": " + chain.program.dump());
  }
  // Ending in a Softmax: the GPU's exponentials (expf) are within 2 ulp of the C library's.
  // Without division, which can make an infinity and so a row of NaN (the same on both
  // backends, but not within a tolerance).
  std::vector<std::string> finite = exact;
  for (const char *op : {"Div", "Reciprocal"})
    finite.erase(std::find(finite.begin(), finite.end(), op));
  for (int trial = 0; trial < 10; ++trial) {
    const ChainCase chain = randomChain(gen, DType::F32, finite, true);
    OpCase c{"ElementwiseChain",
             {{"program", chain.program}},
             chain.inputs,
             {{DType::F32, chain.shape}}};
    c.rtol = 1e-5;
    c.atol = 1e-7;
    expectAgreement(c, "softmax trial " + std::to_string(trial) + ": " + chain.program.dump());
  }
}

TEST(ElementwiseChainStep, AMalformedProgramIsRefusedAtLoad) {
  TempDir dir;
  const Shape shape = {2, 3};
  const std::pair<json, std::string> cases[] = {
      {json::array(), "attribute 'program' is not a list of 1 to 16 instructions"},
      {json::array({{{"op", "LogSoftmax"}}}),
       "program instruction 0: op 'LogSoftmax' cannot be in a chain"},
      {json::array({{{"op", "Neg"}}, {{"op", "Add"}, {"input", 2}, {"swapped", false}}}),
       "program instruction 1: Add reads input 2 of 2"},
      {json::array({{{"op", "Add"}, {"input", 1}}}), "Add needs field 'swapped'"},
      {json::array({{{"op", "Add"}, {"input", "1"}, {"swapped", false}}}),
       "'input' is not an integer"},
      {json::array({{{"op", "Erf"}, {"alpha", 1.0}}}), "Erf takes no field 'alpha'"},
      {json::array({{{"op", "Elu"}}}), "Elu needs field 'alpha'"},
      {json::array({{{"op", "Gelu"}, {"approximate", "fast"}}}),
       "Gelu has an unknown approximate 'fast'"},
      {json::array({{{"op", "Relu"}, {"axis", 1}}}), "Relu has an unknown field 'axis'"},
      {json::array({"Relu"}), "program instruction 0: is not an object with a string 'op'"},
      {json::array({{{"op", "Softmax"}}, {{"op", "Relu"}}}),
       "program instruction 0: Softmax can only end a float32 chain"},
  };
  for (const auto &[program, error] : cases) {
    PlanBuilder b;
    const int64_t x = b.input("x", DType::F32, shape);
    const int64_t c = b.constant("c", Tensor::allocate(DType::F32, {3}));
    const int64_t y = b.value("y", DType::F32, shape);
    b.output("y", y);
    b.step("ElementwiseChain", "the_chain", {x, c}, {y}, {{"program", program}});
    b.write(dir.file("bad.bin"));
    const std::string got =
        errorOf([&] { Executor(Program::load(dir.file("bad.bin")), makeBackend()); });
    EXPECT_TRUE(containsAll(got, {"step ElementwiseChain 'the_chain'", error})) << got;
  }

  // A Softmax over the rows of a rank-0 chain.
  PlanBuilder b;
  const int64_t x = b.input("x", DType::F32, {});
  const int64_t y = b.value("y", DType::F32, {});
  b.output("y", y);
  b.step("ElementwiseChain", "the_chain", {x}, {y},
         {{"program", json::array({{{"op", "Neg"}}, {{"op", "Softmax"}}})}});
  b.write(dir.file("rank0.bin"));
  const std::string got =
      errorOf([&] { Executor(Program::load(dir.file("rank0.bin")), makeBackend()); });
  EXPECT_TRUE(containsAll(got, {"'the_chain'", "needs a rank of at least 1"})) << got;
}

} // namespace
} // namespace cimlir::runtimetest
