#include "kernels/cpu/Pool.h"

#include "core/ShapeMath.h"

#include "kernels/cpu/Check.h"

#include <algorithm>
#include <limits>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

} // namespace

PoolGeometry poolGeometry(const char *kn, const Tensor &x, const PoolParams &p, const Tensor &y) {
  if (x.rank() < 3)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, D1..Dk] with k >= 1");
  if (y.rank() != x.rank() || y.dim(0) != x.dim(0) || y.dim(1) != x.dim(1))
    fail(kn, "Y " + shapeToString(y.shape()) + " must be [N, C, O1..Ok] for X " +
                 shapeToString(x.shape()));
  PoolGeometry g;
  g.k = static_cast<size_t>(x.rank() - 2);
  if (p.kernel.size() != g.k)
    fail(kn, "kernel_shape has " + std::to_string(p.kernel.size()) + " entries, expected " +
                 std::to_string(g.k));
  std::vector<int64_t> kernel = detail::perAxis(kn, "kernel_shape", p.kernel, g.k, 1, 1);
  std::vector<int64_t> strides = detail::perAxis(kn, "strides", p.strides, g.k, 1, 1);
  std::vector<int64_t> pads = detail::perAxis(kn, "pads", p.pads, 2 * g.k, 0, 0);
  g.dilations = detail::perAxis(kn, "dilations", p.dilations, g.k, 1, 1);
  g.planes = x.dim(0) * x.dim(1);

  for (size_t i = 0; i < g.k; ++i) {
    int64_t d = x.dim(2 + i), o = y.dim(2 + i), s = strides[i], dil = g.dilations[i];
    int64_t padBegin = pads[i], padEnd = pads[g.k + i];
    WindowFit fit;
    if (std::string problem = fitWindow({d, kernel[i], s, dil, padBegin, padEnd}, fit);
        !problem.empty())
      fail(kn, "X " + shapeToString(x.shape()) + ", spatial axis " + std::to_string(i) +
                   ": window " + problem);
    // ceil_mode is resolved into Y's shape, so any extent between floor and ceil is legal.
    const int64_t floorOut = fit.floorOut, ceilOut = fit.ceilOut;
    if (o < floorOut || o > ceilOut)
      fail(kn, "Y " + shapeToString(y.shape()) + " has extent " + std::to_string(o) +
                   " on spatial axis " + std::to_string(i) + ", the attributes allow " +
                   std::to_string(floorOut) +
                   (ceilOut != floorOut ? " or " + std::to_string(ceilOut) : std::string()));
    std::vector<AxisWindow> ws(static_cast<size_t>(o));
    for (int64_t j = 0; j < o; ++j) {
      AxisWindow &w = ws[static_cast<size_t>(j)];
      w.start = j * s - padBegin;
      w.tapLo = std::min(kernel[i], w.start >= 0 ? 0 : ceilDiv(-w.start, dil));
      w.tapHi = std::max(w.tapLo, std::min(kernel[i], ceilDiv(d - w.start, dil)));
      // Positions before the window's start never fall below -pad_begin, so only the end
      // bound matters; ceil-mode overhang past pad_end is not counted (as onnxruntime).
      w.padTaps = std::clamp<int64_t>(ceilDiv(d + padEnd - w.start, dil), 0, kernel[i]);
    }
    g.windows.push_back(std::move(ws));
    g.in.push_back(d);
    g.out.push_back(o);
    g.inSize *= d;
    g.outSize *= o;
  }
  return g;
}

