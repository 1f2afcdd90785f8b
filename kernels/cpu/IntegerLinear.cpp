#include "kernels/cpu/IntegerLinear.h"

#include "kernels/cpu/Check.h"

#include <vector>

namespace cimlir::cpu {

using detail::fail;

namespace {

void requireInt8(const char *kn, const char *what, const Tensor &t) {
  if (t.dtype() != DType::I8 && t.dtype() != DType::U8)
    fail(kn, std::string(what) + " is " + dtypeName(t.dtype()) + ", expected int8 or uint8");
}

/// The values of an int8 or uint8 tensor widened to int32.
std::vector<int32_t> widen(const char *kn, const char *what, const Tensor &t) {
  detail::requireData(kn, what, t);
  requireInt8(kn, what, t);
  std::vector<int32_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::I8)
    for (int64_t i = 0; i < t.numel(); ++i)
      out[i] = t.data<int8_t>()[i];
  else
    for (int64_t i = 0; i < t.numel(); ++i)
      out[i] = t.data<uint8_t>()[i];
  return out;
}

/// A zero point of one value or `count` values (of `type`), widened.
std::vector<int32_t> zeroPoint(const char *kn, const char *what, const Tensor &z, DType type,
                               int64_t count) {
  checkZeroPoint(kn, what, z, type, count);
  return widen(kn, what, z);
}

} // namespace

void checkZeroPoint(const char *kn, const char *what, const Tensor &z, DType type, int64_t count) {
  if (z.dtype() != type)
    fail(kn, std::string(what) + " is " + dtypeName(z.dtype()) + ", expected " + dtypeName(type));
  if (z.numel() != 1 && !(z.rank() == 1 && z.numel() == count))
    fail(kn, std::string(what) + " has shape " + shapeToString(z.shape()) +
                 ", expected one value or " + std::to_string(count));
}

MatmulExtents matMulIntegerExtents(const Tensor &a, const Tensor &b, const Tensor &aZero,
                                   const Tensor &bZero, const Tensor &y) {
  constexpr const char *kn = "MatMulInteger";
  if (a.rank() < 2 || b.rank() < 2)
    fail(kn, "A and B need rank >= 2, got " + shapeToString(a.shape()) + " and " +
                 shapeToString(b.shape()));
  MatmulExtents e;
  e.m = a.dim(a.rank() - 2);
  e.k = a.dim(a.rank() - 1);
  e.n = b.dim(b.rank() - 1);
  if (b.dim(b.rank() - 2) != e.k)
    fail(kn, "inner dimensions differ: " + shapeToString(a.shape()) + " and " +
                 shapeToString(b.shape()));
  const Shape batchA(a.shape().begin(), a.shape().end() - 2);
  const Shape batchB(b.shape().begin(), b.shape().end() - 2);
  if (!detail::broadcastShapes(batchA, batchB, e.batch))
    fail(kn, "batch dimensions of " + shapeToString(a.shape()) + " and " +
                 shapeToString(b.shape()) + " do not broadcast");
  Shape yShape = e.batch;
  yShape.push_back(e.m);
  yShape.push_back(e.n);
  detail::requireDType(kn, "Y", y, DType::I32);
  detail::requireShape(kn, "Y", y, yShape);
  requireInt8(kn, "A", a);
  requireInt8(kn, "B", b);
  checkZeroPoint(kn, "a_zero_point", aZero, a.dtype(), e.m);
  checkZeroPoint(kn, "b_zero_point", bZero, b.dtype(), e.n);
  setBatchStrides(batchA, batchB, e);
  return e;
}

void matMulInteger(const Tensor &a, const Tensor &b, const Tensor &aZero, const Tensor &bZero,
                   Tensor &y) {
  constexpr const char *kn = "MatMulInteger";
  const MatmulExtents e = matMulIntegerExtents(a, b, aZero, bZero, y);
  const int64_t M = e.m, K = e.k, N = e.n;
  const auto av = widen(kn, "A", a), bv = widen(kn, "B", b);
  const auto za = zeroPoint(kn, "a_zero_point", aZero, a.dtype(), M);
  const auto zb = zeroPoint(kn, "b_zero_point", bZero, b.dtype(), N);
  int32_t *out = y.data<int32_t>();
  for (int64_t i = 0; i < e.batches; ++i) {
    // Output batch i's matrices of A and B (strides 0 along broadcast axes).
    int64_t aIndex = 0, bIndex = 0;
    for (size_t d = e.batch.size(), r = static_cast<size_t>(i); d-- > 0;) {
      const int64_t coord = static_cast<int64_t>(r % static_cast<size_t>(e.batch[d]));
      r /= static_cast<size_t>(e.batch[d]);
      aIndex += coord * e.aStride[d];
      bIndex += coord * e.bStride[d];
    }
    const int32_t *ab = av.data() + aIndex * M * K;
    const int32_t *bb = bv.data() + bIndex * K * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t sum = 0;
        const int32_t zam = za.size() == 1 ? za[0] : za[m], zbn = zb.size() == 1 ? zb[0] : zb[n];
        for (int64_t k = 0; k < K; ++k)
          sum += int64_t(ab[m * K + k] - zam) * (bb[k * N + n] - zbn);
        out[(i * M + m) * N + n] = static_cast<int32_t>(static_cast<uint32_t>(sum));
      }
  }
}

