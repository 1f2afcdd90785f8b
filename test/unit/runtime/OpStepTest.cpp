// The digital steps of another backend against the CPU backend's: each op in one-step plans on
// fresh random inputs (activations and constants, several shapes and attributes), the outputs
// equal for data movement and within a few float32 ulps for arithmetic; on the CUDA backend
// every one of these steps must run on the GPU (backend_details.host_steps stays empty). On the
// CPU backend there is nothing to compare: its kernels are tested in test/unit/kernels.
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Reduce.h"
#include "test/unit/runtime/OpStepTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cimlir::runtimetest {
namespace {

TEST_F(OpSteps, UnaryOpsAndGeluInEveryType) {
  CIMLIR_SEEDED_RNG();
  const auto &types = cpu::unaryOpTypes();
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string &name = types[i].name;
    // Each function on its domain (Acosh from 1, logarithms and roots of positive values).
    double lo = -3, hi = 3;
    if (name == "Acos" || name == "Asin" || name == "Atanh")
      lo = -0.95, hi = 0.95;
    else if (name == "Acosh")
      lo = 1.05, hi = 5;
    else if (name == "Log" || name == "Sqrt" || name == "Reciprocal")
      lo = 0.05, hi = 5;
    std::vector<DType> dtypes{DType::F32, DType::F64};
    if (types[i].signedIntegers) // Abs, Neg, Sign
      dtypes.insert(dtypes.end(), {DType::I8, DType::I16, DType::I32, DType::I64});
    for (DType t : dtypes) {
      OpCase c{name};
      if (!types[i].alphaName.empty())
        c.attrs["alpha"] = types[i].alpha * 0.75;
      if (!types[i].betaName.empty())
        c.attrs["beta"] = types[i].beta + 0.25;
      const bool real = t == DType::F32 || t == DType::F64;
      const Shape shape{randInt(gen, 1, 4), randInt(gen, 1, 300)};
      c.inputs = {{uniformOf(gen, t, shape, real ? lo : -100, real ? hi : 100)}};
      c.outputs = {{t, shape}};
      // CUDA's functions are within 2 ulp of the C library's; integers are exact.
      if (t == DType::F32) {
        c.rtol = 1e-6;
        c.atol = 1e-7;
      } else if (t == DType::F64) {
        c.rtol = 1e-14;
        c.atol = 1e-300;
      }
      expectAgreement(c, name + " " + dtypeName(t));
    }
  }
  OpCase gelu64{"Gelu", {{"approximate", "tanh"}}, {{uniformOf(gen, DType::F64, {5, 77}, -4, 4)}}};
  gelu64.outputs = {{DType::F64, {5, 77}}};
  gelu64.rtol = 1e-14;
  gelu64.atol = 1e-15;
  expectAgreement(gelu64, "Gelu float64");
  for (const char *approximate : {"none", "tanh"}) {
    OpCase c{"Gelu", {{"approximate", approximate}}, {{randomF32(gen, {5, 77}, -4, 4)}}};
    c.outputs = {{DType::F32, {5, 77}}};
    // x/2 (1 + erf(..)) cancels for negative x: an ulp of erf near -1 is |x|·6e-8 of Gelu.
    c.rtol = 1e-6;
    c.atol = 1e-6;
    expectAgreement(c, std::string("Gelu ") + approximate);
  }
}

TEST_F(OpSteps, ClipPowAndBroadcastArithmetic) {
  CIMLIR_SEEDED_RNG();
  OpCase clip{
      "Clip",
      json::object(),
      {{randomF32(gen, {4, 33}, -2, 2)}, {scalarF32(-0.5f), true}, {scalarF32(0.75f), true}}};
  clip.outputs = {{DType::F32, {4, 33}}};
  expectAgreement(clip, "Clip");
  OpCase square{
      "Pow", json::object(), {{randomF32(gen, {3, 5, 8}, -2, 2)}, {scalarF32(2.0f), true}}};
  square.outputs = {{DType::F32, {3, 5, 8}}};
  square.rtol = 1e-6;
  expectAgreement(square, "Pow by a constant 2");
  OpCase pow{"Pow",
             json::object(),
             {{randomF32(gen, {3, 5, 8}, 0.1, 3)}, {randomF32(gen, {5, 1}, -2, 2)}}};
  pow.outputs = {{DType::F32, {3, 5, 8}}};
  pow.rtol = 1e-6;
  expectAgreement(pow, "Pow, broadcast exponent");
}