namespace {

/// Calls row(offset, count) for each run of in-bounds taps along the last axis of the
/// window; the run reads offset, offset + dilation, ... of the input plane. All axes of the
/// window must be non-empty.
template <typename Row>
void visitWindow(const PoolGeometry &g, const std::vector<const AxisWindow *> &w,
                 std::vector<int64_t> &tap, Row &&row) {
  size_t k = g.k;
  const AxisWindow &last = *w[k - 1];
  for (size_t i = 0; i + 1 < k; ++i)
    tap[i] = w[i]->tapLo;
  while (true) {
    int64_t off = 0;
    for (size_t i = 0; i + 1 < k; ++i)
      off = off * g.in[i] + w[i]->start + tap[i] * g.dilations[i];
    off = off * g.in[k - 1] + last.start + last.tapLo * g.dilations[k - 1];
    row(off, last.tapHi - last.tapLo);
    bool done = true;
    for (size_t i = k - 1; i-- > 0;) {
      if (++tap[i] < w[i]->tapHi) {
        done = false;
        break;
      }
      tap[i] = w[i]->tapLo;
    }
    if (done)
      return;
  }
}

/// Runs reduce(xPlane, yOut, windows, empty) for every output position of every plane.
template <typename T, typename Reduce>
void forEachOutput(const PoolGeometry &g, const T *x, T *y, Reduce &&reduce) {
  std::vector<int64_t> o(g.k, 0);
  std::vector<const AxisWindow *> w(g.k);
  for (int64_t p = 0; p < g.planes; ++p) {
    const T *plane = x + p * g.inSize;
    std::fill(o.begin(), o.end(), 0);
    for (int64_t idx = 0; idx < g.outSize; ++idx) {
      bool empty = false;
      for (size_t i = 0; i < g.k; ++i) {
        w[i] = &g.windows[i][static_cast<size_t>(o[i])];
        empty |= w[i]->tapLo >= w[i]->tapHi;
      }
      reduce(plane, y + p * g.outSize + idx, w, empty);
      for (size_t i = g.k; i-- > 0;) {
        if (++o[i] < g.out[i])
          break;
        o[i] = 0;
      }
    }
  }
}

/// The 2-D case (nearly every CNN) without the N-d bookkeeping of forEachOutput and
/// visitWindow; same windows, same result.
template <typename T> void maxPool2d(const PoolGeometry &g, const T *x, T *y) {
  const auto &rowsW = g.windows[0], &colsW = g.windows[1];
  const int64_t width = g.in[1], dy = g.dilations[0], dx = g.dilations[1];
  for (int64_t p = 0; p < g.planes; ++p) {
    const T *plane = x + p * g.inSize;
    T *out = y + p * g.outSize;
    for (const AxisWindow &a : rowsW)
      for (const AxisWindow &b : colsW) {
        T best = std::numeric_limits<T>::lowest();
        for (int64_t ty = a.tapLo; ty < a.tapHi; ++ty) {
          const T *row = plane + (a.start + ty * dy) * width + b.start;
          for (int64_t tx = b.tapLo; tx < b.tapHi; ++tx)
            best = std::max(best, row[tx * dx]);
        }
        *out++ = best;
      }
  }
}

template <typename T> void maxPoolTyped(const PoolGeometry &g, const T *x, T *y) {
  if (g.k == 2)
    return maxPool2d(g, x, y);
  std::vector<int64_t> tap(g.k);
  int64_t dl = g.dilations[g.k - 1];
  forEachOutput(g, x, y,
                [&](const T *plane, T *out, const std::vector<const AxisWindow *> &w, bool empty) {
                  // An all-padding window (pads >= kernel, which ONNX forbids) yields lowest() as
                  // onnxruntime does rather than reading anything.
                  T best = std::numeric_limits<T>::lowest();
                  if (!empty)
                    visitWindow(g, w, tap, [&](int64_t off, int64_t count) {
                      const T *r = plane + off;
                      for (int64_t j = 0; j < count; ++j)
                        best = std::max(best, r[j * dl]);
                    });
                  *out = best;
                });
}

} // namespace

void maxPool(const Tensor &x, const PoolParams &p, Tensor &y) {
  const char *kn = "maxPool";
  DType dt = x.dtype();
  if (dt != DType::F32 && dt != DType::U8 && dt != DType::I8)
    fail(kn, std::string("X is ") + dtypeName(dt) + ", expected float32, uint8 or int8");
  requireDType(kn, "X", x, dt);
  requireDType(kn, "Y", y, dt);
  PoolGeometry g = poolGeometry(kn, x, p, y);
  switch (dt) {
  case DType::F32:
    maxPoolTyped(g, x.data<float>(), y.data<float>());
    break;
  case DType::U8:
    maxPoolTyped(g, x.data<uint8_t>(), y.data<uint8_t>());
    break;
  default:
    maxPoolTyped(g, x.data<int8_t>(), y.data<int8_t>());
    break;
  }
}

void averagePool(const Tensor &x, const PoolParams &p, Tensor &y) {
  const char *kn = "averagePool";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  PoolGeometry g = poolGeometry(kn, x, p, y);
  std::vector<int64_t> tap(g.k);
  int64_t dl = g.dilations[g.k - 1];
  forEachOutput(
      g, x.data<float>(), y.data<float>(),
      [&](const float *plane, float *out, const std::vector<const AxisWindow *> &w, bool empty) {
        double sum = 0.0; // as globalAveragePool: windows can be whole rows of a plane
        int64_t count = 1;
        for (size_t i = 0; i < g.k; ++i)
          count *= p.countIncludePad ? w[i]->padTaps : w[i]->tapHi - w[i]->tapLo;
        if (!empty)
          visitWindow(g, w, tap, [&](int64_t off, int64_t n) {
            const float *r = plane + off;
            for (int64_t j = 0; j < n; ++j)
              sum += r[j * dl];
          });
        // A window with nothing to count averages to 0 instead of 0/0 = NaN.
        *out = count > 0 ? static_cast<float>(sum / static_cast<double>(count)) : 0.0f;
      });
}

void globalAveragePool(const Tensor &x, Tensor &y) {
  const char *kn = "globalAveragePool";
  requireDType(kn, "X", x, DType::F32);
  requireDType(kn, "Y", y, DType::F32);
  if (x.rank() < 3)
    fail(kn, "X " + shapeToString(x.shape()) + " must be [N, C, D1..Dk] with k >= 1");
  Shape want(x.shape().size(), 1);
  want[0] = x.dim(0);
  want[1] = x.dim(1);
  detail::requireShape(kn, "Y", y, want);
  int64_t planes = x.dim(0) * x.dim(1);
  int64_t size = x.numel() / std::max<int64_t>(planes, 1);
  if (planes > 0 && size == 0)
    fail(kn, "X " + shapeToString(x.shape()) + " has an empty spatial extent to average");
  const float *xv = x.data<float>();
  float *yv = y.data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    // Whole planes can hold many thousands of values; a double sum keeps the mean exact
    // to float precision regardless of the plane size.
    double sum = 0.0;
    const float *plane = xv + p * size;
    for (int64_t i = 0; i < size; ++i)
      sum += plane[i];
    yv[p] = static_cast<float>(sum / static_cast<double>(size));
  }
}

} // namespace cimlir::cpu
