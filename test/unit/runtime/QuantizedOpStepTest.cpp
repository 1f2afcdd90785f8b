// The integer and dynamic-quantization steps of another backend against the CPU backend's
// (OpStepTestUtil.h): MatMulInteger with batch broadcasting and zero points per tensor, per row
// and per column (constants or activations), ConvInteger over 1 to 3 spatial axes with groups,
// strides, dilations and pads, QuantizeLinear and DequantizeLinear whose scale and zero point
// are computed at run time; all exact, so the outputs are the same bits. And the ONNX
// ConvTranspose op in float32, in the CPU's order of additions: the same bits too.
#include "test/unit/runtime/OpStepTestUtil.h"

namespace cimlir::runtimetest {
namespace {

/// int8 in [-128, 127] or uint8 in [0, 255].
Tensor randomInt8(std::mt19937 &gen, DType t, const Shape &shape) {
  return t == DType::I8 ? uniformOf(gen, t, shape, -128, 127) : uniformOf(gen, t, shape, 0, 255);
}

TEST_F(OpSteps, MatMulIntegerWithEveryZeroPointLayout) {
  CIMLIR_SEEDED_RNG();
  struct Shapes {
    Shape a, b, y;
  };
  const Shapes cases[] = {{{5, 7}, {7, 3}, {5, 3}},
                          {{2, 3, 9, 40}, {40, 17}, {2, 3, 9, 17}},
                          {{4, 1, 6, 8}, {3, 8, 5}, {4, 3, 6, 5}},
                          {{1, 33}, {33, 300}, {1, 300}}};
  for (const Shapes &s : cases)
    for (DType ta : {DType::U8, DType::I8})
      for (DType tb : {DType::I8, DType::U8})
        for (int layout = 0; layout < 3; ++layout) {
          const int64_t M = s.a[s.a.size() - 2], N = s.b.back();
          // 0: one zero point each; 1: per row of A and per column of B; 2: 1 as activations.
          const Shape za = layout == 0 ? Shape{} : Shape{M}, zb = layout == 0 ? Shape{} : Shape{N};
          OpCase c{"MatMulInteger",
                   json::object(),
                   {{randomInt8(gen, ta, s.a)},
                    {randomInt8(gen, tb, s.b), layout != 2},
                    {randomInt8(gen, ta, za), layout != 2},
                    {randomInt8(gen, tb, zb), layout != 2}}};
          c.outputs = {{DType::I32, s.y}};
          expectAgreement(c, "MatMulInteger " + shapeToString(s.a) + " x " + shapeToString(s.b) +
                                 " " + dtypeName(ta) + " " + dtypeName(tb) + " layout " +
                                 std::to_string(layout));
        }
}

TEST_F(OpSteps, ConvIntegerOverOneToThreeAxes) {
  CIMLIR_SEEDED_RNG();
  for (int spatial = 1; spatial <= 3; ++spatial)
    for (DType tx : {DType::U8, DType::I8}) {
      const ConvCase k = randomConv(gen, spatial);
      const DType tw = randInt(gen, 0, 1) ? DType::I8 : DType::U8;
      const bool perChannel = randInt(gen, 0, 1) == 1;
      OpCase c{"ConvInteger",
               k.attrs,
               {{randomInt8(gen, tx, k.x)},
                {randomInt8(gen, tw, k.w), true},
                {randomInt8(gen, tx, {}), true},
                {randomInt8(gen, tw, perChannel ? Shape{k.w[0]} : Shape{}), true}}};
      c.outputs = {{DType::I32, k.y}};
      expectAgreement(c, "ConvInteger " + shapeToString(k.x) + " * " + shapeToString(k.w));
    }
}

TEST_F(OpSteps, DynamicQuantizationWithScalesComputedAtRunTime) {
  CIMLIR_SEEDED_RNG();
  const Shape x{3, 4, 5};
  for (DType t : {DType::U8, DType::I8})
    for (bool perAxis : {false, true})
      for (bool withZero : {true, false}) {
        const Shape scales = perAxis ? Shape{4} : Shape{};
        // The scale and zero point are activations (DynamicQuantizeLinear's are).
        OpCase q{"QuantizeLinear",
                 {{"axis", 1}},
                 {{randomF32(gen, x, -40, 40)}, {randomF32(gen, scales, 0.05, 0.5)}}};
        if (withZero)
          q.inputs.push_back({randomInt8(gen, t, scales)});
        q.outputs = {{t, x}};
        expectAgreement(q, std::string("QuantizeLinear to ") + dtypeName(t));
        OpCase d{"DequantizeLinear",
                 {{"axis", 1}},
                 {{randomInt8(gen, t, x)}, {randomF32(gen, scales, 0.05, 0.5)}}};
        if (withZero)
          d.inputs.push_back({randomInt8(gen, t, scales)});
        d.outputs = {{DType::F32, x}};
        expectAgreement(d, std::string("DequantizeLinear of ") + dtypeName(t));
      }
}

TEST_F(OpSteps, ConvTransposeOpInTheCpuOrder) {
  CIMLIR_SEEDED_RNG();
  for (int spatial = 1; spatial <= 3; ++spatial)
    for (bool constantW : {true, false}) {
      const int64_t groups = randInt(gen, 1, 2), C = groups * randInt(gen, 1, 3),
                    Mg = randInt(gen, 1, 3);
      Shape x{randInt(gen, 1, 2), C}, w{C, Mg}, y{x[0], groups * Mg};
      std::vector<int64_t> strides, dilations, pads(2 * static_cast<size_t>(spatial));
      for (int d = 0; d < spatial; ++d) {
        const int64_t in = randInt(gen, 2, 6), k = randInt(gen, 1, 3);
        strides.push_back(randInt(gen, 1, 3));
        dilations.push_back(randInt(gen, 1, 2));
        const int64_t begin = randInt(gen, 0, 1), end = randInt(gen, 0, 1);
        pads[static_cast<size_t>(d)] = begin;
        pads[static_cast<size_t>(spatial + d)] = end;
        x.push_back(in);
        w.push_back(k);
        y.push_back((in - 1) * strides.back() + (k - 1) * dilations.back() + 1 - begin - end);
      }
      OpCase c{
          "ConvTranspose",
          {{"strides", strides}, {"dilations", dilations}, {"pads", pads}, {"group", groups}},
          {{randomF32(gen, x)}, {randomF32(gen, w), constantW}, {randomF32(gen, {y[1]}), true}}};
      c.outputs = {{DType::F32, y}};
      expectAgreement(c, "ConvTranspose " + shapeToString(x) + " * " + shapeToString(w));
    }
}

} // namespace
} // namespace cimlir::runtimetest