TEST_F(OpSteps, SoftmaxFamilyAlongEveryAxis) {
  CIMLIR_SEEDED_RNG();
  const Shape shape{3, randInt(gen, 1, 40), randInt(gen, 1, 700)};
  for (const char *op : {"Softmax", "LogSoftmax", "Hardmax"})
    for (int64_t axis : {0, 1, 2, -1}) {
      OpCase c{op, {{"axis", axis}}, {{randomF32(gen, shape, -8, 8)}}};
      c.outputs = {{DType::F32, shape}};
      if (std::string(op) != "Hardmax") {
        c.rtol = 1e-6;
        c.atol = 1e-7;
      }
      expectAgreement(c, std::string(op) + " axis " + std::to_string(axis));
    }
}

TEST_F(OpSteps, Normalizations) {
  CIMLIR_SEEDED_RNG();
  const Shape x{2, 6, 5, 7};
  for (int64_t axis : {3, 2, 1}) { // plans hold non-negative axes
    const Shape normalised(x.begin() + axis, x.end());
    OpCase c{"LayerNormalization",
             {{"axis", axis}, {"epsilon", 1e-5}},
             {{randomF32(gen, x, -3, 5)},
              {randomF32(gen, normalised, 0.5, 1.5), true},
              {randomF32(gen, {normalised.back()}, -1, 1), true}}};
    Shape stats = x;
    for (size_t d = static_cast<size_t>(axis); d < stats.size(); ++d)
      stats[d] = 1;
    c.outputs = {{DType::F32, x}, {DType::F32, stats}, {DType::F32, stats}};
    c.rtol = 1e-6;
    c.atol = 1e-6;
    expectAgreement(c, "LayerNormalization axis " + std::to_string(axis));
    // Scale and bias as activations (the ONNX node tests' form): one in the normalised shape,
    // one broadcast to it.
    c.inputs[1].constant = false;
    c.inputs[2].constant = false;
    expectAgreement(c, "LayerNormalization axis " + std::to_string(axis) +
                           ", parameters as activations");
  }
  OpCase instance{"InstanceNormalization",
                  {{"epsilon", 1e-5}},
                  {{randomF32(gen, x, -3, 5)},
                   {randomF32(gen, {6}, 0.5, 1.5), true},
                   {randomF32(gen, {6}, -1, 1), true}}};
  instance.outputs = {{DType::F32, x}};
  instance.rtol = 1e-6;
  instance.atol = 1e-6;
  expectAgreement(instance, "InstanceNormalization");
  OpCase batch{"BatchNormalization",
               {{"epsilon", 1e-5}},
               {{randomF32(gen, x, -3, 5)},
                {randomF32(gen, {6}, 0.5, 1.5), true},
                {randomF32(gen, {6}, -1, 1), true},
                {randomF32(gen, {6}, -1, 1), true},
                {randomF32(gen, {6}, 0.2, 2), true}}};
  batch.outputs = {{DType::F32, x}};
  expectAgreement(batch, "BatchNormalization");
}

TEST_F(OpSteps, ReductionsOverAnyAxes) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 4, 5, 6};
  const struct {
    std::vector<int64_t> axes;
    bool keep;
  } cases[] = {{{3}, true}, {{1, 2}, false}, {{0, 3}, true}, {{}, false}};
  for (const std::string &op : cpu::reduceOpTypes())
    for (const auto &r : cases) {
      Shape y;
      for (int64_t a = 0; a < 4; ++a) {
        const bool reduced = std::find(r.axes.begin(), r.axes.end(), a) != r.axes.end();
        if (!reduced || r.keep)
          y.push_back(reduced ? 1 : x[static_cast<size_t>(a)]);
      }
      // Positive values for the logarithms; near 1 so that products stay in range.
      OpCase c{op,
               {{"axes", r.axes}, {"keepdims", r.keep ? 1 : 0}},
               {{randomF32(gen, x, op == "ReduceProd" ? 0.9 : 0.1, op == "ReduceProd" ? 1.1 : 2)}}};
      c.outputs = {{DType::F32, y}};
      c.rtol = 1e-6;
      c.atol = 1e-7;
      expectAgreement(c, op + " over " + json(r.axes).dump());
    }
}

