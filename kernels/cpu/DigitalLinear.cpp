#include "kernels/cpu/DigitalLinear.h"

#include "kernels/cim/CimParams.h"
#include "kernels/cim/Quantization.h"
#include "kernels/cim/VectorClones.h"
#include "kernels/cpu/Bf16.h"
#include "kernels/cpu/Check.h"
#include "kernels/cpu/Gemm.h"
#include "kernels/cpu/Parallel.h"
#include "kernels/cpu/cim/WeightProgramming.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cimlir::cpu {

using detail::fail;
using detail::requireDType;
using detail::requireShape;

namespace {

const char *const kKernel = "digital_linear";

/// Every quantizer of a digital layer has 8 bits: qmax = 127 (§1, §3).
const int32_t kQmax = cim::symmetricQmax(8);

/// An int32 sum of at most this many products |xq·Wq| <= 127² cannot overflow
/// (2^17·127² < 2^31); longer rows add such sums in int64, so every sum is exact.
constexpr int64_t kInt32Depth = int64_t(1) << 17;
/// The int8 product is cut into tasks of kRowBlock rows by kColumnBlock outputs, and widens the
/// weights of kDepthBlock rows of K to int16 at a time (kept in L1/L2 while the rows use them).
constexpr int64_t kRowBlock = 64;
constexpr int64_t kColumnBlock = 32;
constexpr int64_t kDepthBlock = 512;
/// w8a16 dequantizes the levels of this many weights at a time for the float32 GEMM.
constexpr int64_t kPanelWeights = int64_t(1) << 18;

/// x rounded to bf16 (float32 values, low halves zero).
std::vector<float> bf16Rows(const float *x, int64_t count) {
  std::vector<float> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    out[i] = roundToBf16(x[i]);
  return out;
}

void addBias(float *y, int64_t M, int64_t N, const float *b) {
  if (!b)
    return;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      y[m * N + n] = y[m * N + n] + b[n];
}

/// §3 for every row of x [M,K]: s_x = max|x[m,:]| / 127 (1 for a zero row), xq, and whether
/// the row is finite (a non-finite row is not quantized; its outputs are NaN).
struct QuantizedRows {
  std::vector<int16_t> levels; // xq [M,K], widened for the int16 dot products
  std::vector<float> scales;   // s_x [M]
  std::vector<uint8_t> finite; // [M]
};

/// xq of one row with scale s. Baseline x86-64 rounds through a libm call per value; the
/// AVX2 clone (SSE4.1's round instruction, the same half-to-even result) inlines it.
CIMLIR_AVX2_CLONES void quantizeRow(const float *row, int64_t K, float s, int16_t *xq) {
  for (int64_t k = 0; k < K; ++k)
    xq[k] = static_cast<int16_t>(cim::quantizeSymmetric(row[k], s, kQmax));
}

QuantizedRows quantizeRows(const float *x, int64_t M, int64_t K) {
  QuantizedRows q;
  q.levels.assign(static_cast<size_t>(M * K), 0);
  q.scales.assign(static_cast<size_t>(M), 1.0f);
  q.finite.assign(static_cast<size_t>(M), 1);
  detail::parallelFor(
      M, std::max<int64_t>(1, 4096 / std::max<int64_t>(K, 1)), [&](int64_t m0, int64_t m1) {
        for (int64_t m = m0; m < m1; ++m) {
          const float *row = x + m * K;
          if (!std::all_of(row, row + K, [](float v) { return std::isfinite(v); })) {
            q.finite[m] = 0;
            continue;
          }
          const float s = cim::symmetricScale(cim::clipValue(row, K, 1, 100.0), kQmax);
          q.scales[m] = s;
          quantizeRow(row, K, s, q.levels.data() + m * K);
        }
      });
  return q;
}

/// The exact sums Σ_k xq[m,k]·Wq[k,n] for every row m and the columns [n0, n1), into
/// sums [M, n1-n0]. int16 operands and int32 accumulators make the inner loop plain dot
/// products that the compiler vectorises (pmaddwd); it runs kRowTile rows by kColTile columns
/// at once so that each loaded operand serves several sums (a tail reuses the last row or
/// column and drops the extra sums). The build targets baseline x86-64 (SSE2); an AVX2 clone,
/// picked at load time where the CPU has it, runs twice as wide (the same integers).
constexpr int kRowTile = 4, kColTile = 2;

CIMLIR_AVX2_CLONES void int8Sums(const int16_t *xq, const int8_t *wT, int64_t M, int64_t K,
                                 int64_t n0, int64_t n1, int64_t *sums) {
  const int64_t nb = n1 - n0;
  std::vector<int16_t> tile(static_cast<size_t>(nb * std::min(K, kDepthBlock)));
  std::vector<int32_t> acc(static_cast<size_t>(M * nb));
  std::fill(sums, sums + M * nb, int64_t(0));
  for (int64_t c0 = 0; c0 < K; c0 += kInt32Depth) {
    const int64_t c1 = std::min(K, c0 + kInt32Depth);
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t k0 = c0; k0 < c1; k0 += kDepthBlock) {
      const int64_t kb = std::min(c1, k0 + kDepthBlock) - k0;
      for (int64_t j = 0; j < nb; ++j)
        std::copy(wT + (n0 + j) * K + k0, wT + (n0 + j) * K + k0 + kb, tile.data() + j * kb);
      for (int64_t m = 0; m < M; m += kRowTile) {
        const int16_t *xr[kRowTile];
        for (int i = 0; i < kRowTile; ++i)
          xr[i] = xq + std::min(m + i, M - 1) * K + k0;
        for (int64_t j = 0; j < nb; j += kColTile) {
          const int16_t *wr[kColTile];
          for (int t = 0; t < kColTile; ++t)
            wr[t] = tile.data() + std::min(j + t, nb - 1) * kb;
          int32_t s[kRowTile][kColTile] = {};
          for (int64_t k = 0; k < kb; ++k)
            for (int i = 0; i < kRowTile; ++i)
              for (int t = 0; t < kColTile; ++t)
                s[i][t] += int32_t(xr[i][k]) * wr[t][k];
          for (int i = 0; i < kRowTile && m + i < M; ++i)
            for (int t = 0; t < kColTile && j + t < nb; ++t)
              acc[(m + i) * nb + j + t] += s[i][t];
        }
      }
    }
    for (int64_t i = 0; i < M * nb; ++i)
      sums[i] += acc[i];
  }
}

