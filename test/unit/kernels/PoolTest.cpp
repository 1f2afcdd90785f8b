#include "kernels/cpu/Pool.h"

#include "KernelTestUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {
namespace {

using test::expectClose;
using test::Rng;

struct PoolCase {
  int64_t n, c;
  Shape in; // spatial extents
  PoolParams p;
  bool ceil;
};

/// Output extents as ONNX defines them, including the rule that a ceil-mode window must
/// start inside the input or the begin padding.
Shape outShape(const PoolCase &pc) {
  Shape y = {pc.n, pc.c};
  size_t k = pc.in.size();
  for (size_t i = 0; i < k; ++i) {
    int64_t span = pc.p.dilations[i] * (pc.p.kernel[i] - 1) + 1;
    int64_t room = pc.in[i] + pc.p.pads[i] + pc.p.pads[k + i] - span;
    int64_t s = pc.p.strides[i];
    int64_t o = (pc.ceil ? (room + s - 1) / s : room / s) + 1;
    if (pc.ceil && (o - 1) * s >= pc.in[i] + pc.p.pads[i])
      --o;
    y.push_back(o);
  }
  return y;
}

/// Direct pooling over a 3-D lift of the case: every window tap is tested one by one.
/// Max skips taps outside the input; average divides by the taps inside the input, or with
/// countIncludePad by those inside the padded extent [-pad_begin, D + pad_end).
template <typename T>
std::vector<double> naivePool(const PoolCase &pc, const T *x, const Shape &ys, bool isMax) {
  size_t k = pc.in.size(), lift = 3 - k;
  int64_t in[3], ker[3], out[3], st[3], pb[3], pe[3], dl[3];
  for (size_t i = 0; i < 3; ++i) {
    bool real = i >= lift;
    size_t j = real ? i - lift : 0;
    in[i] = real ? pc.in[j] : 1;
    ker[i] = real ? pc.p.kernel[j] : 1;
    out[i] = real ? ys[2 + j] : 1;
    st[i] = real ? pc.p.strides[j] : 1;
    pb[i] = real ? pc.p.pads[j] : 0;
    pe[i] = real ? pc.p.pads[k + j] : 0;
    dl[i] = real ? pc.p.dilations[j] : 1;
  }
  std::vector<double> y;
  for (int64_t plane = 0; plane < pc.n * pc.c; ++plane)
    for (int64_t od = 0; od < out[0]; ++od)
      for (int64_t oh = 0; oh < out[1]; ++oh)
        for (int64_t ow = 0; ow < out[2]; ++ow) {
          double best = static_cast<double>(std::numeric_limits<T>::lowest()), sum = 0;
          int64_t inside = 0, padded = 0;
          for (int64_t kd = 0; kd < ker[0]; ++kd)
            for (int64_t kh = 0; kh < ker[1]; ++kh)
              for (int64_t kw = 0; kw < ker[2]; ++kw) {
                int64_t pos[3] = {od * st[0] - pb[0] + kd * dl[0], oh * st[1] - pb[1] + kh * dl[1],
                                  ow * st[2] - pb[2] + kw * dl[2]};
                bool inInput = true, inPadded = true;
                for (int a = 0; a < 3; ++a) {
                  inInput &= pos[a] >= 0 && pos[a] < in[a];
                  inPadded &= pos[a] >= -pb[a] && pos[a] < in[a] + pe[a];
                }
                padded += inPadded;
                if (!inInput)
                  continue;
                double v = x[((plane * in[0] + pos[0]) * in[1] + pos[1]) * in[2] + pos[2]];
                best = std::max(best, v);
                sum += v;
                ++inside;
              }
          int64_t count = pc.p.countIncludePad ? padded : inside;
          y.push_back(isMax ? best : count ? sum / static_cast<double>(count) : 0.0);
        }
  return y;
}

PoolCase randomCase(Rng &rng, size_t k, bool withDilation) {
  PoolCase pc;
  pc.n = rng.range(1, 2);
  pc.c = rng.range(1, 4);
  pc.ceil = rng.coin();
  pc.p.countIncludePad = rng.coin();
  for (size_t i = 0; i < k; ++i) {
    pc.p.kernel.push_back(rng.range(1, 4));
    pc.p.strides.push_back(rng.range(1, 3));
    pc.p.dilations.push_back(withDilation ? rng.range(1, 3) : 1);
  }
  pc.p.pads.resize(2 * k);
  for (size_t i = 0; i < 2 * k; ++i) {
    size_t a = i % k;
    int64_t span = pc.p.dilations[a] * (pc.p.kernel[a] - 1) + 1;
    pc.p.pads[i] = rng.range(0, std::min<int64_t>(2, span - 1)); // ONNX: pad < window
  }
  int64_t maxExtent = k == 3 ? 8 : k == 2 ? 13 : 31;
  for (size_t i = 0; i < k; ++i) {
    int64_t span = pc.p.dilations[i] * (pc.p.kernel[i] - 1) + 1;
    int64_t minIn = std::max<int64_t>(1, span - pc.p.pads[i] - pc.p.pads[k + i]);
    pc.in.push_back(rng.range(minIn, std::max(minIn, maxExtent)));
  }
  return pc;
}

std::string describe(const PoolCase &pc) {
  return "in " + shapeToString(pc.in) + " kernel " + shapeToString(pc.p.kernel) + " strides " +
         shapeToString(pc.p.strides) + " pads " + shapeToString(pc.p.pads) + " dilations " +
         shapeToString(pc.p.dilations) + (pc.ceil ? " ceil" : " floor") +
         (pc.p.countIncludePad ? " count_include_pad" : "");
}

Shape xShape(const PoolCase &pc) {
  Shape s = {pc.n, pc.c};
  s.insert(s.end(), pc.in.begin(), pc.in.end());
  return s;
}

TEST(MaxPool, Float32MatchesNaive) {
  CIMLIR_RANDOM_TEST();
  for (size_t k = 1; k <= 3; ++k)
    for (int round = 0; round < 15; ++round) {
      PoolCase pc = randomCase(rng, k, /*withDilation=*/true);
      SCOPED_TRACE(describe(pc));
      Tensor x = rng.f32(xShape(pc), -10, 10);
      Shape ys = outShape(pc);
      Tensor y = rng.f32(ys);
      maxPool(x, pc.p, y);
      // Max only selects, so the result is exact.
      expectClose(y, naivePool(pc, x.data<float>(), ys, true), 0, 0);
    }
}

template <typename T> void checkIntegerMaxPool(Rng &rng, DType dt) {
  for (size_t k = 1; k <= 3; ++k)
    for (int round = 0; round < 6; ++round) {
      PoolCase pc = randomCase(rng, k, true);
      SCOPED_TRACE(std::string(dtypeName(dt)) + " " + describe(pc));
      Tensor x = Tensor::allocate(dt, xShape(pc));
      for (int64_t i = 0; i < x.numel(); ++i)
        x.data<T>()[i] = static_cast<T>(
            rng.range(std::numeric_limits<T>::lowest(), std::numeric_limits<T>::max()));
      Shape ys = outShape(pc);
      Tensor y = Tensor::allocate(dt, ys);
      maxPool(x, pc.p, y);
      std::vector<double> want = naivePool(pc, x.data<T>(), ys, true);
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(static_cast<double>(y.data<T>()[i]), want[i]) << "element " << i;
    }
}

TEST(MaxPool, Uint8AndInt8MatchNaive) {
  CIMLIR_RANDOM_TEST();
  checkIntegerMaxPool<uint8_t>(rng, DType::U8);
  checkIntegerMaxPool<int8_t>(rng, DType::I8);
}

TEST(AveragePool, MatchesNaiveBothPadCountings) {
  CIMLIR_RANDOM_TEST();
  for (size_t k = 1; k <= 3; ++k)
    for (int round = 0; round < 20; ++round) {
      PoolCase pc = randomCase(rng, k, /*withDilation=*/round % 2 == 1);
      pc.p.countIncludePad = round % 4 >= 2;
      SCOPED_TRACE(describe(pc));
      Tensor x = rng.f32(xShape(pc), -10, 10);
      Shape ys = outShape(pc);
      Tensor y = rng.f32(ys);
      averagePool(x, pc.p, y);
      expectClose(y, naivePool(pc, x.data<float>(), ys, false), 1e-5, 1e-5);
    }
}

// ONNX backend test averagepool_2d_ceil: 4x4 input 1..16, 3x3 window, stride 2, ceil_mode.
TEST(AveragePool, OnnxCeilReference) {
  Tensor x = Tensor::allocate(DType::F32, {1, 1, 4, 4});
  for (int i = 0; i < 16; ++i)
    x.data<float>()[i] = static_cast<float>(i + 1);
  Tensor y = Tensor::allocate(DType::F32, {1, 1, 2, 2});
  PoolParams p{{3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false};
  averagePool(x, p, y);
  expectClose(y, {6, 7.5, 12, 13.5}, 0, 1e-6);
}

// Ceil-mode overhang past the end pad is never counted, pads are only with count_include_pad.
// X = 1..5, window 3, stride 2, pads [1, 0], ceil: windows [-1,0,1], [1,2,3], [3,4,(5)].
TEST(AveragePool, CeilOverhangIsNotPadding) {
  Tensor x = Tensor::allocate(DType::F32, {1, 1, 5});
  for (int i = 0; i < 5; ++i)
    x.data<float>()[i] = static_cast<float>(i + 1);
  Tensor y = Tensor::allocate(DType::F32, {1, 1, 3});
  PoolParams p{{3}, {2}, {1, 0}, {1}, true};
  averagePool(x, p, y);
  expectClose(y, {1.0, 3.0, 4.5}, 0, 1e-6);
  p.countIncludePad = false;
  averagePool(x, p, y);
  expectClose(y, {1.5, 3.0, 4.5}, 0, 1e-6);
}

TEST(GlobalAveragePool, MatchesNaive) {
  CIMLIR_RANDOM_TEST();
  for (int rank = 3; rank <= 5; ++rank) {
    Shape xs = {rng.range(1, 3), rng.range(1, 5)};
    Shape ys = xs;
    for (int i = 2; i < rank; ++i) {
      xs.push_back(rng.range(1, rank == 5 ? 6 : 20));
      ys.push_back(1);
    }
    SCOPED_TRACE("X " + shapeToString(xs));
    Tensor x = rng.f32(xs, -5, 5);
    Tensor y = rng.f32(ys);
    globalAveragePool(x, y);
    int64_t planes = xs[0] * xs[1], size = x.numel() / planes;
    std::vector<double> want(static_cast<size_t>(planes)), mag(want.size());
    for (int64_t p = 0; p < planes; ++p) {
      for (int64_t i = 0; i < size; ++i) {
        want[p] += x.data<float>()[p * size + i];
        mag[p] += std::fabs(x.data<float>()[p * size + i]);
      }
      want[p] /= static_cast<double>(size);
      mag[p] /= static_cast<double>(size);
    }
    expectClose(y, want, 1e-6, 1e-7, &mag);
  }
}

TEST(Pool, RejectsMismatchedShapes) {
  auto t = [](Shape s) { return Tensor::allocate(DType::F32, std::move(s)); };
  PoolParams p{{2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false};
  Tensor x = t({1, 3, 6, 6});
  Tensor y = t({1, 3, 3, 3});
  EXPECT_NO_THROW(maxPool(x, p, y));
  EXPECT_NO_THROW(averagePool(x, p, y));
  Tensor yBad = t({1, 3, 5, 3}); // neither floor nor ceil extent
  EXPECT_THROW(maxPool(x, p, yBad), Error);
  EXPECT_THROW(averagePool(x, p, yBad), Error);
  Tensor yC = t({1, 2, 3, 3}); // channel count differs
  EXPECT_THROW(maxPool(x, p, yC), Error);
  PoolParams p1 = p;
  p1.kernel = {2};
  EXPECT_THROW(maxPool(x, p1, y), Error);
  PoolParams pPads = p;
  pPads.pads = {0, 0};
  EXPECT_THROW(averagePool(x, pPads, y), Error);
  PoolParams huge = p;
  huge.kernel = {7, 7};
  Tensor y1 = t({1, 3, 1, 1});
  EXPECT_THROW(maxPool(x, huge, y1), Error); // window larger than the padded input
  Tensor xi = Tensor::allocate(DType::I32, {1, 3, 6, 6});
  Tensor yi = Tensor::allocate(DType::I32, {1, 3, 3, 3});
  EXPECT_THROW(maxPool(xi, p, yi), Error);
  Tensor xu = Tensor::allocate(DType::U8, {1, 3, 6, 6});
  Tensor yu = Tensor::allocate(DType::U8, {1, 3, 3, 3});
  EXPECT_NO_THROW(maxPool(xu, p, yu));
  EXPECT_THROW(averagePool(xu, p, yu), Error);
  EXPECT_THROW(maxPool(xu, p, y), Error); // Y dtype differs from X
  Tensor g = t({1, 3, 1, 2});
  EXPECT_THROW(globalAveragePool(x, g), Error);
  Tensor g2 = t({1, 3, 1});
  EXPECT_THROW(globalAveragePool(x, g2), Error);
}

TEST(MaxPool, WindowsThatOverflowAreRefused) {
  Tensor x = Tensor::allocate(DType::F32, {1, 1, 8, 8}),
         y = Tensor::allocate(DType::F32, {1, 1, 1, 1});
  const int64_t huge = int64_t(1) << 62, max = std::numeric_limits<int64_t>::max();
  for (const PoolParams &p : {PoolParams{{5, 5}, {1, 1}, {0, 0, 0, 0}, {huge, 1}, false},
                              PoolParams{{5, 5}, {1, 1}, {max, 0, 0, 0}, {1, 1}, false}}) {
    for (bool average : {false, true}) {
      std::string msg;
      try {
        average ? averagePool(x, p, y) : maxPool(x, p, y);
      } catch (const Error &e) {
        msg = e.what();
      }
      EXPECT_NE(msg.find("overflows int64"), std::string::npos) << msg;
    }
  }
}

} // namespace
} // namespace cimlir::cpu
