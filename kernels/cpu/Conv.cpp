#include "kernels/cpu/Conv.h"

#include "core/ShapeMath.h"

#include "kernels/cpu/Check.h"

#include <limits>

#include <cblas.h>

#include <algorithm>
#include <cstring>

namespace cimlir::cpu {

using detail::blasInt;
using detail::fail;
using detail::requireDType;

namespace {

/// Lowers one group of one image to the [Cg * prod(K), prod(O)] column matrix, so the whole
/// convolution of the group is one GEMM. Positions in the padding read as zero.
void im2col(const float *x, int64_t channels, const ConvExtents &g, float *col) {
  size_t k = g.k;
  int64_t innerOut = g.out[k - 1];
  int64_t outerOut = g.outSize / std::max<int64_t>(innerOut, 1);
  int64_t innerStride = g.strides[k - 1], innerDil = g.dilations[k - 1];
  int64_t innerPad = g.padBegin[k - 1], innerIn = g.in[k - 1];
  std::vector<int64_t> tap(k), outIdx(k);

  for (int64_t c = 0; c < channels; ++c) {
    const float *plane = x + c * g.inSize;
    std::fill(tap.begin(), tap.end(), 0);
    for (int64_t t = 0; t < g.kernelSize; ++t) {
      // The inner output axis reads input positions o*s + off; precompute the o range that
      // lands inside [0, D) so the hot loop has no bounds test.
      int64_t off = tap[k - 1] * innerDil - innerPad;
      int64_t oLo = off >= 0 ? 0 : (-off + innerStride - 1) / innerStride;
      int64_t oHi = innerIn - off <= 0 ? 0 : (innerIn - off - 1) / innerStride + 1;
      oLo = std::min(oLo, innerOut);
      oHi = std::min(std::max(oHi, oLo), innerOut);

      std::fill(outIdx.begin(), outIdx.end(), 0);
      for (int64_t r = 0; r < outerOut; ++r, col += innerOut) {
        // Outer axes: one input row per output row, or all padding.
        int64_t base = 0;
        bool inside = true;
        for (size_t i = 0; i + 1 < k; ++i) {
          int64_t pos = outIdx[i] * g.strides[i] - g.padBegin[i] + tap[i] * g.dilations[i];
          if (pos < 0 || pos >= g.in[i]) {
            inside = false;
            break;
          }
          base = base * g.in[i] + pos;
        }
        if (!inside) {
          std::fill(col, col + innerOut, 0.0f);
        } else {
          const float *row = plane + base * innerIn;
          std::fill(col, col + oLo, 0.0f);
          if (innerStride == 1 && oHi > oLo)
            std::memcpy(col + oLo, row + oLo + off, sizeof(float) * static_cast<size_t>(oHi - oLo));
          else
            for (int64_t o = oLo; o < oHi; ++o)
              col[o] = row[o * innerStride + off];
          std::fill(col + oHi, col + innerOut, 0.0f);
        }
        for (size_t i = k - 1; i-- > 0;) {
          if (++outIdx[i] < g.out[i])
            break;
          outIdx[i] = 0;
        }
      }
      for (size_t i = k; i-- > 0;) {
        if (++tap[i] < g.kernel[i])
          break;
        tap[i] = 0;
      }
    }
  }
}

} // namespace

ConvExtents convExtents(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p,
                        const Tensor &y) {
  const char *kn = "conv";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "W", w, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  if (x.rank() < 3)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, D1..Dk] with k >= 1");
  if (w.rank() != x.rank())
    fail(kn,
         "W " + shapeToString(w.shape()) + " must have the rank of X " + shapeToString(x.shape()));
  if (y.rank() != x.rank())
    fail(kn,
         "Y " + shapeToString(y.shape()) + " must have the rank of X " + shapeToString(x.shape()));

  ConvExtents g;
  g.k = static_cast<size_t>(x.rank() - 2);
  g.strides = detail::perAxis(kn, "strides", p.strides, g.k, 1, 1);
  g.dilations = detail::perAxis(kn, "dilations", p.dilations, g.k, 1, 1);
  std::vector<int64_t> pads = detail::perAxis(kn, "pads", p.pads, 2 * g.k, 0, 0);
  g.padBegin.assign(pads.begin(), pads.begin() + g.k);

