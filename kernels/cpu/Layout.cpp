#include "kernels/cpu/Layout.h"

#include "kernels/cpu/Check.h"

#include "core/ShapeMath.h"

#include <cstring>

namespace cimlir::cpu {

using detail::fail;

namespace {

/// Y's axes with X's strides (in elements), after dropping size-1 axes and merging runs of
/// axes that stay adjacent and in order under the permutation.
struct Walk {
  std::vector<int64_t> extent, srcStride;
};

Walk makeWalk(const Shape &xs, const std::vector<int64_t> &perm) {
  size_t rank = xs.size();
  std::vector<int64_t> xStride(rank, 1);
  for (size_t i = rank; i-- > 1;)
    xStride[i - 1] = xStride[i] * xs[i];
  Walk w;
  int64_t prevAxis = -2;
  for (size_t i = 0; i < rank; ++i) {
    int64_t ax = perm[i];
    int64_t d = xs[static_cast<size_t>(ax)];
    if (d == 1)
      continue;
    if (!w.extent.empty() && ax == prevAxis + 1) {
      // X axis ax follows ax-1 in memory, so the pair is one axis of the product extent.
      w.extent.back() *= d;
      w.srcStride.back() = xStride[static_cast<size_t>(ax)];
    } else {
      w.extent.push_back(d);
      w.srcStride.push_back(xStride[static_cast<size_t>(ax)]);
    }
    prevAxis = ax;
  }
  return w;
}

/// Copies X into Y in Y order. ES is the element size when known at compile time (the
/// constant-size memcpy becomes one load and store, without type-punning the data), 0 to
/// use the run-time `es`.
template <size_t ES>
void walkCopy(const Walk &w, const unsigned char *x, unsigned char *y, int64_t n, size_t es) {
  const size_t size = ES ? ES : es;
  size_t r = w.extent.size();
  int64_t inner = w.extent[r - 1], is = w.srcStride[r - 1];
  std::vector<int64_t> idx(r, 0);
  int64_t off = 0;
  for (int64_t done = 0; done < n; done += inner) {
    const unsigned char *s = x + static_cast<size_t>(off) * size;
    unsigned char *d = y + static_cast<size_t>(done) * size;
    for (int64_t j = 0; j < inner; ++j)
      std::memcpy(d + static_cast<size_t>(j) * size, s + static_cast<size_t>(j * is) * size, size);
    for (size_t i = r - 1; i-- > 0;) {
      off += w.srcStride[i];
      if (++idx[i] < w.extent[i])
        break;
      off -= w.srcStride[i] * idx[i];
      idx[i] = 0;
    }
  }
}

} // namespace

void transpose(const Tensor &x, const std::vector<int64_t> &perm, Tensor &y) {
  const char *kn = "transpose";
  detail::requireDType(kn, "X", x, x.dtype());
  detail::requireDType(kn, "Y", y, x.dtype());
  size_t rank = x.shape().size();
  if (perm.size() != rank)
    fail(kn,
         "perm has " + std::to_string(perm.size()) + " entries for X " + shapeToString(x.shape()));
  std::vector<bool> seen(rank, false);
  Shape want(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t ax = perm[i];
    if (ax < 0 || ax >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(ax)])
      fail(kn, "perm is not a permutation of 0.." + std::to_string(rank - 1) + " (entry " +
                   std::to_string(ax) + ")");
    seen[static_cast<size_t>(ax)] = true;
    want[i] = x.dim(ax);
  }
  detail::requireShape(kn, "Y", y, want);