TEST_F(OpSteps, MatMulWithBatchBroadcasting) {
  CIMLIR_SEEDED_RNG();
  const struct {
    Shape a, b, y;
    bool constantB;
  } cases[] = {
      {{2, 3, 4, 5}, {2, 3, 5, 6}, {2, 3, 4, 6}, false}, // attention: every batch its own
      {{2, 1, 4, 5}, {3, 5, 6}, {2, 3, 4, 6}, false},    // both broadcast
      {{7, 4, 5}, {5, 6}, {7, 4, 6}, true},              // one B for all
      {{5}, {2, 5, 3}, {2, 3}, false},                   // 1-D A
      {{4, 5}, {5}, {4}, false},                         // 1-D B
  };
  for (const auto &m : cases) {
    OpCase c{"MatMul", json::object(), {{randomF32(gen, m.a)}, {randomF32(gen, m.b), m.constantB}}};
    c.outputs = {{DType::F32, m.y}};
    c.rtol = 1e-5;
    c.atol = 1e-6;
    expectAgreement(c, "MatMul " + shapeToString(m.a) + " x " + shapeToString(m.b));
  }
}

TEST_F(OpSteps, DataMovement) {
  CIMLIR_SEEDED_RNG();
  const Shape x{2, 3, 4, 5};
  auto one = [&](const std::string &op, json attrs, std::vector<Operand> in, const Shape &y,
                 DType t = DType::F32) {
    OpCase c{op, std::move(attrs), std::move(in)};
    c.outputs = {{t, y}};
    expectAgreement(c, op + " " + c.attrs.dump());
  };
  one("Transpose", {{"perm", {0, 2, 1, 3}}}, {{randomF32(gen, x)}}, {2, 4, 3, 5});
  one("Transpose", {{"perm", {3, 1, 0, 2}}}, {{randomInt64(gen, x, -9, 9)}}, {5, 3, 2, 4},
      DType::I64);
  one("Slice", {{"starts", {-1, 1}}, {"ends", {-100, 4}}, {"axes", {3, 1}}, {"steps", {-2, 2}}},
      {{randomF32(gen, x)}}, {2, 1, 4, 3});
  one("Expand", json::object(), {{randomF32(gen, {3, 1})}}, {2, 3, 4});
  one("Tile", {{"repeats", {2, 1, 3}}}, {{randomF32(gen, {2, 3, 4})}}, {4, 3, 12});
  for (const char *mode : {"constant", "reflect", "edge", "wrap"})
    one("Pad", {{"pads", {0, 1, 2, 0, 2, 1}}, {"mode", mode}},
        {{randomF32(gen, {2, 3, 4})}, {scalarF32(7.5f), true}}, {2, 6, 7});
  one("Concat", {{"axis", 1}},
      {{randomF32(gen, {2, 1, 4})}, {randomF32(gen, {2, 3, 4}), true}, {randomF32(gen, {2, 2, 4})}},
      {2, 6, 4});
  one("Squeeze", json::object(), {{randomF32(gen, {2, 1, 4})}}, {2, 4});
  one("Unsqueeze", json::object(), {{randomF32(gen, {2, 4})}}, {2, 1, 4});
  OpCase split{"Split", {{"axis", 2}, {"split", {1, 3}}}, {{randomF32(gen, {2, 3, 4})}}};
  split.outputs = {{DType::F32, {2, 3, 1}}, {DType::F32, {2, 3, 3}}};
  expectAgreement(split, "Split");
}

/// Random values of any dtype, converted from doubles as Cast converts them: mostly integers in
/// [-300, 300] (saturating in the narrow types), some fractions, NaN, -inf and 1e30; bools 0
/// or 1.
Tensor randomOf(std::mt19937 &gen, DType t, const Shape &shape) {
  Tensor f = Tensor::allocate(DType::F64, shape);
  for (int64_t i = 0; i < f.numel(); ++i) {
    const int64_t pick = randInt(gen, 0, 19);
    f.data<double>()[i] = t == DType::Bool ? static_cast<double>(randInt(gen, 0, 1))
                          : pick == 0      ? std::nan("")
                          : pick == 1      ? -HUGE_VAL
                          : pick == 2      ? 1e30
                          : pick == 3      ? static_cast<double>(randInt(gen, -3000, 3000)) / 7
                                           : static_cast<double>(randInt(gen, -300, 300));
  }
  Tensor out = Tensor::allocate(t, shape);
  if (t == DType::F64)
    return f;
  Executor cast = [&] {
    TempDir dir;
    OpCase c{"Cast", json::object(), {{f}}};
    c.outputs = {{t, shape}};
    return Executor(Program::load(writePlan(c, dir.file("cast.bin"))), createBackend("cpu", {}));
  }();
  return cast.run({{"in0", f}}).at("out0");
}

