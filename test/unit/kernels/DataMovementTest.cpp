// Slice, Expand, Tile, Pad, Concat, Gather and Split-by-slices against element-by-element
// definitions written from the ONNX operator text (not from the kernels' per-axis maps).
#include "kernels/cpu/Layout.h"

#include "KernelTestUtil.h"
#include "test/unit/common/ErrorOf.h"

#include <cstring>
#include <limits>

namespace cimlir::cpu {
namespace {

using test::Rng;

/// X with element i holding i (int32), so that every output element names its source.
Tensor iota(const Shape &s) {
  Tensor t = Tensor::allocate(DType::I32, s);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<int32_t>()[i] = static_cast<int32_t>(i);
  return t;
}

Shape randomShape(Rng &rng, int64_t rank, int64_t maxDim) {
  Shape s;
  for (int64_t i = 0; i < rank; ++i)
    s.push_back(rng.range(1, maxDim));
  return s;
}

int64_t flatIndex(const std::vector<int64_t> &idx, const Shape &s) {
  std::vector<int64_t> st = test::stridesOf(s);
  int64_t f = 0;
  for (size_t a = 0; a < idx.size(); ++a)
    f += idx[a] * st[a];
  return f;
}

/// The indices ONNX Slice takes along an axis, by the operator text: clamp, then walk.
std::vector<int64_t> sliceIndices(int64_t dim, int64_t start, int64_t end, int64_t step) {
  auto adjust = [dim](int64_t v) {
    return v < 0 ? (v < std::numeric_limits<int64_t>::min() + dim ? -1 : v + dim) : v;
  };
  int64_t s = adjust(start), e = adjust(end);
  if (step > 0) {
    s = std::min(std::max<int64_t>(s, 0), dim);
    e = std::min(std::max<int64_t>(e, 0), dim);
  } else {
    s = std::min(std::max<int64_t>(s, 0), dim - 1);
    e = std::min(std::max<int64_t>(e, -1), dim - 1);
  }
  std::vector<int64_t> out;
  for (int64_t i = s; step > 0 ? i < e : i > e; i += step)
    out.push_back(i);
  return out;
}

TEST(Slice, RandomSlicesMatchTheOperatorText) {
  CIMLIR_RANDOM_TEST();
  const int64_t big = std::numeric_limits<int64_t>::max(),
                low = std::numeric_limits<int64_t>::min();
  for (int round = 0; round < 200; ++round) {
    Shape xs = randomShape(rng, rng.range(1, 4), 7);
    std::vector<int64_t> starts, ends, axes, steps;
    std::vector<std::vector<int64_t>> taken;
    for (int64_t a = 0; a < static_cast<int64_t>(xs.size()); ++a)
      taken.push_back(sliceIndices(xs[a], 0, xs[a], 1));
    for (int64_t a = 0; a < static_cast<int64_t>(xs.size()); ++a) {
      if (rng.coin())
        continue;
      auto pick = [&] {
        switch (rng.range(0, 5)) {
        case 0:
          return big;
        case 1:
          return low;
        default:
          return rng.range(-9, 9);
        }
      };
      int64_t st = rng.range(-3, 3);
      if (st == 0)
        st = 1;
      starts.push_back(pick());
      ends.push_back(pick());
      steps.push_back(st);
      axes.push_back(a);
      taken[a] = sliceIndices(xs[a], starts.back(), ends.back(), st);
    }
    Shape ys;
    for (auto &t : taken)
      ys.push_back(static_cast<int64_t>(t.size()));
    Tensor x = iota(xs), y = Tensor::allocate(DType::I32, ys);
    slice(x, starts, ends, axes, steps, y);
    for (int64_t i = 0; i < y.numel(); ++i) {
      std::vector<int64_t> yi = test::unravel(i, ys), xi(xs.size());
      for (size_t a = 0; a < xs.size(); ++a)
        xi[a] = taken[a][static_cast<size_t>(yi[a])];
      ASSERT_EQ(y.data<int32_t>()[i], flatIndex(xi, xs)) << "X " << shapeToString(xs);
    }
  }
}

TEST(Slice, RefusesBadArguments) {
  Tensor x = iota({4, 4}), y = Tensor::allocate(DType::I32, {2, 4});
  EXPECT_NE(test::errorOf([&] { slice(x, {0}, {2}, {2}, {1}, y); }).find("axis 2"),
            std::string::npos);
  EXPECT_NE(test::errorOf([&] { slice(x, {0}, {2}, {0}, {0}, y); }).find("step is 0"),
            std::string::npos);
  EXPECT_NE(test::errorOf([&] { slice(x, {0}, {3}, {0}, {1}, y); }).find("Y has shape"),
            std::string::npos);
}

TEST(ExpandAndTile, MatchBroadcastAndRepeat) {
  CIMLIR_RANDOM_TEST();
  for (int round = 0; round < 60; ++round) {
    // Expand: X of rank <= Y's, each dim 1 or Y's.
    Shape ys = randomShape(rng, rng.range(0, 4), 5);
    Shape xs;
    for (size_t a = rng.range(0, static_cast<int64_t>(ys.size())); a < ys.size(); ++a)
      xs.push_back(rng.coin() ? 1 : ys[a]);
    Tensor x = iota(xs), y = Tensor::allocate(DType::I32, ys);
    expand(x, y);
    const size_t lead = ys.size() - xs.size();
    for (int64_t i = 0; i < y.numel(); ++i) {
      std::vector<int64_t> yi = test::unravel(i, ys), xi;
      for (size_t a = 0; a < xs.size(); ++a)
        xi.push_back(xs[a] == 1 ? 0 : yi[a + lead]);
      ASSERT_EQ(y.data<int32_t>()[i], flatIndex(xi, xs));
    }
    // Tile.
    Shape ts = randomShape(rng, rng.range(1, 3), 4);
    std::vector<int64_t> repeats;
    Shape out;
    for (int64_t d : ts) {
      repeats.push_back(rng.range(0, 3));
      out.push_back(d * repeats.back());
    }
    Tensor tx = iota(ts), ty = Tensor::allocate(DType::I32, out);
    tile(tx, repeats, ty);
    for (int64_t i = 0; i < ty.numel(); ++i) {
      std::vector<int64_t> yi = test::unravel(i, out), xi;
      for (size_t a = 0; a < ts.size(); ++a)
        xi.push_back(yi[a] % ts[a]);
      ASSERT_EQ(ty.data<int32_t>()[i], flatIndex(xi, ts));
    }
  }
  Tensor x = iota({3}), y = Tensor::allocate(DType::I32, {4});
  EXPECT_NE(test::errorOf([&] { expand(x, y); }).find("does not broadcast"), std::string::npos);
}

/// numpy.pad's source index along one axis: mirror (reflect: without the edge) or wrap
/// repeatedly until inside.
int64_t padSource(int64_t i, int64_t d, PadMode mode) {
  while (i < 0 || i >= d) {
    switch (mode) {
    case PadMode::Constant:
      return -1;
    case PadMode::Edge:
      return i < 0 ? 0 : d - 1;
    case PadMode::Wrap:
      i += i < 0 ? d : -d;
      break;
    case PadMode::Reflect:
      i = i < 0 ? -i : 2 * (d - 1) - i;
      break;
    }
  }
  return i;
}

TEST(Pad, EveryModeMatchesNumpyPad) {
  CIMLIR_RANDOM_TEST();
  for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Edge, PadMode::Wrap}) {
    for (int round = 0; round < 40; ++round) {
      Shape xs = randomShape(rng, rng.range(1, 3), 5);
      if (mode == PadMode::Reflect)
        for (int64_t &d : xs)
          d = std::max<int64_t>(d, 2);
      std::vector<int64_t> pads(2 * xs.size());
      Shape ys;
      for (size_t a = 0; a < xs.size(); ++a) {
        pads[a] = rng.range(-1, 7);
        pads[a + xs.size()] = rng.range(-1, 7);
        if (xs[a] + pads[a] + pads[a + xs.size()] < 0)
          pads[a] = pads[a + xs.size()] = 0;
        ys.push_back(xs[a] + pads[a] + pads[a + xs.size()]);
      }
      Tensor value = Tensor::allocate(DType::I32, {});
      value.data<int32_t>()[0] = -5;
      Tensor x = iota(xs), y = Tensor::allocate(DType::I32, ys);
      pad(x, pads, mode, &value, y);
      for (int64_t i = 0; i < y.numel(); ++i) {
        std::vector<int64_t> yi = test::unravel(i, ys), xi;
        bool fill = false;
        for (size_t a = 0; a < xs.size(); ++a) {
          int64_t s = padSource(yi[a] - pads[a], xs[a], mode);
          fill |= s < 0;
          xi.push_back(s);
        }
        ASSERT_EQ(y.data<int32_t>()[i], fill ? -5 : flatIndex(xi, xs))
            << "mode " << static_cast<int>(mode) << " X " << shapeToString(xs);
      }
    }
  }
  Tensor x = iota({1, 3}), y = Tensor::allocate(DType::I32, {3, 3});
  EXPECT_NE(test::errorOf([&] {
              pad(x, {1, 0, 1, 0}, PadMode::Reflect, nullptr, y);
            }).find("longer than 1"),
            std::string::npos);
  Tensor wrongFill = Tensor::allocate(DType::F32, {});
  EXPECT_NE(test::errorOf([&] {
              pad(x, {1, 0, 1, 0}, PadMode::Constant, &wrongFill, y);
            }).find("fill value"),
            std::string::npos);
}

