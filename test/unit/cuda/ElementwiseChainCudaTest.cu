// The GPU's elementwise chains against cpu::elementwiseChain on random programs (every op a
// chain holds, float32), random broadcast shapes (inputs of Y's shape, one element, Y's
// trailing axes, and any other broadcast: each way ChainInputs::set reads an input) and inputs
// used twice: first chainValue, the element function the kernels run, on the host (it runs
// here, with no GPU), then the kernels on the GPU, with a last Softmax half the time. The
// element functions are the CPU's (ChainMath.h), so the bits are the same, but for CUDA's
// library functions (erf, exp, ... within 2 ulp) and the softmax's expf.
#include "kernels/cpu/ElementwiseChain.h"
#include "kernels/cuda/ChainValue.cuh"
#include "kernels/cuda/ElementwiseChain.h"
#include "test/unit/cim/CimTestUtil.h"
#include "test/unit/cuda/CudaTestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cimlir::cuda::test {
namespace {

using cim::test::Rng;

/// A random chain over float32: its inputs (0 of the output's shape) and its program.
struct Chain {
  Shape shape;
  std::vector<Tensor> inputs;
  std::vector<cpu::ChainInstruction> program;
};

Chain randomChain(Rng &rng, bool exactOnly, bool softmax) {
  Chain c;
  for (int64_t r = rng.range(1, 4); r > 0; --r)
    c.shape.push_back(rng.range(1, 9));
  auto tensor = [&](const Shape &s, double lo, double hi) {
    Tensor t = Tensor::allocate(DType::F32, s);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data<float>()[i] = static_cast<float>(rng.uniform(lo, hi));
    return t;
  };
  c.inputs.push_back(tensor(c.shape, -3, 3));
  for (int64_t k = rng.range(0, cpu::kMaxChainInputs - 1); k > 0; --k) {
    Shape s;
    switch (rng.range(0, 3)) {
    case 0: // Y's shape
      s = c.shape;
      break;
    case 1: // one element, of any rank up to Y's
      s.assign(static_cast<size_t>(rng.range(0, static_cast<int64_t>(c.shape.size()))), 1);
      break;
    case 2: // Y's trailing axes, with leading 1s or none
      s.assign(c.shape.end() - rng.range(1, static_cast<int64_t>(c.shape.size())), c.shape.end());
      if (s.size() < c.shape.size() && rng.range(0, 1))
        s.insert(s.begin(), 1);
      break;
    default: // any axes made 1
      s = c.shape;
      for (int64_t &d : s)
        if (rng.range(0, 1))
          d = 1;
    }
    c.inputs.push_back(tensor(s, 0.25, 2));
  }
  std::vector<std::string> ops = cpu::chainOpTypes();
  ops.erase(std::find(ops.begin(), ops.end(), "Softmax"));
  if (exactOnly) // no library function: the GPU's bits are the CPU's
    ops = {"Add", "Sub", "Mul", "Div", "Max", "Min", "PRelu", "Relu", "Neg", "Abs", "Floor"};
  for (int64_t k = rng.range(1, cpu::kMaxChainInstructions - 1); k > 0; --k) {
    cpu::ChainInstruction in;
    in.op = *cpu::chainOpNamed(ops[static_cast<size_t>(rng.range(0, ops.size() - 1))]);
    if (in.op.kind == cpu::ChainOpKind::Binary) {
      in.operand = static_cast<int>(rng.range(0, static_cast<int64_t>(c.inputs.size()) - 1));
      in.swapped = rng.range(0, 1) == 1;
    } else if (in.op.kind == cpu::ChainOpKind::Unary) {
      const cpu::UnaryOpType &type = cpu::unaryOpTypes()[static_cast<size_t>(in.op.unary)];
      in.alpha = type.alpha;
      in.beta = type.beta;
    }
    c.program.push_back(in);
  }
  if (softmax)
    c.program.push_back(cpu::ChainInstruction{*cpu::chainOpNamed("Softmax")});
  return c;
}

/// The kernels' view of the chain, its inputs at `data`.
void describe(const Chain &c, const std::vector<const void *> &data, ChainProgram &program,
              ChainInputs &inputs) {
  program.length = static_cast<int>(c.program.size());
  std::copy(c.program.begin(), c.program.end(), program.instructions);
  inputs.count = static_cast<int>(c.inputs.size());
  inputs.rank = static_cast<int>(c.shape.size());
  inputs.numel = c.inputs[0].numel();
  std::copy(c.shape.begin(), c.shape.end(), inputs.extent);
  for (size_t j = 0; j < c.inputs.size(); ++j) {
    std::vector<int64_t> strides;
    ASSERT_TRUE(cpu::broadcastStrides(c.inputs[j].shape(), c.shape, strides));
    inputs.set(static_cast<int>(j), data[j], c.inputs[j].shape(), strides);
  }
}

Tensor reference(const Chain &c) {
  std::vector<const Tensor *> in;
  for (const Tensor &t : c.inputs)
    in.push_back(&t);
  Tensor y = Tensor::allocate(DType::F32, c.shape);
  cpu::elementwiseChain(c.program, in, y);
  return y;
}

/// Same bits (NaN matches NaN).
void expectSameBits(const Tensor &want, const float *got) {
  for (int64_t i = 0; i < want.numel(); ++i) {
    const float w = want.data<float>()[i];
    if (!(std::isnan(w) && std::isnan(got[i])) && std::memcmp(&w, &got[i], sizeof w) != 0) {
      ADD_FAILURE() << "element " << i << ": " << got[i] << ", expected " << w;
      return;
    }
  }
}

TEST(ElementwiseChainHost, ChainValueReadsEveryBroadcastAsTheCpu) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const Chain c = randomChain(rng, false, false);
    std::vector<const void *> data;
    for (const Tensor &t : c.inputs)
      data.push_back(t.raw());
    ChainProgram program;
    ChainInputs inputs;
    describe(c, data, program, inputs);
    std::vector<float> got(static_cast<size_t>(inputs.numel));
    for (int64_t i = 0; i < inputs.numel; ++i)
      got[static_cast<size_t>(i)] = chainValue<float>(program, inputs, i);
    SCOPED_TRACE("trial " + std::to_string(trial) + ", shape " + shapeToString(c.shape));
    expectSameBits(reference(c), got.data());
  }
}

