// The GatherElements, ScatterElements, GatherND, ScatterND, OneHot, TopK, Trilu, ArgMax, ArgMin and
// CumSum steps of another backend against the CPU backend's (OpStepTestUtil.h): the same bits
// (duplicate scatter updates, TopK's ties and CumSum's sums in the CPU's order), every index
// type, attribute and element type the CPU kernels take, and index errors worded alike.
#include "kernels/cpu/Cast.h"
#include "test/unit/runtime/OpStepTestUtil.h"

#include <cstdint>
#include <limits>

namespace cimlir::runtimetest {
namespace {

/// Integers in [lo, hi] as a tensor of `t` (converted as Cast converts them).
Tensor integers(std::mt19937 &gen, DType t, const Shape &shape, int64_t lo, int64_t hi) {
  Tensor out = Tensor::allocate(t, shape);
  cpu::cast(randomInt64(gen, shape, lo, hi), out);
  return out;
}

bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }

/// `t` (float32 or float64) with every `every`-th element NaN.
Tensor withNaNs(Tensor t, int64_t every) {
  for (int64_t i = every - 1; i < t.numel(); i += every) {
    if (t.dtype() == DType::F64)
      t.data<double>()[i] = std::nan("");
    else
      t.data<float>()[i] = std::nanf("");
  }
  return t;
}

/// Uniform values in [lo, hi) of a float type (float32 or float64).
Tensor floats(std::mt19937 &gen, DType t, const Shape &shape, double lo, double hi) {
  Tensor out = Tensor::allocate(t, shape);
  std::uniform_real_distribution<double> d(lo, hi);
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (t == DType::F64)
      out.data<double>()[i] = d(gen);
    else
      out.data<float>()[i] = static_cast<float>(d(gen));
  }
  return out;
}

/// Values of a numeric type (float32, float64, int32, int64) for arithmetic: floats in [-2, 2)
/// whose sums and products round, every `nanEvery`-th NaN (0: none); integers that wrap.
Tensor operands(std::mt19937 &gen, DType t, const Shape &shape, int64_t nanEvery = 0) {
  if (!isFloat(t))
    return integers(gen, t, shape, -2000000000, 2000000000);
  Tensor f = floats(gen, t, shape, -2, 2);
  return nanEvery ? withNaNs(f, nanEvery) : f;
}

/// An int64 tensor's values as int32.
Tensor narrowed(const Tensor &t) {
  Tensor out = Tensor::allocate(DType::I32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i)
    out.data<int32_t>()[i] = static_cast<int32_t>(t.data<int64_t>()[i]);
  return out;
}

/// Row-major `shape` with `axis` set to `extent`.
Shape withAxis(Shape shape, int64_t axis, int64_t extent) {
  shape[static_cast<size_t>(axis)] = extent;
  return shape;
}

const char *const kReductions[] = {"none", "add", "mul", "max", "min"};

TEST_F(OpSteps, GatherElementsAndScatterElementsAlongEveryAxis) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 4, 5};
  for (int64_t axis = 0; axis < 3; ++axis) {
    // More indices than X has along the axis (duplicates), fewer elsewhere; negative ones too.
    Shape is{2, 3, 4};
    is[static_cast<size_t>(axis)] = 7;
    const int64_t dim = x[static_cast<size_t>(axis)];
    const DType indexType = axis % 2 ? DType::I32 : DType::I64;
    const Tensor indices = integers(gen, indexType, is, -dim, dim - 1);
    const std::string where = " axis " + std::to_string(axis) + " " + dtypeName(indexType);
    for (DType t : {DType::F32, DType::I64, DType::U8, DType::Bool}) {
      const int64_t lo = t == DType::Bool ? 0 : -50, hi = t == DType::Bool ? 1 : 50;
      OpCase gather{"GatherElements",
                    {{"axis", axis}},
                    {{integers(gen, t, x, lo, hi)}, {indices, t == DType::I64}}};
      gather.outputs = {{t, is}};
      expectAgreement(gather, std::string("GatherElements ") + dtypeName(t) + where);
      OpCase scatter{"ScatterElements",
                     {{"axis", axis}, {"reduction", "none"}},
                     {{integers(gen, t, x, lo, hi)}, {indices}, {integers(gen, t, is, lo, hi)}}};
      scatter.outputs = {{t, x}};
      expectAgreement(scatter, std::string("ScatterElements none ") + dtypeName(t) + where);
    }
    for (const char *reduction : kReductions)
      for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64}) {
        // Duplicates combine in order (float sums round differently in another); NaN updates
        // test max's and min's std::max/std::min order.
        OpCase c{"ScatterElements",
                 {{"axis", axis}, {"reduction", reduction}},
                 {{operands(gen, t, x)}, {indices, axis == 1}, {operands(gen, t, is, 11)}}};
        c.outputs = {{t, x}};
        expectAgreement(c,
                        std::string("ScatterElements ") + reduction + " " + dtypeName(t) + where);
      }
  }
}

