#include "kernels/cpu/Conv.h"

#include "KernelTestUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {
namespace {

using test::expectClose;
using test::Rng;

struct ConvCase {
  int64_t n, c, m, group;
  Shape in, kernel; // spatial extents, 1 to 3 axes
  ConvParams p;
  bool bias;
};

Shape outShape(const ConvCase &cc) {
  Shape y = {cc.n, cc.m};
  size_t k = cc.in.size();
  for (size_t i = 0; i < k; ++i) {
    int64_t span = cc.p.dilations[i] * (cc.kernel[i] - 1) + 1;
    y.push_back((cc.in[i] + cc.p.pads[i] + cc.p.pads[k + i] - span) / cc.p.strides[i] + 1);
  }
  return y;
}

/// The textbook convolution: 1-D and 2-D cases are lifted to 3-D with unit leading axes,
/// then every output is a direct sum over (c, kd, kh, kw) with explicit padding tests.
std::vector<double> naiveConv(const ConvCase &cc, const Tensor &x, const Tensor &w, const Tensor *b,
                              const Shape &ys, std::vector<double> &mag) {
  size_t k = cc.in.size(), lift = 3 - k;
  int64_t in[3], ker[3], out[3], st[3], pb[3], dl[3];
  for (size_t i = 0; i < 3; ++i) {
    bool real = i >= lift;
    size_t j = i - lift;
    in[i] = real ? cc.in[j] : 1;
    ker[i] = real ? cc.kernel[j] : 1;
    out[i] = real ? ys[2 + j] : 1;
    st[i] = real ? cc.p.strides[j] : 1;
    pb[i] = real ? cc.p.pads[j] : 0;
    dl[i] = real ? cc.p.dilations[j] : 1;
  }
  int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
  const float *xv = x.data<float>(), *wv = w.data<float>();
  std::vector<double> y(static_cast<size_t>(shapeNumel(ys)));
  mag.assign(y.size(), 0.0);
  size_t idx = 0;
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t m = 0; m < cc.m; ++m)
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh)
          for (int64_t ow = 0; ow < out[2]; ++ow, ++idx) {
            double s = b ? b->data<float>()[m] : 0.0;
            double sm = std::fabs(s);
            int64_t g = m / mg;
            for (int64_t c = 0; c < cg; ++c)
              for (int64_t kd = 0; kd < ker[0]; ++kd)
                for (int64_t kh = 0; kh < ker[1]; ++kh)
                  for (int64_t kw = 0; kw < ker[2]; ++kw) {
                    int64_t id = od * st[0] - pb[0] + kd * dl[0];
                    int64_t ih = oh * st[1] - pb[1] + kh * dl[1];
                    int64_t iw = ow * st[2] - pb[2] + kw * dl[2];
                    if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2])
                      continue;
                    int64_t ic = g * cg + c;
                    double xval = xv[(((n * cc.c + ic) * in[0] + id) * in[1] + ih) * in[2] + iw];
                    double wval = wv[(((m * cg + c) * ker[0] + kd) * ker[1] + kh) * ker[2] + kw];
                    s += xval * wval;
                    sm += std::fabs(xval * wval);
                  }
            y[idx] = s;
            mag[idx] = sm;
          }
  return y;
}

/// A random case of the given spatial rank whose output is non-empty.
ConvCase randomCase(Rng &rng, size_t k) {
  ConvCase cc;
  cc.n = rng.range(1, 3);
  cc.group = rng.range(0, 2) == 0 ? 1 : rng.range(2, 3);
  int64_t maxExtent = k == 3 ? 7 : k == 2 ? 12 : 30;
  cc.c = cc.group * rng.range(1, 4);
  cc.m = cc.group * rng.range(1, 4);
  for (size_t i = 0; i < k; ++i) {
    cc.kernel.push_back(rng.range(1, k == 3 ? 3 : 4));
    cc.p.strides.push_back(rng.range(1, 3));
    cc.p.dilations.push_back(rng.range(1, 2));
  }
  cc.p.pads.resize(2 * k);
  for (auto &pad : cc.p.pads)
    pad = rng.range(0, 2);
  for (size_t i = 0; i < k; ++i) {
    int64_t span = cc.p.dilations[i] * (cc.kernel[i] - 1) + 1;
    int64_t minIn = std::max<int64_t>(1, span - cc.p.pads[i] - cc.p.pads[k + i]);
    cc.in.push_back(rng.range(minIn, std::max(minIn, maxExtent)));
  }
  cc.p.group = cc.group;
  cc.bias = rng.coin();
  return cc;
}

