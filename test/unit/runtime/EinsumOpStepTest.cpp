// The Einsum steps of another backend against the CPU backend's (OpStepTestUtil.h): products,
// diagonals, traces, transposes, sums, implicit outputs, "..." broadcasts, three inputs and
// scalars, float32 and float64, activations and constants, the same bits; an empty input; and
// the CPU kernel's errors from both.
#include "test/unit/runtime/OpStepTestUtil.h"

namespace cimlir::runtimetest {
namespace {

/// Random float32 or float64 values in [-2, 2) (the float64 ones of full precision).
OpCase einsumCase(const std::string &equation, std::vector<Operand> inputs, DType t,
                  const Shape &y) {
  OpCase c{"Einsum", {{"equation", equation}}, std::move(inputs)};
  c.outputs = {{t, y}};
  return c;
}

TEST_F(OpSteps, EinsumEveryForm) {
  CIMLIR_SEEDED_RNG();
  const struct {
    std::string equation;
    std::vector<Shape> inputs;
    Shape y;
  } cases[] = {
      {"ij,jk->ik", {{3, 7}, {7, 5}}, {3, 5}},
      {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 6}}, {2, 3, 6}},
      {"bhqd,bhkd->bhqk", {{2, 3, 5, 8}, {2, 3, 7, 8}}, {2, 3, 5, 7}},
      {"ii->i", {{6, 6}}, {6}},
      {"ii", {{5, 5}}, {}},
      {"ij->ji", {{4, 9}}, {9, 4}},
      {"ij->", {{13, 11}}, {}},
      {"i,i", {{300}, {300}}, {}},
      {"i,j->ij", {{4}, {6}}, {4, 6}},
      {"ba,ac", {{3, 4}, {4, 5}}, {3, 5}}, // implicit: b and c, sorted
      {"Ab,bC->CA", {{3, 4}, {4, 5}}, {5, 3}},
      {"...ij,...jk->...ik", {{2, 1, 3, 4}, {5, 4, 2}}, {2, 5, 3, 2}},
      {"...k,...k->...", {{2, 1, 3}, {4, 3}}, {2, 4}},
      {"abc,cd,de->abe", {{2, 3, 4}, {4, 5}, {5, 3}}, {2, 3, 3}},
      {"ij,ij->ij", {{5, 7}, {5, 7}}, {5, 7}},
      {"iij->j", {{3, 3, 4}}, {4}},
      {",->", {{}, {}}, {}},
  };
  for (const auto &k : cases)
    for (DType t : {DType::F32, DType::F64})
      for (bool constantLast : {false, true}) {
        std::vector<Operand> inputs;
        for (const Shape &s : k.inputs)
          inputs.push_back({uniformOf(gen, t, s, -2, 2)});
        inputs.back().constant = constantLast;
        expectAgreement(einsumCase(k.equation, inputs, t, k.y),
                        k.equation + " " + dtypeName(t) + (constantLast ? " constant" : ""));
      }
}

TEST_F(OpSteps, EinsumOfAnEmptyInputIsZeros) {
  CIMLIR_SEEDED_RNG();
  for (DType t : {DType::F32, DType::F64})
    expectAgreement(
        einsumCase("ij,jk->ik",
                   {{uniformOf(gen, t, {2, 0}, -2, 2)}, {uniformOf(gen, t, {0, 3}, -2, 2)}}, t,
                   {2, 3}),
        std::string("an empty sum of ") + dtypeName(t));
}

TEST_F(OpSteps, EinsumRefusesWhatTheCpuKernelRefuses) {
  CIMLIR_SEEDED_RNG();
  auto f32 = [&](const Shape &s) { return Operand{uniformOf(gen, DType::F32, s, -2, 2)}; };
  const struct {
    OpCase c;
    std::string error;
  } cases[] = {
      {einsumCase("ij,jk->ik", {f32({2, 3}), f32({4, 5})}, DType::F32, {2, 5}),
       "Einsum: label 'j' has sizes 3 and 4"},
      {einsumCase("ij,jk->ik", {f32({2, 3}), f32({3, 5})}, DType::F32, {5, 2}),
       "Einsum: Y has shape [5,2], expected [2,5]"},
      {einsumCase("ij,jk->ik", {f32({2, 3}), {uniformOf(gen, DType::F64, {3, 5}, -2, 2)}},
                  DType::F32, {2, 5}),
       "Einsum: an input is float64, expected float32"},
      {einsumCase("ij->ji", {{randomInt64(gen, {2, 3}, -4, 4)}}, DType::I64, {3, 2}),
       "Einsum: takes float32 and float64, got int64"},
      {einsumCase("ij->ki", {f32({2, 3})}, DType::F32, {3, 2}),
       "Einsum: equation 'ij->ki' has an output label that no input has, or twice"},
  };
  for (const auto &k : cases)
    expectSameError(k.c, "step Einsum 'the_step': " + k.error);
}

} // namespace
} // namespace cimlir::runtimetest
