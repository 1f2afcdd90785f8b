// Einsum against the products written out for each form: a batched matrix product, the
// implicit output, a broadcast "...", a trace; and the equations it refuses.
#include "kernels/cpu/Einsum.h"

#include "KernelTestUtil.h"
#include "test/unit/common/ErrorOf.h"

namespace cimlir::cpu {
namespace {

TEST(Einsum, FormsAgainstWrittenOutProducts) {
  CIMLIR_RANDOM_TEST();
  Tensor a = rng.f32({2, 3, 4}), b = rng.f32({2, 4, 5}),
         y = Tensor::allocate(DType::F32, {2, 3, 5});
  einsum("bij,bjk->bik", {&a, &b}, y);
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 5; ++k) {
        double want = 0;
        for (int j = 0; j < 4; ++j)
          want +=
              double(a.data<float>()[(n * 3 + i) * 4 + j]) * b.data<float>()[(n * 4 + j) * 5 + k];
        ASSERT_NEAR(y.data<float>()[(n * 3 + i) * 5 + k], want, 1e-5);
      }
  // Implicit output: "ji" has no "->", so the output is the labels used once, sorted: "ij".
  Tensor m = rng.f32({3, 4}), t = Tensor::allocate(DType::F32, {4, 3});
  einsum("ji", {&m}, t);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      ASSERT_EQ(t.data<float>()[i * 3 + j], m.data<float>()[j * 4 + i]);
  // "..." broadcast: [2, 1, 3] with [4, 3] over k.
  Tensor p = rng.f32({2, 1, 3}), q = rng.f32({4, 3}), r = Tensor::allocate(DType::F32, {2, 4});
  einsum("...k,...k->...", {&p, &q}, r);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      double want = 0;
      for (int k = 0; k < 3; ++k)
        want += double(p.data<float>()[i * 3 + k]) * q.data<float>()[j * 3 + k];
      ASSERT_NEAR(r.data<float>()[i * 4 + j], want, 1e-5);
    }
  // A trace: a label twice in one term.
  Tensor sq = rng.f32({4, 4}), tr = Tensor::allocate(DType::F32, {});
  einsum("ii->", {&sq}, tr);
  double want = 0;
  for (int i = 0; i < 4; ++i)
    want += sq.data<float>()[i * 5];
  EXPECT_NEAR(tr.data<float>()[0], want, 1e-5);
}

TEST(Einsum, RefusesWhatDoesNotFit) {
  EinsumSpec spec;
  EXPECT_NE(parseEinsum("ij,jk->ik", {{2, 3}, {4, 5}}, spec).find("sizes 3 and 4"),
            std::string::npos);
  EXPECT_NE(parseEinsum("ij->ik", {{2, 3}}, spec).find("no input has"), std::string::npos);
  EXPECT_NE(parseEinsum("ij,jk", {{2, 3}}, spec).find("2 terms for 1 inputs"), std::string::npos);
  EXPECT_NE(parseEinsum("i1->i", {{2, 3}}, spec).find("not letters"), std::string::npos);
  EXPECT_NE(parseEinsum("ijk->i", {{2, 3}}, spec).find("does not fit"), std::string::npos);
}

} // namespace
} // namespace cimlir::cpu
