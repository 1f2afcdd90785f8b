// cimlir CPU kernels: rounding float32 to bfloat16 (cim-numerics.md §8, the bf16 and w8a16
// digital precisions); the CUDA kernels round with the same functions.
//
// A bf16 value is the upper 16 bits of a float32 (sign, 8 exponent bits, 7 mantissa bits), so
// the kernels keep bf16 operands as float32 values whose low 16 bits are zero: products of two
// of them are exact in float32 and a float32 GEMM on them is a bf16 GEMM with float32
// accumulation.
#pragma once

#include "core/HostDevice.h"

#include <cstdint>

namespace cimlir::cpu {

/// The bits of v rounded to bf16, round-to-nearest-even on the upper 16 bits: subnormals round
/// like any other value (the largest rounds up to the smallest normal), values at or beyond
/// the midpoint above the largest finite bf16 become infinity, ±0 and ±Inf are kept, and a NaN
/// stays a NaN (quiet, same sign; the payload is truncated).
CIMLIR_HOST_DEVICE inline uint16_t bf16Bits(float v) {
  uint32_t u = floatBits(v);
  if ((u & 0x7fffffffu) > 0x7f800000u) // NaN: truncating could leave an all-zero mantissa (Inf)
    return static_cast<uint16_t>((u | 0x00400000u) >> 16);
  u += 0x7fffu + ((u >> 16) & 1u); // ties (low half exactly 0x8000) go to the even upper half
  return static_cast<uint16_t>(u >> 16);
}

/// The float32 holding bf16 bits `b` (exact).
CIMLIR_HOST_DEVICE inline float bf16ToFloat(uint16_t b) {
  return bitsFloat(static_cast<uint32_t>(b) << 16);
}

/// v rounded to bf16 and widened back to float32: bf16ToFloat(bf16Bits(v)).
CIMLIR_HOST_DEVICE inline float roundToBf16(float v) { return bf16ToFloat(bf16Bits(v)); }

} // namespace cimlir::cpu
