#include "kernels/cpu/Gemm.h"

#include "kernels/cpu/Check.h"

#include <cblas.h>

#include <algorithm>

namespace cimlir::cpu {

using detail::blasInt;
using detail::fail;
using detail::requireDType;
using detail::requireShape;

void sgemm(const char *kernel, bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
           float *c, int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              blasInt(kernel, m), blasInt(kernel, n), blasInt(kernel, k), alpha, a,
              blasInt(kernel, lda), b, blasInt(kernel, ldb), beta, c, blasInt(kernel, ldc));
}

namespace {

/// sgemm over dense operands (leading dimensions from the extents).
void denseSgemm(const char *kernel, bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                float alpha, const float *a, const float *b, float beta, float *c) {
  sgemm(kernel, transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
}

} // namespace

GemmExtents gemmExtents(const Tensor &a, const Tensor &b, const Tensor *c, bool transA, bool transB,
                        const Tensor &y) {
  const char *k = "gemm";
  requireDType(k, "A", a, DType::F32);
  requireDType(k, "B", b, DType::F32);
  requireDType(k, "Y", y, DType::F32);
  if (a.rank() != 2 || b.rank() != 2)
    fail(k, "A " + shapeToString(a.shape()) + " and B " + shapeToString(b.shape()) +
                " must both be rank 2");
  GemmExtents e;
  e.m = transA ? a.dim(1) : a.dim(0);
  e.k = transA ? a.dim(0) : a.dim(1);
  const int64_t kB = transB ? b.dim(1) : b.dim(0);
  e.n = transB ? b.dim(0) : b.dim(1);
  if (e.k != kB)
    fail(k, "inner extents differ: op(A) is [" + std::to_string(e.m) + "," + std::to_string(e.k) +
                "], op(B) is [" + std::to_string(kB) + "," + std::to_string(e.n) + "]");
  requireShape(k, "Y", y, {e.m, e.n});
  // C is validated even when beta == 0 so that a malformed plan is caught either way.
  if (c) {
    requireDType(k, "C", *c, DType::F32);
    const Shape &cs = c->shape();
    if (cs.size() > 2)
      fail(k, "C " + shapeToString(cs) + " has rank above 2");
    e.cCols = cs.empty() ? 1 : cs.back();
    e.cRows = cs.size() == 2 ? cs[0] : 1;
    if ((e.cRows != 1 && e.cRows != e.m) || (e.cCols != 1 && e.cCols != e.n))
      fail(k, "C " + shapeToString(cs) + " does not broadcast to Y " + shapeToString(y.shape()));
  }
  return e;
}

void gemm(const Tensor &a, const Tensor &b, const Tensor *c, float alpha, float beta, bool transA,
          bool transB, Tensor &y) {
  const char *k = "gemm";
  const GemmExtents e = gemmExtents(a, b, c, transA, transB, y);
  const int64_t m = e.m, n = e.n, kA = e.k, cRows = e.cRows, cCols = e.cCols;
  float *out = y.data<float>();
  // As in BLAS, beta == 0 means C is not read at all (a NaN in C does not propagate).
  bool useC = c && beta != 0.0f;
  if (useC) {
    const float *cv = c->data<float>();
    for (int64_t i = 0; i < m; ++i) {
      const float *row = cv + (cRows == 1 ? 0 : i * cCols);
      float *dst = out + i * n;
      if (cCols == 1)
        std::fill(dst, dst + n, beta * row[0]);
      else
        for (int64_t j = 0; j < n; ++j)
          dst[j] = beta * row[j];
    }
  }
  denseSgemm(k, transA, transB, m, n, kA, alpha, a.data<float>(), b.data<float>(),
             useC ? 1.0f : 0.0f, out);
}

MatmulExtents matmulExtents(const Tensor &a, const Tensor &b, const Tensor &y) {
  const char *k = "matmul";
  requireDType(k, "A", a, DType::F32);
  requireDType(k, "B", b, DType::F32);
  requireDType(k, "Y", y, DType::F32);
  if (a.rank() < 1 || b.rank() < 1)
    fail(k, "operands must have rank >= 1, got A " + shapeToString(a.shape()) + " and B " +
                shapeToString(b.shape()));

  // numpy.matmul: a 1-D A gains a leading 1, a 1-D B a trailing 1; both vanish in Y.
  Shape as = a.shape(), bs = b.shape();
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  MatmulExtents e;
  e.m = as[as.size() - 2];
  e.k = as.back();
  e.n = bs.back();
  if (e.k != bs[bs.size() - 2])
    fail(k,
         "inner extents differ: A " + shapeToString(a.shape()) + ", B " + shapeToString(b.shape()));
  Shape aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  if (!detail::broadcastShapes(aBatch, bBatch, e.batch))
    fail(k, "batch extents of A " + shapeToString(a.shape()) + " and B " +
                shapeToString(b.shape()) + " do not broadcast");
  Shape outShape = e.batch;
  if (!aVec)
    outShape.push_back(e.m);
  if (!bVec)
    outShape.push_back(e.n);
  requireShape(k, "Y", y, outShape);
  setBatchStrides(aBatch, bBatch, e);
  return e;
}

void setBatchStrides(const Shape &aBatch, const Shape &bBatch, MatmulExtents &e) {
  e.batches = shapeNumel(e.batch);
  e.sharedB = shapeNumel(bBatch) == 1;
  // Strides (in matrices) of A and B over the output batch axes; 0 where broadcast.
  const size_t rank = e.batch.size();
  e.aStride.assign(rank, 0);
  e.bStride.assign(rank, 0);
  int64_t sa = 1, sb = 1;
  for (size_t i = rank; i-- > 0;) {
    size_t ia = i + aBatch.size(), ib = i + bBatch.size();
    if (ia >= rank) {
      int64_t d = aBatch[ia - rank];
      e.aStride[i] = d == 1 ? 0 : sa;
      sa *= d;
    }
    if (ib >= rank) {
      int64_t d = bBatch[ib - rank];
      e.bStride[i] = d == 1 ? 0 : sb;
      sb *= d;
    }
  }
}

void matmul(const Tensor &a, const Tensor &b, Tensor &y) {
  const char *k = "matmul";
  const MatmulExtents e = matmulExtents(a, b, y);
  const float *av = a.data<float>();
  const float *bv = b.data<float>();
  float *out = y.data<float>();
  if (e.batches == 0)
    return;

  // A B shared by every batch lets the whole batch of A run as one tall product, which is
  // the common Linear-after-Conv case and far faster than many small calls.
  if (e.sharedB) {
    denseSgemm(k, false, false, e.batches * e.m, e.n, e.k, 1.0f, av, bv, 0.0f, out);
    return;
  }
  for (int64_t t = 0; t < e.batches; ++t) {
    // Batches are few and each is a whole GEMM, so decoding the index costs nothing.
    int64_t rem = t, aOff = 0, bOff = 0;
    for (size_t i = e.batch.size(); i-- > 0;) {
      int64_t ix = rem % e.batch[i];
      rem /= e.batch[i];
      aOff += ix * e.aStride[i];
      bOff += ix * e.bStride[i];
    }
    denseSgemm(k, false, false, e.m, e.n, e.k, 1.0f, av + aOff * e.m * e.k, bv + bOff * e.k * e.n,
               0.0f, out + t * e.m * e.n);
  }
}

} // namespace cimlir::cpu