TEST_F(OpSteps, GatherNDAndScatterNDWithBatchAxesAndDuplicates) {
  CIMLIR_SEEDED_RNG();
  const Shape x{2, 3, 4, 5};
  const struct {
    int64_t batchDims;
    Shape indices;
  } gathers[] = {{0, {6, 1}},    {0, {2, 3, 2}},    {0, {7, 4}},
                 {1, {2, 5, 2}}, {2, {2, 3, 4, 1}}, {1, {2, 3}}};
  for (const auto &g : gathers) {
    const int64_t m = g.indices.back();
    // Each tuple entry in range of its axis (negative from the end).
    Tensor indices = Tensor::allocate(DType::I64, g.indices);
    for (int64_t i = 0; i < indices.numel(); ++i) {
      const int64_t dim = x[static_cast<size_t>(g.batchDims + i % m)];
      indices.data<int64_t>()[i] = randInt(gen, -dim, dim - 1);
    }
    Shape y(g.indices.begin(), g.indices.end() - 1);
    y.insert(y.end(), x.begin() + g.batchDims + m, x.end());
    for (bool narrow : {false, true}) {
      OpCase c{"GatherND",
               {{"batch_dims", g.batchDims}},
               {{randomF32(gen, x)}, {narrow ? narrowed(indices) : indices}}};
      c.outputs = {{DType::F32, y}};
      expectAgreement(c, "GatherND batch_dims " + std::to_string(g.batchDims) + " indices " +
                             shapeToString(g.indices) + (narrow ? " int32" : " int64"));
    }
  }
  // ScatterND: more tuples than slices, so that several land on one slice, in order.
  const Shape data{4, 5, 3};
  for (int64_t m = 1; m <= 3; ++m) {
    const int64_t tuples = 9;
    Tensor indices = Tensor::allocate(DType::I32, {tuples, m});
    for (int64_t i = 0; i < indices.numel(); ++i) {
      const int64_t dim = data[static_cast<size_t>(i % m)];
      indices.data<int32_t>()[i] = static_cast<int32_t>(randInt(gen, -dim, dim - 1));
    }
    Shape updates{tuples};
    updates.insert(updates.end(), data.begin() + m, data.end());
    for (const char *reduction : kReductions)
      for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64}) {
        OpCase c{"ScatterND",
                 {{"reduction", reduction}},
                 {{operands(gen, t, data)}, {indices, m == 2}, {operands(gen, t, updates, 7)}}};
        c.outputs = {{t, data}};
        expectAgreement(c, "ScatterND " + std::string(reduction) + " " + dtypeName(t) + " m " +
                               std::to_string(m));
      }
    OpCase bytes{"ScatterND",
                 {{"reduction", "none"}},
                 {{integers(gen, DType::U8, data, 0, 255)},
                  {indices},
                  {integers(gen, DType::U8, updates, 0, 255)}}};
    bytes.outputs = {{DType::U8, data}};
    expectAgreement(bytes, "ScatterND uint8 m " + std::to_string(m));
  }
}

