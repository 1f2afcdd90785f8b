// The NegativeLogLikelihoodLoss steps of another backend against the CPU backend's
// (OpStepTestUtil.h): every reduction, with and without weight (a constant or an activation)
// and ignore_index, int64 and int32 targets, float32 and float64, the same bits; a target out of
// range refused by both; and the CPU kernel's errors from both.
#include "test/unit/runtime/OpStepTestUtil.h"

#include <optional>

namespace cimlir::runtimetest {
namespace {

/// Random float32 or float64 values in [-3, 3) (the float64 ones of full precision).
/// Targets in [0, c) of int64 or int32, about a fifth of them `ignored` where there is one.
Tensor targets(std::mt19937 &gen, DType t, const Shape &shape, int64_t c,
               std::optional<int64_t> ignored) {
  Tensor out = Tensor::allocate(t, shape);
  for (int64_t i = 0; i < out.numel(); ++i) {
    const int64_t v = ignored && randInt(gen, 0, 4) == 0 ? *ignored : randInt(gen, 0, c - 1);
    t == DType::I64 ? void(out.data<int64_t>()[i] = v)
                    : void(out.data<int32_t>()[i] = static_cast<int32_t>(v));
  }
  return out;
}

enum class Weight { None, Constant, Activation };

OpCase nllCase(const std::string &reduction, std::optional<int64_t> ignore, Operand input,
               Operand target, std::optional<Operand> weight) {
  OpCase c{"NegativeLogLikelihoodLoss", {{"reduction", reduction}}, {input, target}};
  if (ignore)
    c.attrs["ignore_index"] = *ignore;
  if (weight)
    c.inputs.push_back(*weight);
  Shape y;
  if (reduction == "none")
    y = target.value.shape();
  c.outputs = {{input.value.dtype(), y}};
  return c;
}

TEST_F(OpSteps, NllLossEveryReductionWeightAndIgnoreIndex) {
  CIMLIR_SEEDED_RNG();
  for (DType t : {DType::F32, DType::F64})
    for (DType targetType : {DType::I64, DType::I32})
      for (Weight w : {Weight::None, Weight::Constant, Weight::Activation})
        for (std::optional<int64_t> ignore :
             {std::optional<int64_t>(), std::optional<int64_t>(1), std::optional<int64_t>(-100)})
          for (const std::string reduction : {"none", "sum", "mean"}) {
            // [N, C] or [N, C, d1, d2]; more targets than the summing block's width at times.
            const int64_t n = randInt(gen, 1, 4), c = randInt(gen, 2, 9);
            Shape input{n, c}, target{n};
            if (randInt(gen, 0, 1)) {
              const int64_t d1 = randInt(gen, 1, 30), d2 = randInt(gen, 1, 30);
              input.insert(input.end(), {d1, d2});
              target.insert(target.end(), {d1, d2});
            }
            std::optional<Operand> weight;
            if (w != Weight::None)
              weight = Operand{uniformOf(gen, t, {c}, -3, 3), w == Weight::Constant};
            const OpCase k = nllCase(reduction, ignore, {uniformOf(gen, t, input, -3, 3)},
                                     {targets(gen, targetType, target, c, ignore)}, weight);
            expectAgreement(k, reduction + " " + dtypeName(t) + " target " + dtypeName(targetType) +
                                   " weight " + std::to_string(static_cast<int>(w)) + " ignore " +
                                   (ignore ? std::to_string(*ignore) : "none") + " input " +
                                   shapeToString(input));
          }
  // Every target ignored: the mean is 0 / 0 on both.
  Tensor all = Tensor::allocate(DType::I64, {3});
  for (int i = 0; i < 3; ++i)
    all.data<int64_t>()[i] = 2;
  expectAgreement(
      nllCase("mean", 2, {uniformOf(gen, DType::F32, {3, 4}, -3, 3)}, {all}, std::nullopt),
      "every target ignored");
}

TEST_F(OpSteps, NllLossRefusesTargetsOutOfRangeAndBadShapes) {
  CIMLIR_SEEDED_RNG();
  // A target outside [0, C) that is not ignored: an error naming the step from both backends,
  // and the next batch runs.
  for (int64_t bad : {5, -3}) {
    OpCase k = nllCase("mean", -100, {uniformOf(gen, DType::F32, {4, 5, 3}, -3, 3)},
                       {targets(gen, DType::I64, {4, 3}, 5, std::nullopt)}, std::nullopt);
    TempDir dir;
    const std::string path = writePlan(k, dir.file("bad.bin"));
    for (const std::string &backend : {testBackend(), std::string("cpu")}) {
      Executor ex(Program::load(path), createBackend(backend, {}));
      k.inputs[1].value.data<int64_t>()[7] = bad;
      const std::string error = errorOf([&] { ex.run(activations(k)); });
      EXPECT_EQ(error, "step NegativeLogLikelihoodLoss 'the_step': NegativeLogLikelihoodLoss: "
                       "target " +
                           std::to_string(bad) + " is outside [0, 5)")
          << backend;
      k.inputs[1].value.data<int64_t>()[7] = 0;
      EXPECT_NO_THROW(ex.run(activations(k))) << backend;
    }
  }
  auto f32 = [&](const Shape &s) { return Operand{uniformOf(gen, DType::F32, s, -3, 3)}; };
  auto i64 = [&](const Shape &s) { return Operand{randomInt64(gen, s, 0, 1)}; };
  const struct {
    OpCase c;
    std::string error;
  } cases[] = {
      {nllCase("none", std::nullopt, f32({4}), i64({4}), std::nullopt),
       "input [4] must be [N, C, ...]"},
      {nllCase("none", std::nullopt, f32({4, 3}), i64({3}), std::nullopt),
       "target has shape [3], expected [4]"},
      {nllCase("sum", std::nullopt, f32({4, 3}), f32({4}), std::nullopt),
       "target must be int32 or int64, got float32"},
      {nllCase("sum", std::nullopt, f32({4, 3}), i64({4}), f32({4})),
       "weight has shape [4], expected [3]"},
      {nllCase("sum", std::nullopt, {randomInt64(gen, {4, 3}, 0, 1)}, i64({4}), std::nullopt),
       "input must be float32 or float64, got int64"},
  };
  for (const auto &k : cases)
    expectSameError(k.c, "step NegativeLogLikelihoodLoss 'the_step': NegativeLogLikelihoodLoss: " +
                             k.error);
}

} // namespace
} // namespace cimlir::runtimetest