TEST(ConcatAndGather, MatchTheirDefinitions) {
  CIMLIR_RANDOM_TEST();
  for (DType dt : {DType::U8, DType::I16, DType::F32, DType::F64}) {
    for (int round = 0; round < 30; ++round) {
      Shape base = randomShape(rng, rng.range(1, 3), 4);
      const int64_t axis = rng.range(0, static_cast<int64_t>(base.size()) - 1);
      std::vector<Tensor> parts;
      std::vector<const Tensor *> ptrs;
      Shape ys = base;
      ys[axis] = 0;
      for (int64_t k = rng.range(1, 3); k > 0; --k) {
        Shape s = base;
        s[axis] = rng.range(0, 3);
        ys[axis] += s[axis];
        Tensor t = Tensor::allocate(dt, s);
        for (size_t b = 0; b < t.byteSize(); ++b)
          static_cast<uint8_t *>(t.raw())[b] = static_cast<uint8_t>(rng.range(0, 255));
        parts.push_back(t);
      }
      for (auto &t : parts)
        ptrs.push_back(&t);
      Tensor y = Tensor::allocate(dt, ys);
      concat(ptrs, axis, y);
      const size_t es = dtypeSize(dt);
      for (int64_t i = 0; i < y.numel(); ++i) {
        std::vector<int64_t> yi = test::unravel(i, ys);
        size_t k = 0;
        while (yi[axis] >= parts[k].dim(axis))
          yi[axis] -= parts[k++].dim(axis);
        ASSERT_EQ(std::memcmp(static_cast<const uint8_t *>(y.raw()) + i * es,
                              static_cast<const uint8_t *>(parts[k].raw()) +
                                  flatIndex(yi, parts[k].shape()) * es,
                              es),
                  0);
      }
    }
  }
  // Gather with negative indices, int32 and int64.
  for (DType it : {DType::I32, DType::I64}) {
    for (int round = 0; round < 30; ++round) {
      Shape xs = randomShape(rng, rng.range(1, 3), 4);
      const int64_t axis = rng.range(0, static_cast<int64_t>(xs.size()) - 1);
      Shape is = randomShape(rng, rng.range(0, 2), 3);
      Tensor idx = Tensor::allocate(it, is);
      std::vector<int64_t> picked;
      for (int64_t j = 0; j < idx.numel(); ++j) {
        picked.push_back(rng.range(-xs[axis], xs[axis] - 1));
        if (it == DType::I32)
          idx.data<int32_t>()[j] = static_cast<int32_t>(picked.back());
        else
          idx.data<int64_t>()[j] = picked.back();
      }
      Shape ys(xs.begin(), xs.begin() + axis);
      ys.insert(ys.end(), is.begin(), is.end());
      ys.insert(ys.end(), xs.begin() + axis + 1, xs.end());
      Tensor x = iota(xs), y = Tensor::allocate(DType::I32, ys);
      gather(x, idx, axis, y);
      for (int64_t i = 0; i < y.numel(); ++i) {
        std::vector<int64_t> yi = test::unravel(i, ys), xi(yi.begin(), yi.begin() + axis);
        std::vector<int64_t> ii(yi.begin() + axis, yi.begin() + axis + is.size());
        int64_t p = picked[static_cast<size_t>(flatIndex(ii, is))];
        xi.push_back(p < 0 ? p + xs[axis] : p);
        xi.insert(xi.end(), yi.begin() + axis + is.size(), yi.end());
        ASSERT_EQ(y.data<int32_t>()[i], flatIndex(xi, xs));
      }
    }
  }
  Tensor x = iota({3, 2}), idx = Tensor::allocate(DType::I64, {1}),
         y = Tensor::allocate(DType::I32, {1, 2});
  idx.data<int64_t>()[0] = 3;
  EXPECT_NE(test::errorOf([&] { gather(x, idx, 0, y); }).find("index 3 is out of range"),
            std::string::npos);
  idx.data<int64_t>()[0] = -4;
  EXPECT_NE(test::errorOf([&] { gather(x, idx, 0, y); }).find("index -4 is out of range"),
            std::string::npos);
}

} // namespace
} // namespace cimlir::cpu