void runInt8(const float *x, const DigitalWeights &w, const float *b, int64_t M, float *y) {
  const int64_t K = w.rows(), N = w.cols();
  const QuantizedRows q = quantizeRows(x, M, K);
  const int8_t *wT = w.levelsTransposed().data<int8_t>();
  const std::vector<float> &sw = w.scales();
  const int64_t rowBlocks = (M + kRowBlock - 1) / kRowBlock;
  const int64_t tasks = rowBlocks * ((N + kColumnBlock - 1) / kColumnBlock);
  const int64_t work = std::max<int64_t>(1, std::min(M, kRowBlock) * K * kColumnBlock);
  detail::parallelFor(
      tasks, std::max<int64_t>(1, (int64_t(1) << 18) / work), [&](int64_t t0, int64_t t1) {
        std::vector<int64_t> sums(static_cast<size_t>(kRowBlock * kColumnBlock));
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t m0 = t % rowBlocks * kRowBlock, m1 = std::min(M, m0 + kRowBlock);
          const int64_t n0 = t / rowBlocks * kColumnBlock, n1 = std::min(N, n0 + kColumnBlock);
          const int64_t nb = n1 - n0;
          int8Sums(q.levels.data() + m0 * K, wT, m1 - m0, K, n0, n1, sums.data());
          // y = fl32(s_x·s_w) · fl32(Σ) + b, in this order (§6's epilogue).
          for (int64_t m = m0; m < m1; ++m)
            for (int64_t j = 0; j < nb; ++j) {
              const int64_t n = n0 + j;
              float &out = y[m * N + n];
              if (!q.finite[m]) {
                out = std::numeric_limits<float>::quiet_NaN();
                continue;
              }
              const float scale = q.scales[m] * sw[n];
              const float product = scale * static_cast<float>(sums[(m - m0) * nb + j]);
              out = b ? product + b[n] : product;
            }
        }
      });
}