  int64_t n = x.numel();
  if (n == 0)
    return;
  size_t es = dtypeSize(x.dtype());
  const auto *src = static_cast<const unsigned char *>(x.raw());
  auto *dst = static_cast<unsigned char *>(y.raw());
  Walk w = makeWalk(x.shape(), perm);
  // Nothing moves relative to memory order (identity, or only size-1 axes permuted).
  if (w.extent.size() <= 1 && (w.extent.empty() || w.srcStride[0] == 1)) {
    std::memcpy(dst, src, static_cast<size_t>(n) * es);
    return;
  }
  switch (es) {
  case 1:
    return walkCopy<1>(w, src, dst, n, es);
  case 2:
    return walkCopy<2>(w, src, dst, n, es);
  case 4:
    return walkCopy<4>(w, src, dst, n, es);
  case 8:
    return walkCopy<8>(w, src, dst, n, es);
  default:
    return walkCopy<0>(w, src, dst, n, es);
  }
}

namespace {

using Maps = AxisMaps;

/// remap with the element size ES known at compile time (0: the run-time `es`).
template <size_t ES>
void remapCopy(const Maps &maps, const std::vector<int64_t> &xStride, const unsigned char *x,
               const unsigned char *fill, unsigned char *y, size_t es) {
  const size_t size = ES ? ES : es;
  const size_t rank = maps.size();
  if (rank == 0) {
    std::memcpy(y, x, size);
    return;
  }
  // partial[a]: the byte offset of axes < a at the current index, -1 when one of them pads.
  std::vector<int64_t> idx(rank, 0), partial(rank + 1, 0);
  auto offsetAt = [&](size_t a) {
    int64_t m = maps[a][static_cast<size_t>(idx[a])];
    return partial[a] < 0 || m < 0 ? int64_t(-1) : partial[a] + m * xStride[a];
  };
  for (size_t a = 0; a + 1 < rank; ++a)
    partial[a + 1] = offsetAt(a);
  const std::vector<int64_t> &inner = maps[rank - 1];
  const int64_t innerStride = xStride[rank - 1];
  for (;;) {
    const int64_t base = partial[rank - 1];
    for (int64_t m : inner) {
      const unsigned char *src = base < 0 || m < 0 ? fill : x + base + m * innerStride;
      std::memcpy(y, src, size);
      y += size;
    }
    size_t a = rank - 1;
    while (a-- > 0) {
      if (++idx[a] < static_cast<int64_t>(maps[a].size()))
        break;
      idx[a] = 0;
    }
    if (a == static_cast<size_t>(-1))
      return;
    for (size_t b = a; b + 1 < rank; ++b)
      partial[b + 1] = offsetAt(b);
  }
}

void remapChecked(const char *kn, const Tensor &x, const Maps &maps, const Tensor *fill,
                  Tensor &y) {
  detail::requireData(kn, "X", x);
  detail::requireDType(kn, "Y", y, x.dtype());
  const size_t rank = x.shape().size();
  if (maps.size() != rank || y.shape().size() != rank)
    fail(kn, "internal: maps of rank " + std::to_string(maps.size()) + " for X " +
                 shapeToString(x.shape()) + " and Y " + shapeToString(y.shape()));
  bool fills = false;
  for (size_t a = 0; a < rank; ++a) {
    if (static_cast<int64_t>(maps[a].size()) != y.dim(static_cast<int64_t>(a)))
      fail(kn, "Y has shape " + shapeToString(y.shape()) + ", expected " +
                   std::to_string(maps[a].size()) + " along axis " + std::to_string(a));
    for (int64_t m : maps[a]) {
      if (m >= x.dim(static_cast<int64_t>(a)) || m < -1)
        fail(kn, "internal: index " + std::to_string(m) + " outside axis " + std::to_string(a) +
                     " of X " + shapeToString(x.shape()));
      fills |= m < 0;
    }
  }
  if (fills && (!fill || fill->dtype() != x.dtype() || fill->numel() != 1 || !fill->defined()))
    fail(kn,
         "the fill value must be one element of X's dtype " + std::string(dtypeName(x.dtype())));
  if (y.numel() == 0)
    return;
  const size_t es = dtypeSize(x.dtype());
  std::vector<int64_t> xStride(rank, static_cast<int64_t>(es));
  for (size_t a = rank; a-- > 1;)
    xStride[a - 1] = xStride[a] * x.dim(static_cast<int64_t>(a));
  const auto *src = static_cast<const unsigned char *>(x.raw());
  const auto *f = fills ? static_cast<const unsigned char *>(fill->raw()) : nullptr;
  auto *dst = static_cast<unsigned char *>(y.raw());
  switch (es) {
  case 1:
    return remapCopy<1>(maps, xStride, src, f, dst, es);
  case 2:
    return remapCopy<2>(maps, xStride, src, f, dst, es);
  case 4:
    return remapCopy<4>(maps, xStride, src, f, dst, es);
  case 8:
    return remapCopy<8>(maps, xStride, src, f, dst, es);
  default:
    return remapCopy<0>(maps, xStride, src, f, dst, es);
  }
}

/// 0, 1, .., n - 1.
std::vector<int64_t> identityMap(int64_t n) {
  std::vector<int64_t> m(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    m[static_cast<size_t>(i)] = i;
  return m;
}

} // namespace

std::optional<PadMode> padModeNamed(const std::string &name) {
  if (name == "constant")
    return PadMode::Constant;
  if (name == "reflect")
    return PadMode::Reflect;
  if (name == "edge")
    return PadMode::Edge;
  if (name == "wrap")
    return PadMode::Wrap;
  return std::nullopt;
}

Shape broadcastAligned(const Shape &x, size_t rank) {
  Shape out(rank - std::min(rank, x.size()), 1);
  out.insert(out.end(), x.begin(), x.end());
  return out;
}

void remap(const Tensor &x, const std::vector<std::vector<int64_t>> &maps, const Tensor *fill,
           Tensor &y) {
  remapChecked("remap", x, maps, fill, y);
}

AxisMaps sliceMaps(const Shape &x, const std::vector<int64_t> &starts,
                   const std::vector<int64_t> &ends, const std::vector<int64_t> &axes,
                   const std::vector<int64_t> &steps) {
  const char *kn = "slice";
  const int64_t rank = static_cast<int64_t>(x.size());
  if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size())
    fail(kn, "starts, ends, axes and steps differ in length");
  AxisMaps maps;
  for (int64_t a = 0; a < rank; ++a)
    maps.push_back(identityMap(x[static_cast<size_t>(a)]));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = axes[i];
    if (a < 0 || a >= rank || seen[static_cast<size_t>(a)])
      fail(kn,
           "axis " + std::to_string(a) + " is out of range or repeated for X " + shapeToString(x));
    if (steps[i] == 0)
      fail(kn, "a step is 0");
    seen[static_cast<size_t>(a)] = true;
    SliceRange r = sliceRange(x[static_cast<size_t>(a)], starts[i], ends[i], steps[i]);
    auto &m = maps[static_cast<size_t>(a)];
    m.resize(static_cast<size_t>(r.count));
    for (int64_t j = 0; j < r.count; ++j)
      m[static_cast<size_t>(j)] = r.first + j * steps[i];
  }
  return maps;
}

