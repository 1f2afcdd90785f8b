// The elementwise steps of another backend against the CPU backend's in every element type the
// CPU kernels take (OpStepTestUtil.h): the binary ops (and Mod, fmod both ways) in float64 and
// the integer types, Relu, Clip, IsNaN, IsInf and the Reduce ops in float64, int32 and int64
// (the unary ops in every type: OpStepTest.cpp); and an integer division by
// zero, refused by both backends.
#include "kernels/cpu/Elementwise.h"
#include "kernels/cpu/Reduce.h"
#include "test/unit/runtime/OpStepTestUtil.h"

#include <limits>

namespace cimlir::runtimetest {
namespace {

bool isUnsigned(DType t) { return t == DType::U8 || t == DType::U16; }
bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }

const DType kNumberTypes[] = {DType::F32, DType::F64, DType::I8,  DType::U8,
                              DType::I16, DType::U16, DType::I32, DType::I64};

TEST_F(OpSteps, BinaryOpsInEveryNumberType) {
  CIMLIR_SEEDED_RNG();
  const std::pair<const char *, int> ops[] = {{"Add", 0}, {"Sub", 0}, {"Mul", 0}, {"Div", 0},
                                              {"Max", 0}, {"Min", 0}, {"Pow", 0}, {"PRelu", 0},
                                              {"Mod", 0}, {"Mod", 1}};
  for (DType t : kNumberTypes)
    for (const auto &[op, fmod] : ops) {
      const std::string name = std::string(op) + (fmod ? " fmod" : "") + " " + dtypeName(t);
      const bool pow = std::string(op) == "Pow";
      const double lo = isUnsigned(t) || (pow && isFloat(t)) ? 0.5 : -60, hi = pow ? 3 : 60;
      const Shape ya{3, randInt(gen, 1, 5), randInt(gen, 1, 40)};
      const Shape yb{ya[1], 1}; // broadcast along the last axis
      OpCase c{op,
               json::object(),
               {{uniformOf(gen, t, ya, lo, isFloat(t) && pow ? 3 : 60)},
                {uniformOf(gen, t, yb, pow ? (isFloat(t) ? -2 : 0) : lo, hi, true),
                 randInt(gen, 0, 1) == 1}}};
      if (std::string(op) == "Mod")
        c.attrs["fmod"] = fmod;
      c.outputs = {{t, ya}};
      if (pow && isFloat(t)) { // CUDA's pow is within 2 ulp of the C library's
        c.rtol = 1e-6;
        c.atol = 1e-30;
      }
      expectAgreement(c, name);
    }
}

TEST_F(OpSteps, IntegerDivisionByZeroIsRefusedByBothBackends) {
  CIMLIR_SEEDED_RNG();
  for (const char *op : {"Div", "Mod"}) {
    OpCase c{op,
             std::string(op) == "Mod" ? json{{"fmod", 0}} : json::object(),
             {{uniformOf(gen, DType::I32, {4, 6}, -50, 50)},
              {uniformOf(gen, DType::I32, {6}, -9, 9, true)}}};
    c.outputs = {{DType::I32, {4, 6}}};
    expectAgreement(c, std::string(op) + " int32");
    c.inputs[1].value.data<int32_t>()[2] = 0;
    TempDir dir;
    const std::string path = writePlan(c, dir.file("bad.bin"));
    for (const std::string &backend : {testBackend(), std::string("cpu")}) {
      Executor ex(Program::load(path), createBackend(backend, {}));
      const std::string error = errorOf([&] { ex.run(activations(c)); });
      EXPECT_TRUE(containsAll(error, {"step ", op, "'the_step'", "integer division by zero"}))
          << backend << ": " << error;
    }
  }
}

TEST_F(OpSteps, ReluClipAndClassifyInEveryType) {
  CIMLIR_SEEDED_RNG();
  for (DType t : {DType::F64, DType::I8, DType::I16, DType::I32, DType::I64}) {
    OpCase relu{"Relu", json::object(), {{uniformOf(gen, t, {7, 33}, -100, 100)}}};
    relu.outputs = {{t, {7, 33}}};
    expectAgreement(relu, std::string("Relu ") + dtypeName(t));
  }
  for (DType t : kNumberTypes) {
    const double lo = isUnsigned(t) ? 0 : -100;
    OpCase clip{"Clip",
                json::object(),
                {{uniformOf(gen, t, {5, 21}, lo, 100)},
                 {uniformOf(gen, t, {}, lo, lo + 40), true},
                 {uniformOf(gen, t, {}, 50, 90)}}};
    clip.outputs = {{t, {5, 21}}};
    expectAgreement(clip, std::string("Clip ") + dtypeName(t));
  }
  for (DType t : {DType::F32, DType::F64}) {
    Tensor x = uniformOf(gen, t, {4, 9}, -5, 5);
    // NaN, +inf and -inf among the values.
    const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity()};
    for (int i = 0; i < 3; ++i) {
      if (t == DType::F32)
        x.data<float>()[i * 7] = static_cast<float>(specials[i]);
      else
        x.data<double>()[i * 7] = specials[i];
    }
    OpCase nan{"IsNaN", json::object(), {{x}}};
    nan.outputs = {{DType::Bool, {4, 9}}};
    expectAgreement(nan, std::string("IsNaN ") + dtypeName(t));
    for (int negative : {0, 1})
      for (int positive : {0, 1}) {
        OpCase inf{"IsInf", {{"detect_negative", negative}, {"detect_positive", positive}}, {{x}}};
        inf.outputs = {{DType::Bool, {4, 9}}};
        expectAgreement(inf, std::string("IsInf ") + dtypeName(t));
      }
  }
}

TEST_F(OpSteps, ReductionsInFloat64AndTheIntegers) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 5, 4};
  const std::vector<std::vector<int64_t>> axesCases = {{2}, {0, 2}, {1}, {}};
  for (size_t i = 0; i < cpu::reduceOpTypes().size(); ++i) {
    const auto op = static_cast<cpu::ReduceOp>(i);
    for (DType t : {DType::F64, DType::I32, DType::I64}) {
      if (!cpu::reduceTakes(op, t))
        continue;
      for (const std::vector<int64_t> &axes : axesCases)
        for (int keep : {0, 1}) {
          Shape y = cpu::reducedShape(x, axes, keep != 0);
          OpCase c{cpu::reduceOpTypes()[i],
                   {{"axes", axes}, {"keepdims", keep}},
                   {{uniformOf(gen, t, x, isFloat(t) ? 0.1 : -9, 9)}}};
          c.outputs = {{t, y}};
          if (op == cpu::ReduceOp::LogSum || op == cpu::ReduceOp::LogSumExp) {
            c.rtol = 1e-15; // CUDA's exp and log are within 1 ulp of the C library's
            c.atol = 1e-300;
          }
          expectAgreement(c, cpu::reduceOpTypes()[i] + " " + dtypeName(t) + " over " +
                                 std::to_string(axes.size()) + " axes");
        }
    }
  }
}

} // namespace
} // namespace cimlir::runtimetest