/// The one-line error of `c` on `backend`, which must name `message`; the next batch, with the
/// bad index at `at` of input 1 replaced by 0, runs.
void expectIndexError(OpCase c, int64_t at, const std::string &message) {
  TempDir dir;
  const std::string path = writePlan(c, dir.file("bad.bin"));
  for (const std::string &backend : {testBackend(), std::string("cpu")}) {
    Executor ex(Program::load(path), createBackend(backend, {}));
    EXPECT_EQ(errorOf([&] { ex.run(activations(c)); }), message) << backend;
    OpCase good = c;
    good.inputs[1].value = c.inputs[1].value.clone();
    if (good.inputs[1].value.dtype() == DType::I64)
      good.inputs[1].value.data<int64_t>()[at] = 0;
    else
      good.inputs[1].value.data<int32_t>()[at] = 0;
    EXPECT_NO_THROW(ex.run(activations(good))) << backend;
  }
}

TEST_F(OpSteps, IndexOutOfRangeIsTheCpuKernelsError) {
  CIMLIR_SEEDED_RNG();
  Tensor elements = integers(gen, DType::I64, {3, 4}, -3, 2);
  elements.data<int64_t>()[6] = -4;
  OpCase gather{"GatherElements", {{"axis", 0}}, {{randomF32(gen, {3, 4})}, {elements}}};
  gather.outputs = {{DType::F32, {3, 4}}};
  expectIndexError(gather, 6,
                   "step GatherElements 'the_step': GatherElements: index -4 is out of range for "
                   "an axis of 3");
  Tensor along = integers(gen, DType::I32, {2, 5}, -4, 3);
  along.data<int32_t>()[7] = 4;
  OpCase scatter{"ScatterElements",
                 {{"axis", 1}, {"reduction", "add"}},
                 {{randomF32(gen, {2, 4})}, {along}, {randomF32(gen, {2, 5})}}};
  scatter.outputs = {{DType::F32, {2, 4}}};
  expectIndexError(scatter, 7,
                   "step ScatterElements 'the_step': ScatterElements: index 4 is out of range "
                   "for an axis of 4");
  Tensor tuples = integers(gen, DType::I64, {3, 2}, 0, 1);
  tuples.data<int64_t>()[3] = 5;
  OpCase gatherND{"GatherND", {{"batch_dims", 0}}, {{randomF32(gen, {2, 5, 3})}, {tuples}}};
  gatherND.outputs = {{DType::F32, {3, 3}}};
  expectIndexError(gatherND, 3,
                   "step GatherND 'the_step': GatherND: index 5 is out of range for an axis of 5");
  Tensor rows = integers(gen, DType::I32, {4, 1}, 0, 1);
  rows.data<int32_t>()[2] = -3;
  OpCase scatterND{"ScatterND",
                   {{"reduction", "none"}},
                   {{randomF32(gen, {2, 5})}, {rows}, {randomF32(gen, {4, 5})}}};
  scatterND.outputs = {{DType::F32, {2, 5}}};
  expectIndexError(scatterND, 2,
                   "step ScatterND 'the_step': ScatterND: index -3 is out of range for an axis "
                   "of 2");
}

TEST_F(OpSteps, OneHotOfEveryIndexTypeAndAxis) {
  CIMLIR_SEEDED_RNG();
  const Shape is{3, 4};
  const int64_t depth = 5;
  // Indices from -7 to 7 (floats truncated): negative ones from the depth, some outside it (a
  // row of off).
  for (DType t : {DType::I64, DType::I32, DType::F32, DType::F64})
    for (int64_t axis = 0; axis <= 2; ++axis) {
      Tensor indices = isFloat(t) ? floats(gen, t, is, -7.9, 7.9) : integers(gen, t, is, -7, 7);
      Tensor values = axis == 1 ? integers(gen, DType::I64, {2}, -9, 9) : randomF32(gen, {2});
      Shape y = is;
      y.insert(y.begin() + axis, depth);
      OpCase c{"OneHot", {{"depth", depth}, {"axis", axis}}, {{indices}, {values, axis != 2}}};
      c.outputs = {{values.dtype(), y}};
      expectAgreement(c, std::string("OneHot ") + dtypeName(t) + " axis " + std::to_string(axis));
    }
}

