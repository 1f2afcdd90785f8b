// cimlir core: CIMLIR_HOST_DEVICE marks arithmetic written once for the host and the GPU (it
// is __host__ __device__ under nvcc, nothing elsewhere), CIMLIR_UNROLL its unrolled loops,
// and the float bit casts that go with it.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define CIMLIR_HOST_DEVICE __host__ __device__
#else
#define CIMLIR_HOST_DEVICE
#endif

// CIMLIR_UNROLL before a loop: #pragma unroll in the device pass only (the host compiler
// warns of a pragma it does not know).
#if defined(__CUDA_ARCH__)
#define CIMLIR_UNROLL _Pragma("unroll")
#else
#define CIMLIR_UNROLL
#endif

namespace cimlir {

CIMLIR_HOST_DEVICE inline uint32_t floatBits(float v) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint32_t>(__float_as_uint(v));
#else
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
#endif
}

CIMLIR_HOST_DEVICE inline float bitsFloat(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
#endif
}

CIMLIR_HOST_DEVICE inline uint64_t doubleBits(double d) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(d));
#else
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
#endif
}

CIMLIR_HOST_DEVICE inline double bitsDouble(uint64_t bits) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(bits));
#else
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
#endif
}

} // namespace cimlir