ConvExtents convIntegerExtents(const Tensor &x, const Tensor &w, const Tensor &xZero,
                               const Tensor &wZero, const ConvParams &p, const Tensor &y) {
  constexpr const char *kn = "ConvInteger";
  const int64_t rank = x.rank(), spatial = rank - 2;
  if (rank < 3 || w.rank() != rank)
    fail(kn, "X [N, C, D...] and W [M, C/group, K...] need one rank >= 3, got " +
                 shapeToString(x.shape()) + " and " + shapeToString(w.shape()));
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = p.group;
  if (G < 1 || C % G != 0 || M % G != 0 || w.dim(1) * G != C)
    fail(kn, "channels do not match: X " + shapeToString(x.shape()) + ", W " +
                 shapeToString(w.shape()) + ", group " + std::to_string(G));
  ConvExtents g;
  g.k = static_cast<size_t>(spatial);
  g.strides = detail::perAxis(kn, "strides", p.strides, g.k, 1, 1);
  g.dilations = detail::perAxis(kn, "dilations", p.dilations, g.k, 1, 1);
  const std::vector<int64_t> pads = detail::perAxis(kn, "pads", p.pads, 2 * g.k, 0, 0);
  g.padBegin.assign(pads.begin(), pads.begin() + spatial);
  Shape yShape = {N, M};
  for (int64_t d = 0; d < spatial; ++d) {
    const int64_t span = (w.dim(2 + d) - 1) * g.dilations[d] + 1;
    const int64_t padded = x.dim(2 + d) + pads[d] + pads[spatial + d];
    if (padded < span)
      fail(kn, "the window does not fit spatial axis " + std::to_string(d));
    g.in.push_back(x.dim(2 + d));
    g.kernel.push_back(w.dim(2 + d));
    g.out.push_back((padded - span) / g.strides[d] + 1);
    yShape.push_back(g.out.back());
    g.inSize *= g.in.back();
    g.kernelSize *= g.kernel.back();
    g.outSize *= g.out.back();
  }
  detail::requireDType(kn, "Y", y, DType::I32);
  detail::requireShape(kn, "Y", y, yShape);
  requireInt8(kn, "X", x);
  requireInt8(kn, "W", w);
  checkZeroPoint(kn, "x_zero_point", xZero, x.dtype(), 1);
  checkZeroPoint(kn, "w_zero_point", wZero, w.dtype(), M);
  return g;
}

void convInteger(const Tensor &x, const Tensor &w, const Tensor &xZero, const Tensor &wZero,
                 const ConvParams &p, Tensor &y) {
  constexpr const char *kn = "ConvInteger";
  const ConvExtents geo = convIntegerExtents(x, w, xZero, wZero, p, y);
  const std::vector<int64_t> &strides = geo.strides, &dilations = geo.dilations,
                             &pads = geo.padBegin;
  const int64_t spatial = x.rank() - 2;
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = p.group;
  const auto xv = widen(kn, "X", x), wv = widen(kn, "W", w);
  const auto zx = zeroPoint(kn, "x_zero_point", xZero, x.dtype(), 1);
  const auto zw = zeroPoint(kn, "w_zero_point", wZero, w.dtype(), M);
  const int64_t inSize = geo.inSize, kernelSize = geo.kernelSize, outSize = geo.outSize;
  const int64_t Cg = C / G, Mg = M / G;
  std::vector<int64_t> o(spatial), k(spatial);
  int32_t *out = y.data<int32_t>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      const int64_t g = m / Mg;
      const int32_t zwm = zw.size() == 1 ? zw[0] : zw[m];
      for (int64_t op = 0; op < outSize; ++op) {
        for (int64_t d = spatial - 1, r = op; d >= 0; --d) {
          o[d] = r % geo.out[d];
          r /= geo.out[d];
        }
        int64_t sum = 0;
        for (int64_t c = 0; c < Cg; ++c)
          for (int64_t kp = 0; kp < kernelSize; ++kp) {
            int64_t pos = 0;
            bool inside = true;
            for (int64_t d = spatial - 1, r = kp, stride = 1; d >= 0; --d) {
              k[d] = r % w.dim(2 + d);
              r /= w.dim(2 + d);
              const int64_t at = o[d] * strides[d] - pads[d] + k[d] * dilations[d];
              inside = inside && at >= 0 && at < x.dim(2 + d);
              pos += at * stride;
              stride *= x.dim(2 + d);
            }
            if (!inside) // padding: X − x_zero_point is 0 there
              continue;
            const int32_t xval = xv[(n * C + g * Cg + c) * inSize + pos] - zx[0];
            const int32_t wval = wv[(m * Cg + c) * kernelSize + kp] - zwm;
            sum += int64_t(xval) * wval;
          }
        out[(n * M + m) * outSize + op] = static_cast<int32_t>(static_cast<uint32_t>(sum));
      }
    }
}

} // namespace cimlir::cpu
