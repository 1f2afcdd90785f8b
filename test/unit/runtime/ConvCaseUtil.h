// Convolution cases for the CIM and digital step tests: random geometries (groups, pads,
// strides, dilations; 2-D or 1-D), their attributes as the compiler writes them, one-step
// plans, and the test's own im2col (row oy·OW + ox, K index (c·kh + dy)·kw + dx) and
// per-group weight matrices, written out here rather than taken from the runtime.
#pragma once

#include "test/unit/runtime/RuntimeTestUtil.h"

#include <random>
#include <string>
#include <vector>

namespace cimlir::runtimetest {

struct ConvCase {
  int64_t C = 1, M = 1, groups = 1, H = 1, W = 1, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool oneD = false; // W == kw == 1 axis dropped: x [N, C, H]
  Tensor w, bias;
  int64_t OH() const { return (H + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t OW() const { return oneD ? 1 : (W + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
  int64_t K() const { return C / groups * kh * kw; }
  int64_t Ng() const { return M / groups; }
};

/// One spatial axis: kernel extent, dilation, stride, pads and an input extent the dilated
/// kernel fits in.
inline void randomAxis(std::mt19937 &gen, int64_t &k, int64_t &d, int64_t &s, int64_t &padBegin,
                       int64_t &padEnd, int64_t &extent) {
  k = randInt(gen, 1, 3);
  d = randInt(gen, 1, 2);
  s = randInt(gen, 1, 2);
  padBegin = randInt(gen, 0, 2);
  padEnd = randInt(gen, 0, 2);
  extent = randInt(gen, d * (k - 1) + 1, 9);
}

inline ConvCase randomConv(std::mt19937 &gen, bool oneD) {
  ConvCase c;
  c.oneD = oneD;
  c.groups = randInt(gen, 1, 3);
  c.C = c.groups * randInt(gen, 1, 3);
  c.M = c.groups * randInt(gen, 1, 4);
  randomAxis(gen, c.kh, c.dh, c.sh, c.pt, c.pb, c.H);
  if (!oneD)
    randomAxis(gen, c.kw, c.dw, c.sw, c.pl, c.pr, c.W);
  c.w = randomF32(gen,
                  oneD ? Shape{c.M, c.C / c.groups, c.kh} : Shape{c.M, c.C / c.groups, c.kh, c.kw});
  c.bias = randomF32(gen, {c.M});
  return c;
}

inline json convAttrs(const ConvCase &c) {
  if (c.oneD)
    return {
        {"strides", {c.sh}}, {"pads", {c.pt, c.pb}}, {"dilations", {c.dh}}, {"group", c.groups}};
  return {{"strides", {c.sh, c.sw}},
          {"pads", {c.pt, c.pl, c.pb, c.pr}},
          {"dilations", {c.dh, c.dw}},
          {"group", c.groups}};
}

/// A one-step plan: `op` on x [-1, C, H(, W)], the constant W and optionally the bias.
inline void writeConvStep(const ConvCase &c, const std::string &op, const json &attrs,
                          bool withBias, const std::string &path,
                          const std::string &name = "/conv/Conv") {
  PlanBuilder b;
  int64_t x = b.input("x", DType::F32, c.oneD ? Shape{-1, c.C, c.H} : Shape{-1, c.C, c.H, c.W});
  int64_t wId = b.constant("w", c.w);
  std::vector<int64_t> ins = {x, wId};
  if (withBias)
    ins.push_back(b.constant("b", c.bias));
  int64_t y =
      b.value("y", DType::F32, c.oneD ? Shape{-1, c.M, c.OH()} : Shape{-1, c.M, c.OH(), c.OW()});
  b.step(op, name, ins, {y}, attrs);
  b.output("y", y);
  b.write(path);
}

/// The test's own im2col of image n, group g: row oy·OW + ox, K index (c·kh + dy)·kw + dx.
inline std::vector<float> patches(const ConvCase &c, const Tensor &x, int64_t n, int64_t g) {
  const int64_t cg = c.C / c.groups, OH = c.OH(), OW = c.OW(), K = c.K();
  std::vector<float> out(static_cast<size_t>(OH * OW * K), 0.0f);
  for (int64_t oy = 0; oy < OH; ++oy)
    for (int64_t ox = 0; ox < OW; ++ox)
      for (int64_t ch = 0; ch < cg; ++ch)
        for (int64_t dy = 0; dy < c.kh; ++dy)
          for (int64_t dx = 0; dx < c.kw; ++dx) {
            int64_t iy = oy * c.sh - c.pt + dy * c.dh, ix = ox * c.sw - c.pl + dx * c.dw;
            if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W)
              continue;
            int64_t channel = g * cg + ch;
            out[(oy * OW + ox) * K + (ch * c.kh + dy) * c.kw + dx] =
                x.data<float>()[((n * c.C + channel) * c.H + iy) * c.W + ix];
          }
  return out;
}

/// W_g [K, N/g]: column j is output channel g·Ng + j, flattened.
inline std::vector<float> groupWeights(const ConvCase &c, int64_t g) {
  const int64_t K = c.K(), Ng = c.Ng();
  std::vector<float> out(static_cast<size_t>(K * Ng));
  for (int64_t j = 0; j < Ng; ++j)
    for (int64_t k = 0; k < K; ++k)
      out[k * Ng + j] = c.w.data<float>()[(g * Ng + j) * K + k];
  return out;
}

/// The test's im2col of every image of x for group g, stacked: row n·P + p.
inline std::vector<float> stackedPatches(const ConvCase &c, const Tensor &x, int64_t g) {
  std::vector<float> out;
  for (int64_t n = 0; n < x.dim(0); ++n) {
    std::vector<float> r = patches(c, x, n, g);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

} // namespace cimlir::runtimetest
