// cimlir CUDA kernels: elementwise steps on device memory, enqueued on a stream, with the
// CPU kernels' float32 arithmetic (no FMA contraction: the CUDA code is built with
// --fmad=false).
#pragma once

#include <cuda_runtime_api.h>

#include "core/DType.h"
#include "kernels/cpu/Elementwise.h"

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

/// The float32 ops of cpu::binary that have a GPU kernel (the CPU's arithmetic: Max and Min
/// return NaN for a NaN operand, PRelu is a < 0 ? a·b : a).
bool binaryOnGpu(cpu::BinaryOp op);
/// y = a op b over the broadcast.
void binary(cpu::BinaryOp op, const float *a, const float *b, const Broadcast &shape, float *y,
            cudaStream_t stream);

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

/// y = f(x) over `count` floats, f one of cpu::unaryOpTypes() (kernels/cpu/UnaryMath.h, CUDA's
/// math functions).
void unary(cpu::UnaryOp op, const float *x, float *y, int64_t count, float alpha, float beta,
           cudaStream_t stream);

/// ONNX Gelu over `count` floats (kernels/cpu/UnaryMath.h).
void gelu(const float *x, float *y, int64_t count, bool tanhApproximation, cudaStream_t stream);

/// ONNX Clip over `count` floats: lo and hi one float each in device memory (cpu::clip's
/// arithmetic: NaN stays NaN).
void clip(const float *x, const float *lo, const float *hi, float *y, int64_t count,
          cudaStream_t stream);

/// y = x < 0 ? 0 : x over `count` floats (NaN stays NaN, as in the CPU kernel).
void relu(const float *x, float *y, int64_t count, cudaStream_t stream);

} // namespace cimlir::cuda