void checkCase(Rng &rng, const ConvCase &cc) {
  std::string desc = "X " + shapeToString([&] {
                       Shape s = {cc.n, cc.c};
                       s.insert(s.end(), cc.in.begin(), cc.in.end());
                       return s;
                     }()) +
                     " K " + shapeToString(cc.kernel) + " M " + std::to_string(cc.m) + " group " +
                     std::to_string(cc.group) + " strides " + shapeToString(cc.p.strides) +
                     " pads " + shapeToString(cc.p.pads) + " dilations " +
                     shapeToString(cc.p.dilations) + (cc.bias ? " bias" : "");
  SCOPED_TRACE(desc);
  Shape xs = {cc.n, cc.c}, ws = {cc.m, cc.c / cc.group};
  xs.insert(xs.end(), cc.in.begin(), cc.in.end());
  ws.insert(ws.end(), cc.kernel.begin(), cc.kernel.end());
  Tensor x = rng.f32(xs), w = rng.f32(ws), b = rng.f32({cc.m});
  Shape ys = outShape(cc);
  Tensor y = rng.f32(ys); // stale contents must not leak into the result
  conv(x, w, cc.bias ? &b : nullptr, cc.p, y);
  std::vector<double> mag;
  std::vector<double> want = naiveConv(cc, x, w, cc.bias ? &b : nullptr, ys, mag);
  expectClose(y, want, 2e-6, 1e-6, &mag);
}

TEST(Conv, RandomCasesMatchDirectConvolution) {
  CIMLIR_RANDOM_TEST();
  for (size_t k = 1; k <= 3; ++k)
    for (int round = 0; round < 12; ++round)
      checkCase(rng, randomCase(rng, k));
}

TEST(Conv, DepthwiseAndPointwise) {
  CIMLIR_RANDOM_TEST();
  for (size_t k = 1; k <= 3; ++k) {
    ConvCase dw = randomCase(rng, k);
    dw.group = dw.c = dw.p.group = rng.range(2, 6); // one input channel per group
    dw.m = dw.c * rng.range(1, 2);                  // channel multiplier 1 or 2
    checkCase(rng, dw);

    ConvCase pw; // 1x1, unit stride, no pads: the path that skips im2col
    pw.n = rng.range(1, 3);
    pw.c = rng.range(1, 16);
    pw.m = rng.range(1, 16);
    pw.group = pw.p.group = 1;
    for (size_t i = 0; i < k; ++i)
      pw.in.push_back(rng.range(1, 9));
    pw.kernel.assign(k, 1);
    pw.p.strides.assign(k, 1);
    pw.p.dilations.assign(k, 1);
    pw.p.pads.assign(2 * k, 0);
    pw.bias = rng.coin();
    checkCase(rng, pw);
  }
}

TEST(Conv, AsymmetricPadsStridesAndDilations2D) {
  CIMLIR_RANDOM_TEST();
  ConvCase cc;
  cc.n = 2;
  cc.c = 4;
  cc.m = 6;
  cc.group = 2;
  cc.in = {rng.range(9, 14), rng.range(9, 14)};
  cc.kernel = {3, 2};
  cc.p = {{2, 3}, {0, 2, 3, 1}, {2, 1}, 2};
  cc.bias = true;
  checkCase(rng, cc);
}

