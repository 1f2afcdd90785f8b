#include "kernels/cpu/Layout.h"

#include "kernels/cpu/Check.h"

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

} // namespace cimlir::cpu