void slice(const Tensor &x, const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
           const std::vector<int64_t> &axes, const std::vector<int64_t> &steps, Tensor &y) {
  remapChecked("slice", x, sliceMaps(x.shape(), starts, ends, axes, steps), nullptr, y);
}

AxisMaps expandMaps(const Shape &x, const Shape &y) {
  const char *kn = "expand";
  if (x.size() > y.size())
    fail(kn, "X " + shapeToString(x) + " has more axes than Y " + shapeToString(y));
  const Shape xs = broadcastAligned(x, y.size());
  AxisMaps maps;
  for (size_t a = 0; a < xs.size(); ++a) {
    const int64_t out = y[a];
    if (xs[a] != 1 && xs[a] != out)
      fail(kn, "X " + shapeToString(x) + " does not broadcast to Y " + shapeToString(y));
    maps.push_back(xs[a] == 1 ? std::vector<int64_t>(static_cast<size_t>(out), 0)
                              : identityMap(out));
  }
  return maps;
}

void expand(const Tensor &x, Tensor &y) {
  if (x.shape().size() > y.shape().size())
    fail("expand",
         "X " + shapeToString(x.shape()) + " has more axes than Y " + shapeToString(y.shape()));
  remapChecked("expand", x.reshaped(broadcastAligned(x.shape(), y.shape().size())),
               expandMaps(x.shape(), y.shape()), nullptr, y);
}

