// cimlir CUDA kernels: a digital layer z = x·W on the GPU in the precisions of cim-numerics.md
// §8, with the CPU kernel's formulas (kernels/cpu/DigitalLinear.h):
//   fp32   cublasSgemm, float32 without TF32;
//   bf16   bf16(x)·bf16(W) in cublasGemmEx, float32 accumulation;
//   int8   W8A8: xq, s_x per row (QuantizeRows.cuh), Wq per channel; the int32 sum from a
//          cuBLASLt int8 GEMM, exact; z = fl32(s_x·s_w)·fl32(sum), the CPU's bits;
//   w8a16  bf16(x)·Wq (levels exact in bf16) in cublasGemmEx, z = fl32(s_w·sum).
// float32 sums (fp32, bf16, w8a16) differ from the CPU's by summation order only. The bias is the
// caller's (it follows the product, as on the CPU).
#pragma once

#include "kernels/cpu/DigitalLinear.h"
#include "kernels/cuda/Blas.h"
#include "kernels/cuda/DeviceMemory.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir::cuda {

/// One group's weights in device memory, in the form its precision multiplies with.
struct DeviceDigitalWeights {
  cim::DigitalPrecision precision = cim::DigitalPrecision::Fp32;
  int64_t K = 0, N = 0;
  int64_t Kpad = 0;              ///< int8: K rounded up to 16, the row length of levelsT and xq
  std::shared_ptr<void> values;  ///< fp32: W float32 [K,N]; bf16: bf16(W) [K,N]; w8a16: Wq as bf16
  std::shared_ptr<void> levelsT; ///< int8: Wq^T int8 [N, Kpad]
  std::shared_ptr<void> scales;  ///< int8, w8a16: s_w float32 [N]
  /// Where uploadDigitalWeights registered the weight matrix (values, or levelsT for int8)
  /// instead of uploading it, its id (the caller fills the pointer before each product); else -1.
  int matrixArray = -1;
};

/// Uploads weights prepared by the CPU kernel (the same s_w and Wq).
DeviceDigitalWeights uploadDigitalWeights(const cpu::DigitalWeights &weights, const Upload &upload,
                                          const RegisterWeights &registerMatrix = nullptr);

/// What the GPU path cannot do for this layer, or "": int8 with K·127² >= 2^31 (its int32
/// sums could overflow; the CPU sums in int64).
std::string digitalGpuGap(cim::DigitalPrecision precision, int64_t K);

/// z [M, N] = x [M, K] · W in the weights' precision, enqueued on blas.stream(); scratch from
/// `allocate` lives until the stream has used it (stream-ordered frees).
void digitalLinear(Blas &blas, const float *x, int64_t M, const DeviceDigitalWeights &w,
                   const Allocate &allocate, float *z);

} // namespace cimlir::cuda