void runW8A16(const float *x, const DigitalWeights &w, const float *b, int64_t M, float *y) {
  const int64_t K = w.rows(), N = w.cols();
  const std::vector<float> xb = bf16Rows(x, M * K);
  const int8_t *wT = w.levelsTransposed().data<int8_t>();
  const std::vector<float> &sw = w.scales();
  const int64_t cols = std::clamp<int64_t>(kPanelWeights / std::max<int64_t>(K, 1), 1, N);
  std::vector<float> panel(static_cast<size_t>(cols * K));
  for (int64_t n0 = 0; n0 < N; n0 += cols) {
    const int64_t nb = std::min(N, n0 + cols) - n0;
    // The levels of columns [n0, n0+nb) as float32 (exact), [nb,K]: the GEMM's op(B) = panel^T.
    std::copy(wT + n0 * K, wT + (n0 + nb) * K, panel.data());
    sgemm(kKernel, false, true, M, nb, K, 1.0f, xb.data(), K, panel.data(), K, 0.0f, y + n0, N);
  }
  // Dequantize, then add the bias: y = fl32(s_w·Σ) + b.
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      const float v = sw[n] * y[m * N + n];
      y[m * N + n] = b ? v + b[n] : v;
    }
}

} // namespace

DigitalWeights DigitalWeights::prepare(const Tensor &w, DigitalPrecision precision) {
  requireDType(kKernel, "W", w, DType::F32);
  if (w.rank() != 2)
    fail(kKernel, "W " + shapeToString(w.shape()) + " must be a matrix [K,N]");
  DigitalWeights d;
  d.precision_ = precision;
  d.k_ = w.dim(0);
  d.n_ = w.dim(1);
  const int64_t count = d.k_ * d.n_;
  const float *wv = w.data<float>();
  switch (precision) {
  case DigitalPrecision::Fp32:
    d.values_ = w; // shares the storage (the plan's mapping)
    return d;
  case DigitalPrecision::Bf16:
    d.values_ = Tensor::allocate(DType::F32, w.shape());
    std::transform(wv, wv + count, d.values_.data<float>(), roundToBf16);
    return d;
  case DigitalPrecision::Int8:
  case DigitalPrecision::W8A16:
    break;
  }
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(wv[i]))
      fail(kKernel, "W[" + std::to_string(i / d.n_) + "," + std::to_string(i % d.n_) +
                        "] is not finite: " + cim::toString(precision) +
                        " has no int8 level for it");
  // §1 with the defaults: 8 bits, per channel, clip at max |W[:,n]|.
  cim::QuantizedWeights q = cim::quantizeWeights(w, cim::CimParams{});
  d.scales_ = std::move(q.scales);
  d.levelsT_ = Tensor::allocate(DType::I8, {d.n_, d.k_});
  const int8_t *src = q.levels.data<int8_t>();
  int8_t *dst = d.levelsT_.data<int8_t>();
  for (int64_t k = 0; k < d.k_; ++k)
    for (int64_t n = 0; n < d.n_; ++n)
      dst[n * d.k_ + k] = src[k * d.n_ + n];
  return d;
}

void digitalLinear(const Tensor &x, const DigitalWeights &w, const Tensor *bias, Tensor &y) {
  requireDType(kKernel, "x", x, DType::F32);
  if (x.rank() != 2 || x.dim(1) != w.rows())
    fail(kKernel, "x " + shapeToString(x.shape()) + " must be [M," + std::to_string(w.rows()) +
                      "] for W [" + std::to_string(w.rows()) + "," + std::to_string(w.cols()) +
                      "]");
  const int64_t M = x.dim(0), K = w.rows(), N = w.cols();
  requireDType(kKernel, "y", y, DType::F32);
  requireShape(kKernel, "y", y, {M, N});
  if (bias) {
    requireDType(kKernel, "bias", *bias, DType::F32);
    requireShape(kKernel, "bias", *bias, {N});
  }
  if (M == 0 || N == 0)
    return;
  const float *xv = x.data<float>();
  const float *b = bias ? bias->data<float>() : nullptr;
  float *yv = y.data<float>();
  switch (w.precision()) {
  case DigitalPrecision::Fp32:
    sgemm(kKernel, false, false, M, N, K, 1.0f, xv, K, w.values().data<float>(), N, 0.0f, yv, N);
    return addBias(yv, M, N, b);
  case DigitalPrecision::Bf16: {
    const std::vector<float> xb = bf16Rows(xv, M * K);
    sgemm(kKernel, false, false, M, N, K, 1.0f, xb.data(), K, w.values().data<float>(), N, 0.0f, yv,
          N);
    return addBias(yv, M, N, b);
  }
  case DigitalPrecision::Int8:
    return runInt8(xv, w, b, M, yv);
  case DigitalPrecision::W8A16:
    return runW8A16(xv, w, b, M, yv);
  }
}

} // namespace cimlir::cpu