TEST(Conv, RejectsMismatchedShapes) {
  auto t = [](Shape s) { return Tensor::allocate(DType::F32, std::move(s)); };
  ConvParams p{{1, 1}, {0, 0, 0, 0}, {1, 1}, 1};
  Tensor x = t({1, 4, 5, 5});
  Tensor y = t({1, 2, 3, 3});
  EXPECT_NO_THROW(conv(x, t({2, 4, 3, 3}), nullptr, p, y));
  EXPECT_THROW(conv(x, t({2, 3, 3, 3}), nullptr, p, y), Error); // C/group 3 vs 4
  Tensor yBad = t({1, 2, 4, 3});
  EXPECT_THROW(conv(x, t({2, 4, 3, 3}), nullptr, p, yBad), Error); // O 4 vs 3
  Tensor b3 = t({3});
  EXPECT_THROW(conv(x, t({2, 4, 3, 3}), &b3, p, y), Error); // bias [3] for M 2
  ConvParams g3 = p;
  g3.group = 3;
  EXPECT_THROW(conv(x, t({2, 4, 3, 3}), nullptr, g3, y), Error); // 3 does not divide 4
  ConvParams shortPads = p;
  shortPads.pads = {0, 0};
  EXPECT_THROW(conv(x, t({2, 4, 3, 3}), nullptr, shortPads, y), Error);
  ConvParams zeroStride = p;
  zeroStride.strides = {0, 1};
  EXPECT_THROW(conv(x, t({2, 4, 3, 3}), nullptr, zeroStride, y), Error);
  Tensor yBig = t({1, 2, 1, 1});
  EXPECT_THROW(conv(x, t({2, 4, 6, 6}), nullptr, p, yBig), Error); // kernel larger than X
  Tensor x64 = Tensor::allocate(DType::F64, {1, 4, 5, 5});
  EXPECT_THROW(conv(x64, t({2, 4, 3, 3}), nullptr, p, y), Error);
}

// A plan's numbers: a window whose extent or padded input overflows int64 is refused, not
// wrapped into one that "fits" (a 5x5 kernel with dilation 2^62 once gave 4.0 everywhere).
TEST(Conv, WindowsThatOverflowAreRefused) {
  auto t = [](Shape s) { return Tensor::allocate(DType::F32, std::move(s)); };
  Tensor x = t({1, 1, 8, 8}), w = t({1, 1, 5, 5}), y = t({1, 1, 1, 1});
  const int64_t huge = int64_t(1) << 62, max = std::numeric_limits<int64_t>::max();
  for (const ConvParams &p : {ConvParams{{1, 1}, {0, 0, 0, 0}, {huge, huge}, 1},
                              ConvParams{{1, 1}, {max, 0, 0, 0}, {1, 1}, 1},
                              ConvParams{{1, 1}, {0, 0, max, max}, {1, 1}, 1}}) {
    std::string msg;
    try {
      conv(x, w, nullptr, p, y);
    } catch (const Error &e) {
      msg = e.what();
    }
    EXPECT_NE(msg.find("overflows int64"), std::string::npos) << msg;
  }
}

} // namespace
} // namespace cimlir::cpu

namespace cimlir::cpu {
namespace {

/// ConvTranspose is the adjoint of Conv with the same W, strides, pads and dilations:
/// <conv(X), Y> = <X, convTranspose(Y)> for every X and Y, which pins every weight position
/// without a second implementation of either.
TEST(ConvTranspose, IsTheAdjointOfConv) {
  CIMLIR_RANDOM_TEST();
  for (int round = 0; round < 20; ++round) {
    const int64_t g = rng.range(1, 2), c = g * rng.range(1, 2), m = g * rng.range(1, 3);
    const int64_t k = rng.range(1, 3), s = rng.range(1, 3), d = rng.range(1, 2);
    const int64_t pb = rng.range(0, 1), pe = rng.range(0, 1), o = rng.range(1, 4);
    // The conv input size that the transposed conv gives back exactly.
    const int64_t in = s * (o - 1) + (k - 1) * d + 1 - pb - pe;
    if (in < 1)
      continue;
    ConvParams p{{s, s}, {pb, pb, pe, pe}, {d, d}, g};
    Tensor x = rng.f32({2, c, in, in}), w = rng.f32({m, c / g, k, k});
    Tensor y = Tensor::allocate(DType::F32, {2, m, o, o}), dy = rng.f32({2, m, o, o});
    conv(x, w, nullptr, p, y);
    Tensor dx = Tensor::allocate(DType::F32, {2, c, in, in});
    convTranspose(dy, w, nullptr, p, dx);
    double lhs = 0, rhs = 0, mag = 0;
    for (int64_t i = 0; i < y.numel(); ++i)
      lhs += double(y.data<float>()[i]) * dy.data<float>()[i];
    for (int64_t i = 0; i < x.numel(); ++i) {
      rhs += double(x.data<float>()[i]) * dx.data<float>()[i];
      mag += std::fabs(double(x.data<float>()[i]) * dx.data<float>()[i]);
    }
    ASSERT_NEAR(lhs, rhs, 1e-4 * (1 + mag)) << "round " << round;
  }
}

} // namespace
} // namespace cimlir::cpu