TEST_F(OpSteps, CastsComparisonsNotAndWhere) {
  CIMLIR_SEEDED_RNG();
  const DType types[] = {DType::F32, DType::F64, DType::I8,   DType::U8,  DType::I16, DType::U16,
                         DType::I32, DType::I64, DType::Bool, DType::F16, DType::BF16};
  for (DType from : types)
    for (DType to : types) {
      OpCase c{"Cast", json::object(), {{randomOf(gen, from, {3, 41})}}};
      c.outputs = {{to, {3, 41}}};
      expectAgreement(c, std::string("Cast ") + dtypeName(from) + " to " + dtypeName(to));
    }
  for (size_t i = 0; i < cpu::compareOpTypes().size(); ++i) {
    const std::string &op = cpu::compareOpTypes()[i];
    const bool logical = op == "And" || op == "Or" || op == "Xor";
    for (DType t : logical ? std::vector<DType>{DType::Bool}
                           : std::vector<DType>{DType::F32, DType::I64, DType::U8}) {
      // Integer-valued operands so that Equal holds somewhere.
      OpCase c{op,
               json::object(),
               {{randomOf(gen, t, {4, 1, 6})}, {randomOf(gen, t, {5, 1}), i % 2 == 0}}};
      c.outputs = {{DType::Bool, {4, 5, 6}}};
      expectAgreement(c, op + " of " + dtypeName(t));
    }
  }
  OpCase negate{"Not", json::object(), {{randomOf(gen, DType::Bool, {7, 9})}}};
  negate.outputs = {{DType::Bool, {7, 9}}};
  expectAgreement(negate, "Not");
  for (DType t : {DType::F32, DType::I64, DType::U8}) {
    OpCase c{"Where",
             json::object(),
             {{randomOf(gen, DType::Bool, {4, 1, 6})},
              {randomOf(gen, t, {5, 1})},
              {randomOf(gen, t, {6}), true}}};
    c.outputs = {{t, {4, 5, 6}}};
    expectAgreement(c, std::string("Where of ") + dtypeName(t));
  }
}

TEST_F(OpSteps, QuantizeAndDequantizePerTensorAndPerAxis) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 4, 5};
  for (DType t : {DType::I8, DType::U8}) {
    for (bool perAxis : {false, true}) {
      const Shape scales = perAxis ? Shape{4} : Shape{};
      Tensor zero = randomOf(gen, t, scales);
      OpCase q{
          "QuantizeLinear",
          {{"axis", 1}},
          {{randomF32(gen, x, -40, 40)}, {randomF32(gen, scales, 0.05, 0.5), true}, {zero, true}}};
      q.outputs = {{t, x}};
      expectAgreement(q, std::string("QuantizeLinear to ") + dtypeName(t));
      OpCase d{"DequantizeLinear",
               {{"axis", 1}},
               {{randomOf(gen, t, x)}, {randomF32(gen, scales, 0.05, 0.5), true}, {zero, true}}};
      d.outputs = {{DType::F32, x}};
      expectAgreement(d, std::string("DequantizeLinear of ") + dtypeName(t));
    }
  }
}

TEST_F(OpSteps, LocalResponseNormalization) {
  CIMLIR_SEEDED_RNG();
  for (int64_t size : {1, 3, 4}) {
    OpCase c{"LRN",
             {{"size", size}, {"alpha", 1e-3}, {"beta", 0.75}, {"bias", 2.0}},
             {{randomF32(gen, {2, 7, 3, 5}, -3, 3)}}};
    c.outputs = {{DType::F32, {2, 7, 3, 5}}};
    c.rtol = 1e-6;
    c.atol = 1e-7;
    expectAgreement(c, "LRN size " + std::to_string(size));
  }
}