  int64_t n = x.dim(0), c = x.dim(1), m = w.dim(0), group = p.group;
  if (group < 1 || c % group != 0 || m % group != 0)
    fail(kn, "group " + std::to_string(group) + " must divide the " + std::to_string(c) +
                 " input and " + std::to_string(m) + " output channels");
  const int64_t cg = c / group;
  if (w.dim(1) != cg)
    fail(kn, "W " + shapeToString(w.shape()) + " must have C/group = " + std::to_string(cg) +
                 " input channels");
  if (y.dim(0) != n || y.dim(1) != m)
    fail(kn, "Y " + shapeToString(y.shape()) + " must be [" + std::to_string(n) + ", " +
                 std::to_string(m) + ", ...]");
  if (b) {
    requireDType(kn, "B", *b, DType::F32);
    if (b->shape() != Shape{m})
      fail(kn, "bias " + shapeToString(b->shape()) + " must be [" + std::to_string(m) + "]");
  }

  for (size_t i = 0; i < g.k; ++i) {
    int64_t d = x.dim(2 + i), kk = w.dim(2 + i);
    WindowFit fit;
    if (std::string problem =
            fitWindow({d, kk, g.strides[i], g.dilations[i], pads[i], pads[g.k + i]}, fit);
        !problem.empty())
      fail(kn, "kernel " + shapeToString(w.shape()) + " on X " + shapeToString(x.shape()) +
                   ", spatial axis " + std::to_string(i) + ": window " + problem);
    int64_t o = fit.floorOut;
    if (y.dim(2 + i) != o)
      fail(kn, "Y " + shapeToString(y.shape()) + " has extent " + std::to_string(y.dim(2 + i)) +
                   " on spatial axis " + std::to_string(i) + ", the attributes give " +
                   std::to_string(o));
    g.in.push_back(d);
    g.kernel.push_back(kk);
    g.out.push_back(o);
    g.inSize *= d;
    g.kernelSize *= kk;
    g.outSize *= o;
  }
  return g;
}

void conv(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p, Tensor &y) {
  const char *kn = "conv";
  const ConvExtents g = convExtents(x, w, b, p, y);
  const std::vector<int64_t> pads = detail::perAxis(kn, "pads", p.pads, 2 * g.k, 0, 0);
  const int64_t n = x.dim(0), c = x.dim(1), m = w.dim(0), group = p.group;
  const int64_t cg = c / group, mg = m / group;
  const float *xv = x.data<float>();
  const float *wv = w.data<float>();
  float *yv = y.data<float>();
  int64_t rows = cg * g.kernelSize; // GEMM inner extent
  bool pointwise =
      g.kernelSize == 1 && g.inSize == g.outSize &&
      std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; }) &&
      std::all_of(g.strides.begin(), g.strides.end(), [](int64_t v) { return v == 1; });
  std::vector<float> col;
  if (!pointwise)
    col.resize(static_cast<size_t>(rows * g.outSize));

  if (n > 0 && mg > 0 && g.outSize > 0) {
    int ldcol = blasInt(kn, g.outSize);
    for (int64_t img = 0; img < n; ++img) {
      for (int64_t gi = 0; gi < group; ++gi) {
        const float *xg = xv + (img * c + gi * cg) * g.inSize;
        float *yg = yv + (img * m + gi * mg) * g.outSize;
        if (rows == 0) {
          std::fill(yg, yg + mg * g.outSize, 0.0f);
          continue;
        }
        // A 1x1 unit-stride kernel without padding reads X itself as the column matrix.
        const float *colv = xg;
        if (!pointwise) {
          im2col(xg, cg, g, col.data());
          colv = col.data();
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasInt(kn, mg), ldcol,
                    blasInt(kn, rows), 1.0f, wv + gi * mg * rows, blasInt(kn, rows), colv, ldcol,
                    0.0f, yg, ldcol);
      }
      if (b) {
        const float *bv = b->data<float>();
        for (int64_t oc = 0; oc < m; ++oc) {
          float *plane = yv + (img * m + oc) * g.outSize;
          for (int64_t i = 0; i < g.outSize; ++i)
            plane[i] += bv[oc];
        }
      }
    }
  }
}