AxisMaps tileMaps(const Shape &x, const std::vector<int64_t> &repeats) {
  const char *kn = "tile";
  if (repeats.size() != x.size())
    fail(kn,
         "repeats has " + std::to_string(repeats.size()) + " entries for X " + shapeToString(x));
  AxisMaps maps;
  for (size_t a = 0; a < x.size(); ++a) {
    const int64_t r = repeats[a], d = x[a];
    std::optional<int64_t> n = checkedMul(r, d);
    if (r < 0 || !n)
      fail(kn, "repeat " + std::to_string(r) + " along axis " + std::to_string(a) + " is invalid");
    std::vector<int64_t> m(static_cast<size_t>(*n));
    for (int64_t i = 0; i < *n; ++i)
      m[static_cast<size_t>(i)] = i % d;
    maps.push_back(std::move(m));
  }
  return maps;
}

void tile(const Tensor &x, const std::vector<int64_t> &repeats, Tensor &y) {
  remapChecked("tile", x, tileMaps(x.shape(), repeats), nullptr, y);
}

AxisMaps padMaps(const Shape &x, const std::vector<int64_t> &pads, PadMode mode) {
  const char *kn = "pad";
  const int64_t rank = static_cast<int64_t>(x.size());
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    fail(kn, "pads has " + std::to_string(pads.size()) + " entries for X " + shapeToString(x));
  AxisMaps maps;
  for (int64_t a = 0; a < rank; ++a) {
    const int64_t begin = pads[static_cast<size_t>(a)], end = pads[static_cast<size_t>(a + rank)];
    const int64_t d = x[static_cast<size_t>(a)];
    std::optional<int64_t> n = checkedAdd(d, begin);
    n = n ? checkedAdd(*n, end) : n;
    if (!n || *n < 0)
      fail(kn, "pads " + std::to_string(begin) + " and " + std::to_string(end) + " along axis " +
                   std::to_string(a) + " do not fit X " + shapeToString(x));
    const bool padded = begin > 0 || end > 0;
    if (padded && mode != PadMode::Constant && d == 0)
      fail(kn, "cannot pad an empty axis " + std::to_string(a) + " except with a constant");
    if (padded && mode == PadMode::Reflect && d == 1)
      fail(kn, "reflect padding needs axis " + std::to_string(a) + " longer than 1");
    std::vector<int64_t> m(static_cast<size_t>(*n));
    for (int64_t i = 0; i < *n; ++i) {
      int64_t src = i - begin;
      if (src < 0 || src >= d) {
        switch (mode) {
        case PadMode::Constant:
          src = -1;
          break;
        case PadMode::Edge:
          src = src < 0 ? 0 : d - 1;
          break;
        case PadMode::Wrap:
          src = ((src % d) + d) % d;
          break;
        case PadMode::Reflect: {
          const int64_t period = 2 * (d - 1);
          src = ((src % period) + period) % period;
          if (src >= d)
            src = period - src;
          break;
        }
        }
      }
      m[static_cast<size_t>(i)] = src;
    }
    maps.push_back(std::move(m));
  }
  return maps;
}

void pad(const Tensor &x, const std::vector<int64_t> &pads, PadMode mode, const Tensor *value,
         Tensor &y) {
  remapChecked("pad", x, padMaps(x.shape(), pads, mode), value, y);
}