// RNN, GRU and LSTM with every option the cell has: directions, activation lists with
// parameters, clip, input_forget, linear_before_reset, peepholes, initial states (activations
// and constants) and constant sequence_lens, one of them 0. Within float tolerance (cuBLAS sums
// in another order; the activations are CUDA's).
TEST_F(OpSteps, RecurrentLayersWithEveryOption) {
  CIMLIR_SEEDED_RNG();
  struct Layer {
    std::string op, direction;
    std::vector<std::string> activations;
    std::vector<double> alphas, betas;
    double clip = 0; // 0: none
    int inputForget = 0, linearBeforeReset = 0;
    bool lengths = false, peepholes = false;
    bool lengthsActivation = false; // sequence_lens computed at run time (a graph input)
  };
  const Layer layers[] = {
      {"RNN", "forward", {"Tanh"}, {0}, {0}},
      {"RNN", "bidirectional", {"Relu", "Softsign"}, {0, 0}, {0, 0}, 0, 0, 0, true},
      {"GRU", "reverse", {"Sigmoid", "Tanh"}, {0, 0}, {0, 0}, 0, 0, 0, true},
      {"GRU",
       "bidirectional",
       {"HardSigmoid", "Affine", "Sigmoid", "ScaledTanh"},
       {0.25, 0.5, 0, 1.5},
       {0.4, 0.1, 0, 0.7},
       2.0,
       0,
       1},
      {"LSTM",
       "forward",
       {"Sigmoid", "Tanh", "Tanh"},
       {0, 0, 0},
       {0, 0, 0},
       1.5,
       1,
       0,
       true,
       true,
       true},
      {"LSTM",
       "bidirectional",
       {"Sigmoid", "Elu", "Softplus", "HardSigmoid", "Tanh", "LeakyRelu"},
       {0, 0.8, 0, 0.3, 0, 0.05},
       {0, 0, 0, 0.45, 0, 0},
       0,
       0,
       0,
       false,
       true},
  };
  const int64_t seq = 5, batch = 3, input = 4, H = 6;
  for (const Layer &l : layers) {
    const bool lstm = l.op == "LSTM";
    const int64_t G = l.op == "RNN" ? 1 : l.op == "GRU" ? 3 : 4;
    const int64_t D = l.direction == "bidirectional" ? 2 : 1;
    OpCase c{l.op};
    c.attrs = {{"hidden_size", H},
               {"direction", l.direction},
               {"activations", l.activations},
               {"activation_alpha", l.alphas},
               {"activation_beta", l.betas},
               {"input_forget", l.inputForget},
               {"linear_before_reset", l.linearBeforeReset}};
    if (l.clip > 0)
      c.attrs["clip"] = l.clip;
    c.inputs = {{randomF32(gen, {seq, batch, input}, -2, 2)},
                {randomF32(gen, {D, G * H, input}), true},
                {randomF32(gen, {D, G * H, H}), true},
                {randomF32(gen, {D, 2 * G * H}), true}};
    std::vector<int64_t> optional = {3};
    if (l.lengths) {
      Tensor lengths = Tensor::allocate(DType::I32, {batch});
      const int32_t values[] = {static_cast<int32_t>(seq), 0, 3};
      std::copy(values, values + batch, lengths.data<int32_t>());
      c.inputs.push_back({lengths, !l.lengthsActivation});
      optional.push_back(4);
    }
    c.inputs.push_back({randomF32(gen, {D, batch, H})}); // initial_h, an activation
    optional.push_back(5);
    if (lstm) {
      c.inputs.push_back({randomF32(gen, {D, batch, H}), true}); // initial_c
      optional.push_back(6);
      if (l.peepholes) {
        c.inputs.push_back({randomF32(gen, {D, 3 * H}), true});
        optional.push_back(7);
      }
    }
    c.attrs["optional_operands"] = optional;
    c.outputs = {{DType::F32, {seq, D, batch, H}}, {DType::F32, {D, batch, H}}};
    if (lstm)
      c.outputs.push_back({DType::F32, {D, batch, H}});
    c.rtol = 1e-5;
    c.atol = 1e-6;
    expectAgreement(c, l.op + " " + l.direction);
    if (l.lengthsActivation) {
      // A length beyond the sequence is the CPU kernel's error on every backend.
      OpCase bad = c;
      bad.inputs[4].value.data<int32_t>()[1] = static_cast<int32_t>(seq + 1);
      TempDir dir;
      Executor tested(Program::load(writePlan(bad, dir.file("bad.bin"))), makeBackend());
      try {
        tested.run(activations(bad));
        ADD_FAILURE() << "a sequence length of seq + 1 ran";
      } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("sequence_lens"), std::string::npos) << e.what();
      }
    }
  }
}