ConvTransposeGeometry convTransposeGeometry(const Tensor &x, const Tensor &w, const Tensor *b,
                                            const ConvParams &p, const Tensor &y) {
  const char *kn = "convTranspose";
  detail::requireDType(kn, "X", x, DType::F32);
  detail::requireDType(kn, "W", w, DType::F32);
  detail::requireDType(kn, "Y", y, DType::F32);
  const int64_t rank = x.rank();
  if (rank < 3 || w.rank() != rank || y.rank() != rank)
    fail(kn, "X " + shapeToString(x.shape()) + ", W " + shapeToString(w.shape()) + " and Y " +
                 shapeToString(y.shape()) + " must be [N, C, spatial...] of one rank >= 3");
  const size_t spatial = static_cast<size_t>(rank - 2);
  const int64_t n = x.dim(0), c = x.dim(1), g = p.group;
  if (g < 1 || c % g != 0 || w.dim(0) != c || y.dim(0) != n || y.dim(1) != w.dim(1) * g)
    fail(kn, "group " + std::to_string(g) + " does not fit X " + shapeToString(x.shape()) + ", W " +
                 shapeToString(w.shape()) + " and Y " + shapeToString(y.shape()));
  ConvTransposeGeometry geo;
  geo.strides = detail::perAxis(kn, "strides", p.strides, spatial, 1, 1);
  geo.dilations = detail::perAxis(kn, "dilations", p.dilations, spatial, 1, 1);
  geo.pads =
      detail::perAxis(kn, "pads", p.pads, 2 * spatial, 0, std::numeric_limits<int64_t>::min());
  if (b) {
    detail::requireDType(kn, "B", *b, DType::F32);
    detail::requireShape(kn, "B", *b, {y.dim(1)});
  }
  return geo;
}

void convTranspose(const Tensor &x, const Tensor &w, const Tensor *b, const ConvParams &p,
                   Tensor &y) {
  const ConvTransposeGeometry geo = convTransposeGeometry(x, w, b, p, y);
  const std::vector<int64_t> &strides = geo.strides, &dil = geo.dilations, &pads = geo.pads;
  const size_t spatial = static_cast<size_t>(x.rank() - 2);
  const int64_t n = x.dim(0), c = x.dim(1), g = p.group;
  const int64_t m = y.dim(1), mg = m / g, cg = c / g;
  // Spatial sizes and row-major strides of X, W and Y.
  std::vector<int64_t> xin(spatial), ker(spatial), out(spatial);
  int64_t xs = 1, ks = 1, ys = 1;
  for (size_t a = 0; a < spatial; ++a) {
    xin[a] = x.dim(static_cast<int64_t>(a) + 2);
    ker[a] = w.dim(static_cast<int64_t>(a) + 2);
    out[a] = y.dim(static_cast<int64_t>(a) + 2);
    xs *= xin[a];
    ks *= ker[a];
    ys *= out[a];
  }
  const float *xv = x.data<float>(), *wv = w.data<float>();
  float *yv = y.data<float>();
  for (int64_t img = 0; img < n; ++img)
    for (int64_t oc = 0; oc < m; ++oc)
      std::fill(yv + (img * m + oc) * ys, yv + (img * m + oc + 1) * ys,
                b ? b->data<float>()[oc] : 0.0f);
  std::vector<int64_t> xi(spatial), ki(spatial);
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ic = 0; ic < c; ++ic) {
      const int64_t grp = ic / cg;
      for (int64_t xf = 0; xf < xs; ++xf) {
        for (int64_t r = xf, a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
          xi[a] = r % xin[a];
          r /= xin[a];
        }
        const float xval = xv[(img * c + ic) * xs + xf];
        for (int64_t kf = 0; kf < ks; ++kf) {
          int64_t of = 0;
          bool inside = true;
          for (int64_t r = kf, a = static_cast<int64_t>(spatial) - 1; a >= 0; --a) {
            ki[a] = r % ker[a];
            r /= ker[a];
          }
          for (size_t a = 0; a < spatial && inside; ++a) {
            const int64_t o = xi[a] * strides[a] - pads[a] + ki[a] * dil[a];
            inside = o >= 0 && o < out[a];
            of = of * out[a] + o;
          }
          if (!inside)
            continue;
          for (int64_t oc = 0; oc < mg; ++oc)
            yv[(img * m + grp * mg + oc) * ys + of] += xval * wv[(ic * mg + oc) * ks + kf];
        }
      }
    }
}

} // namespace cimlir::cpu