void concat(const std::vector<const Tensor *> &inputs, int64_t axis, Tensor &y) {
  const char *kn = "concat";
  if (inputs.empty())
    fail(kn, "no inputs");
  const Tensor &first = *inputs[0];
  if (axis < 0 || axis >= first.rank())
    fail(kn,
         "axis " + std::to_string(axis) + " is out of range for " + shapeToString(first.shape()));
  Shape want = first.shape();
  want[static_cast<size_t>(axis)] = 0;
  for (const Tensor *t : inputs) {
    detail::requireDType(kn, "an input", *t, first.dtype());
    bool ok = t->rank() == first.rank();
    for (int64_t a = 0; ok && a < first.rank(); ++a)
      ok = a == axis || t->dim(a) == first.dim(a);
    if (!ok)
      fail(kn, "inputs " + shapeToString(first.shape()) + " and " + shapeToString(t->shape()) +
                   " differ other than along axis " + std::to_string(axis));
    want[static_cast<size_t>(axis)] += t->dim(axis);
  }
  detail::requireDType(kn, "Y", y, first.dtype());
  detail::requireShape(kn, "Y", y, want);
  const size_t es = dtypeSize(first.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= first.dim(a);
  for (int64_t a = axis + 1; a < first.rank(); ++a)
    inner *= first.dim(a);
  auto *dst = static_cast<unsigned char *>(y.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor *t : inputs) {
      const size_t block = static_cast<size_t>(t->dim(axis) * inner) * es;
      if (block)
        std::memcpy(dst, static_cast<const unsigned char *>(t->raw()) + o * block, block);
      dst += block;
    }
}

namespace {
template <typename I>
void gatherBlocks(const I *idx, int64_t count, int64_t dim, int64_t outer, size_t block,
                  const unsigned char *x, unsigned char *y) {
  for (int64_t j = 0; j < count; ++j)
    if (idx[j] < -dim || idx[j] >= dim)
      fail("gather", "index " + std::to_string(idx[j]) + " is out of range for an axis of " +
                         std::to_string(dim));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) {
      const int64_t i = idx[j] < 0 ? idx[j] + dim : idx[j];
      std::memcpy(y, x + static_cast<size_t>(o * dim + i) * block, block);
      y += block;
    }
}
} // namespace

void gather(const Tensor &x, const Tensor &indices, int64_t axis, Tensor &y) {
  const char *kn = "gather";
  detail::requireData(kn, "X", x);
  detail::requireData(kn, "indices", indices);
  if (axis < 0 || axis >= x.rank())
    fail(kn, "axis " + std::to_string(axis) + " is out of range for X " + shapeToString(x.shape()));
  Shape want(x.shape().begin(), x.shape().begin() + axis);
  want.insert(want.end(), indices.shape().begin(), indices.shape().end());
  want.insert(want.end(), x.shape().begin() + axis + 1, x.shape().end());
  detail::requireDType(kn, "Y", y, x.dtype());
  detail::requireShape(kn, "Y", y, want);
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= x.dim(a);
  for (int64_t a = axis + 1; a < x.rank(); ++a)
    inner *= x.dim(a);
  const size_t block = static_cast<size_t>(inner) * dtypeSize(x.dtype());
  const auto *src = static_cast<const unsigned char *>(x.raw());
  auto *dst = static_cast<unsigned char *>(y.raw());
  if (indices.dtype() == DType::I64)
    gatherBlocks(indices.data<int64_t>(), indices.numel(), x.dim(axis), outer, block, src, dst);
  else if (indices.dtype() == DType::I32)
    gatherBlocks(indices.data<int32_t>(), indices.numel(), x.dim(axis), outer, block, src, dst);
  else
    fail(kn, std::string("indices must be int32 or int64, got ") + dtypeName(indices.dtype()));
}

} // namespace cimlir::cpu