TEST_F(OpSteps, GatherTakesIndicesFromTheGpuAndRefusesOutOfRange) {
  CIMLIR_SEEDED_RNG();
  // An embedding lookup: a constant table at activation indices, negative ones from the end.
  OpCase embed{"Gather",
               {{"axis", 0}},
               {{randomF32(gen, {50, 16}), true}, {randomInt64(gen, {3, 7}, -50, 49)}}};
  embed.outputs = {{DType::F32, {3, 7, 16}}};
  expectAgreement(embed, "Gather of an embedding table");
  OpCase middle{
      "Gather", {{"axis", 1}}, {{randomF32(gen, {2, 9, 5})}, {randomInt64(gen, {4}, -9, 8)}}};
  middle.outputs = {{DType::F32, {2, 4, 5}}};
  expectAgreement(middle, "Gather along axis 1");

  // An index past the end: the same one-line error from both backends, naming the step.
  embed.inputs[1].value.data<int64_t>()[5] = 50;
  TempDir dir;
  const std::string path = writePlan(embed, dir.file("bad.bin"));
  for (const std::string &backend : {testBackend(), std::string("cpu")}) {
    Executor ex(Program::load(path), createBackend(backend, {}));
    const std::string error = errorOf([&] { ex.run(activations(embed)); });
    EXPECT_EQ(error, "step Gather 'the_step': gather: index 50 is out of range for an axis of 50")
        << backend;
    // The next batch runs: the fault was reported once.
    embed.inputs[1].value.data<int64_t>()[5] = 3;
    EXPECT_NO_THROW(ex.run(activations(embed))) << backend;
    embed.inputs[1].value.data<int64_t>()[5] = 50;
  }
}

TEST_F(OpSteps, ConvWithWeightsThatAreActivationsOrDefaultAttributes) {
  CIMLIR_SEEDED_RNG();
  for (int spatial = 1; spatial <= 3; ++spatial) {
    const ConvCase k = randomConv(gen, spatial);
    for (bool withBias : {false, true}) {
      OpCase c{"Conv", k.attrs, {{randomF32(gen, k.x)}, {randomF32(gen, k.w)}}};
      if (withBias)
        c.inputs.push_back({randomF32(gen, {k.w[0]})});
      c.outputs = {{DType::F32, k.y}};
      c.rtol = 1e-5; // the CPU's BLAS adds in another order
      c.atol = 1e-6;
      expectAgreement(c, "Conv " + shapeToString(k.x) + " * " + shapeToString(k.w));
    }
  }
  // A constant W in a plan that leaves the attributes to their defaults (cim-opt spells them
  // out; the im2col path needs them): the direct kernel takes it.
  OpCase c{"Conv",
           json{{"group", 1},
                {"strides", json::array()},
                {"pads", json::array()},
                {"dilations", json::array()}},
           {{randomF32(gen, {2, 3, 6, 5})}, {randomF32(gen, {4, 3, 3, 2}), true}}};
  c.outputs = {{DType::F32, {2, 4, 4, 4}}};
  c.rtol = 1e-5;
  c.atol = 1e-6;
  expectAgreement(c, "Conv with default attributes");
}

TEST_F(OpSteps, MaxPoolOfIntegers) {
  CIMLIR_SEEDED_RNG();
  for (DType t : {DType::U8, DType::I8}) {
    OpCase c{
        "MaxPool",
        {{"kernel_shape", std::vector<int64_t>{3, 2}},
         {"strides", std::vector<int64_t>{2, 1}},
         {"pads", std::vector<int64_t>{1, 0, 1, 1}},
         {"dilations", std::vector<int64_t>{1, 1}}},
        {{uniformOf(gen, t, {2, 3, 7, 6}, t == DType::U8 ? 0 : -128, t == DType::U8 ? 255 : 127)}}};
    c.outputs = {{t, {2, 3, 4, 6}}};
    expectAgreement(c, std::string("MaxPool of ") + dtypeName(t));
  }
}

} // namespace
} // namespace cimlir::runtimetest
