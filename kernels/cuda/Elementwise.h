// cimlir CUDA kernels: elementwise steps on device memory, enqueued on a stream, with the
// CPU kernels' arithmetic in every element type they take (no FMA contraction: the CUDA code
// is built with --fmad=false).
#pragma once

#include <cuda_runtime_api.h>

#include "core/DType.h"
#include "kernels/cpu/Elementwise.h"
#include "kernels/cuda/DeviceFault.h"

#include <cstdint>

namespace cimlir::cuda {

constexpr int kMaxBroadcastRank = 8;

/// Y's extents and A's, B's (and C's) element strides over them (0 along a broadcast axis).
struct Broadcast {
  int rank = 0;
  int64_t extent[kMaxBroadcastRank] = {};
  int64_t strideA[kMaxBroadcastRank] = {}, strideB[kMaxBroadcastRank] = {},
          strideC[kMaxBroadcastRank] = {};
  int64_t count = 0;
  /// The broadcast of A and B (and C, Where's third operand) into Y (the caller checked that
  /// they broadcast); false when Y's rank exceeds kMaxBroadcastRank.
  static bool of(const Shape &a, const Shape &b, const Shape &y, Broadcast &out);
  static bool of(const Shape &a, const Shape &b, const Shape &c, const Shape &y, Broadcast &out);
};

/// Whether binary() takes `t`: cpu::binary's types (float32, float64, the integer types).
bool binaryOnGpu(DType t);
/// y = a op b over the broadcast, a, b and y of type `t`, with cpu::binary's arithmetic
/// (kernels/cpu/BinaryMath.h). An integer divisor of 0 is recorded in `fault` at `site`.
void binary(cpu::BinaryOp op, const void *a, const void *b, DType t, const Broadcast &shape,
            void *y, DeviceFault *fault, int site, cudaStream_t stream);

/// Whether compare() takes `t` (float32, float64, the integer types, bool).
bool compareOnGpu(DType t);
/// y (bool) = a op b over the broadcast, a and b of type `t` (cpu::compare's arithmetic: NaN
/// compares false; And, Or, Xor of bools).
void compare(cpu::CompareOp op, const void *a, const void *b, DType t, const Broadcast &shape,
             uint8_t *y, cudaStream_t stream);
/// y = !x over `count` bools.
void logicalNot(const uint8_t *x, uint8_t *y, int64_t count, cudaStream_t stream);
/// out = condition ? x : y over the broadcast (condition A, x B, y C), elements of
/// `elementSize` bytes (1, 2, 4 or 8).
void where(const uint8_t *condition, const void *x, const void *y, size_t elementSize,
           const Broadcast &shape, void *out, cudaStream_t stream);

/// y [M,N] = alpha·y + beta·C, C [cRows, cCols] broadcast (each 1 or the full extent); C null
/// means no C term.
void gemmEpilogue(float *y, int64_t M, int64_t N, float alpha, const float *C, int64_t cRows,
                  int64_t cCols, float beta, cudaStream_t stream);

/// Whether unary() takes op on `t`: float32 and float64, and the signed integers for the ops
/// unaryOpTypes() marks (Abs, Neg, Sign).
bool unaryOnGpu(cpu::UnaryOp op, DType t);
/// y = f(x) over `count` elements of `t`, f one of cpu::unaryOpTypes() (kernels/cpu/
/// UnaryMath.h, CUDA's math functions).
void unary(cpu::UnaryOp op, const void *x, void *y, DType t, int64_t count, float alpha, float beta,
           cudaStream_t stream);

/// ONNX Gelu over `count` elements of `t` (float32 or float64; kernels/cpu/UnaryMath.h).
void gelu(const void *x, void *y, DType t, int64_t count, bool tanhApproximation,
          cudaStream_t stream);

/// ONNX Clip over `count` elements of `t` (binaryOnGpu's types): lo and hi one element each
/// in device memory (cpu::clip's arithmetic: NaN stays NaN).
void clip(const void *x, const void *lo, const void *hi, void *y, DType t, int64_t count,
          cudaStream_t stream);

/// IsNaN (nan) or IsInf (negative, positive: which infinities count) of `count` elements of
/// `t` (float32 or float64) into bools, as cpu::classify.
void classify(const void *x, DType t, bool nan, bool negative, bool positive, uint8_t *y,
              int64_t count, cudaStream_t stream);

/// Whether relu() takes `t`: cpu::relu's types (float32, float64, the signed integers).
bool reluOnGpu(DType t);
/// y = x < 0 ? 0 : x over `count` elements of `t` (NaN stays NaN, as in the CPU kernel).
void relu(const void *x, void *y, DType t, int64_t count, cudaStream_t stream);

} // namespace cimlir::cuda