TEST(ElementwiseChainCuda, KernelsGiveTheCpuValues) {
  CIMLIR_REQUIRE_GPU();
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  for (int trial = 0; trial < 100; ++trial) {
    const bool exact = trial % 2 == 0, softmax = trial % 4 < 2;
    const Chain c = randomChain(rng, exact, softmax);
    std::vector<std::shared_ptr<void>> device;
    std::vector<const void *> data;
    for (const Tensor &t : c.inputs) {
      device.push_back(deviceCopy(t.raw(), t.byteSize()));
      data.push_back(device.back().get());
    }
    ChainProgram program;
    ChainInputs inputs;
    describe(c, data, program, inputs);
    const std::vector<float> zeros(static_cast<size_t>(inputs.numel));
    auto y = deviceCopy(zeros.data(), zeros.size() * sizeof(float));
    void *out = y.get();
    elementwiseChain(program, inputs, DType::F32, out, nullptr);
    check(cudaDeviceSynchronize(), "chain");
    const std::vector<float> got = hostCopy<float>(out, static_cast<size_t>(inputs.numel));
    const Tensor want = reference(c);
    SCOPED_TRACE("trial " + std::to_string(trial) + ", shape " + shapeToString(c.shape) +
                 (softmax ? ", softmax" : ""));
    if (exact && !softmax) {
      expectSameBits(want, got.data());
      continue;
    }
    for (int64_t i = 0; i < want.numel(); ++i) {
      const float w = want.data<float>()[i], g = got[static_cast<size_t>(i)];
      if (std::isnan(w) || std::isinf(w) || std::fabs(w) > 1e6f)
        continue; // library functions' ulps grow without bound through a long chain
      ASSERT_NEAR(g, w, 1e-4 * std::fabs(w) + 1e-5) << "element " << i;
    }
  }
}

} // namespace
} // namespace cimlir::cuda::test