TEST_F(OpSteps, TopKWithTiesAndNaNInTheCpuOrder) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 17, 4};
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64})
    for (int64_t axis = 0; axis < 3; ++axis)
      for (bool largest : {true, false}) {
        // Few distinct values: many ties; NaN in the floats.
        Tensor input = integers(gen, t, x, -2, 2);
        if (isFloat(t))
          input = withNaNs(input, 13);
        const int64_t len = x[static_cast<size_t>(axis)];
        for (int64_t k : {int64_t(1), len / 2, len}) {
          OpCase c{"TopK", {{"k", k}, {"axis", axis}, {"largest", largest ? 1 : 0}}, {{input}}};
          const Shape y = withAxis(x, axis, k);
          c.outputs = {{t, y}, {DType::I64, y}};
          expectAgreement(c, std::string("TopK ") + dtypeName(t) + " axis " + std::to_string(axis) +
                                 " k " + std::to_string(k) + (largest ? " largest" : " smallest"));
        }
      }
}

TEST_F(OpSteps, TriluBothTrianglesAnyDiagonal) {
  CIMLIR_SEEDED_RNG();
  const Shape x{2, 3, 5, 4};
  const int64_t diagonals[] = {std::numeric_limits<int64_t>::min(), -7, -1, 0, 2, 9,
                               std::numeric_limits<int64_t>::max()};
  for (DType t : {DType::F32, DType::I64, DType::U16, DType::Bool})
    for (int upper : {0, 1})
      for (int64_t k : diagonals) {
        OpCase c{"Trilu", {{"upper", upper}, {"k", k}}, {{integers(gen, t, x, 1, 60)}}};
        c.outputs = {{t, x}};
        expectAgreement(c, std::string("Trilu ") + dtypeName(t) + " upper " +
                               std::to_string(upper) + " k " + std::to_string(k));
      }
}

TEST_F(OpSteps, ArgMaxArgMinWithTiesLastIndexAndNaN) {
  CIMLIR_SEEDED_RNG();
  const Shape x{4, 6, 5};
  const DType types[] = {DType::F32, DType::F64, DType::I8,  DType::U8,
                         DType::I16, DType::U16, DType::I32, DType::I64};
  for (const char *op : {"ArgMax", "ArgMin"})
    for (DType t : types)
      for (int64_t axis = 0; axis < 3; ++axis)
        for (int keep : {0, 1})
          for (int last : {0, 1}) {
            // Few distinct values (ties); every 9th float NaN.
            Tensor input = integers(gen, t, x, 0, 3);
            if (isFloat(t))
              input = withNaNs(input, 9);
            OpCase c{
                op, {{"axis", axis}, {"keepdims", keep}, {"select_last_index", last}}, {{input}}};
            Shape y = x;
            if (keep)
              y[static_cast<size_t>(axis)] = 1;
            else
              y.erase(y.begin() + axis);
            c.outputs = {{DType::I64, y}};
            expectAgreement(c, std::string(op) + " " + dtypeName(t) + " axis " +
                                   std::to_string(axis) + " keepdims " + std::to_string(keep) +
                                   " select_last_index " + std::to_string(last));
          }
}

TEST_F(OpSteps, CumSumExclusiveReverseInTheCpuOrder) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 40, 6};
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64})
    for (int64_t axis = 0; axis < 3; ++axis)
      for (int exclusive : {0, 1})
        for (int reverse : {0, 1}) {
          // Floats of mixed magnitudes (sums round); integers that wrap.
          OpCase c{"CumSum",
                   {{"axis", axis}, {"exclusive", exclusive}, {"reverse", reverse}},
                   {{isFloat(t) ? floats(gen, t, x, -1e4, 1e4) : operands(gen, t, x)}}};
          c.outputs = {{t, x}};
          expectAgreement(c, std::string("CumSum ") + dtypeName(t) + " axis " +
                                 std::to_string(axis) + " exclusive " + std::to_string(exclusive) +
                                 " reverse " + std::to_string(reverse));
        }
}

} // namespace
} // namespace cimlir::runtimetest
