#include "kernels/cpu/cim/PartialSums.h"

#include "kernels/cim/Philox.h"

#include <algorithm>
#include <cstring>

namespace cimlir::cpu {

using namespace cimlir::cim;

namespace {

/// Outputs per register-blocked chunk of the integer partial sums.
constexpr int64_t kChunk = 64;

// GCC vector types: lowered to the registers of each clone (SSE2, AVX2 or AVX-512).
using I16x32 = int16_t __attribute__((vector_size(64)));
using I16x16 = int16_t __attribute__((vector_size(32)));
using I32x16 = int32_t __attribute__((vector_size(64)));
static_assert(kChunk == 64, "a chunk is 2 x I16x32 or 4 x I32x16");

template <typename V> [[gnu::always_inline]] inline V loadVector(const int16_t *p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// The integer partial sums of one row, kChunk outputs at a time in registers.
CIMLIR_VECTOR_CLONES
void integerPartialSums(const DacSlices &u, const int16_t *levels, int64_t stride, int64_t width,
                        bool narrow, int32_t *P) {
  for (int i = 0; i < u.sliceCount(); ++i) {
    int32_t *out = P + i * width;
    if (!u.active(i)) {
      std::fill(out, out + width, 0);
      continue;
    }
    const int32_t *index = u.index(i), *value = u.value(i);
    const int32_t nonzero = u.count(i);
    for (int64_t t0 = 0; t0 < width; t0 += kChunk) {
      int32_t chunk[kChunk];
      if (narrow) {
        I16x32 acc0 = {}, acc1 = {};
        for (int32_t e = 0; e < nonzero; ++e) {
          const int16_t *d = levels + index[e] * stride + t0;
          const int16_t v = static_cast<int16_t>(value[e]);
          acc0 += v * loadVector<I16x32>(d);
          acc1 += v * loadVector<I16x32>(d + 32);
        }
        for (int t = 0; t < 32; ++t) {
          chunk[t] = acc0[t];
          chunk[32 + t] = acc1[t];
        }
      } else {
        I32x16 acc[4] = {};
        for (int32_t e = 0; e < nonzero; ++e) {
          const int16_t *d = levels + index[e] * stride + t0;
          const int32_t v = value[e];
          for (int q = 0; q < 4; ++q)
            acc[q] += v * __builtin_convertvector(loadVector<I16x16>(d + 16 * q), I32x16);
        }
        for (int q = 0; q < 4; ++q)
          for (int t = 0; t < 16; ++t)
            chunk[16 * q + t] = acc[q][t];
      }
      std::copy(chunk, chunk + std::min(kChunk, width - t0), out + t0);
    }
  }
}

/// The nonzero inputs of a row, then each slice's nonzero digits, compacted without branches
/// so that the loops vectorise.
CIMLIR_VECTOR_CLONES
void sliceRow(const int16_t *l, int64_t rows, const int *widths, const int *offsets, int T,
              int32_t *inputIndex, int32_t *inputMagnitude, int32_t *inputNegative,
              int32_t *const *index, int32_t *const *value, int32_t *count, int64_t *sumSquares) {
  int32_t inputs = 0;
  for (int64_t k = 0; k < rows; ++k) {
    const int32_t v = l[k];
    inputIndex[inputs] = static_cast<int32_t>(k);
    inputMagnitude[inputs] = v < 0 ? -v : v;
    inputNegative[inputs] = v < 0;
    inputs += v != 0;
  }
  for (int i = 0; i < T; ++i) {
    const int32_t shift = offsets[i], mask = (int32_t(1) << widths[i]) - 1;
    int32_t *idx = index[i], *val = value[i];
    int32_t used = 0;
    int64_t ss = 0;
    for (int32_t e = 0; e < inputs; ++e) {
      const int32_t magnitude = (inputMagnitude[e] >> shift) & mask;
      idx[used] = inputIndex[e];
      val[used] = inputNegative[e] ? -magnitude : magnitude;
      used += magnitude != 0;
      ss += magnitude * magnitude;
    }
    count[i] = used;
    sumSquares[i] = ss;
  }
}

} // namespace

DacSlices::DacSlices(std::vector<int> widths, std::vector<int> offsets, int64_t rows)
    : widths_(std::move(widths)), offsets_(std::move(offsets)),
      index_(widths_.size(), std::vector<int32_t>(static_cast<size_t>(rows))),
      value_(widths_.size(), std::vector<int32_t>(static_cast<size_t>(rows))),
      count_(widths_.size()), sumSquares_(widths_.size()), active_(widths_.size()),
      inputIndex_(static_cast<size_t>(rows)), inputMagnitude_(static_cast<size_t>(rows)),
      inputNegative_(static_cast<size_t>(rows)) {}

void DacSlices::slice(const int16_t *l, int64_t rows) {
  std::vector<int32_t *> index(widths_.size()), value(widths_.size());
  for (size_t i = 0; i < widths_.size(); ++i) {
    index[i] = index_[i].data();
    value[i] = value_[i].data();
  }
  sliceRow(l, rows, widths_.data(), offsets_.data(), sliceCount(), inputIndex_.data(),
           inputMagnitude_.data(), inputNegative_.data(), index.data(), value.data(), count_.data(),
           sumSquares_.data());
  for (int i = 0; i < sliceCount(); ++i)
    active_[i] = sumSquares_[i] != 0;
}

SliceLevels::SliceLevels(const ProgrammedWeights &weights, int64_t k0, int64_t k1,
                         int maxInputWidth)
    : rows_(k1 - k0), width_(weights.sliceCount() * weights.cols()) {
  const int64_t N = weights.cols();
  const size_t count = static_cast<size_t>(rows_ * N);
  auto interleave = [&](auto &all, int64_t stride, auto &slice) {
    for (int j = 0; j < weights.sliceCount(); ++j) {
      weights.differentialLevels(j, k0, k1, slice.data());
      for (int64_t k = 0; k < rows_; ++k)
        std::copy(slice.begin() + k * N, slice.begin() + (k + 1) * N,
                  all.begin() + k * stride + j * N);
    }
  };
  if (!weights.integerLevels()) {
    noisy_.resize(static_cast<size_t>(rows_ * width_));
    std::vector<float> slice(count);
    interleave(noisy_, width_, slice);
    return;
  }
  stride_ = (width_ + kChunk - 1) / kChunk * kChunk;
  levels_.assign(static_cast<size_t>(rows_ * stride_), 0);
  std::vector<int8_t> slice(count);
  interleave(levels_, stride_, slice);
  int64_t maxCell = 0;
  for (int j = 0; j < weights.sliceCount(); ++j)
    maxCell = std::max<int64_t>(maxCell, weights.cellRange(j));
  narrow_ = rows_ * ((int64_t(1) << maxInputWidth) - 1) * maxCell < (int64_t(1) << 15);
}

void SliceLevels::partialSums(const DacSlices &u, int32_t *P) const {
  integerPartialSums(u, levels_.data(), stride_, width_, narrow_, P);
}

void SliceLevels::partialSums(const DacSlices &u, double *P) const {
  std::fill(P, P + u.sliceCount() * width_, 0.0);
  for (int i = 0; i < u.sliceCount(); ++i) {
    double *acc = P + i * width_;
    for (int32_t e = 0; e < u.count(i); ++e) {
      const double v = u.value(i)[e];
      const float *d = noisy_.data() + u.index(i)[e] * width_;
      for (int64_t t = 0; t < width_; ++t)
        acc[t] += v * static_cast<double>(d[t]);
    }
  }
}

} // namespace cimlir::cpu
