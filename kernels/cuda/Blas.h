// cimlir CUDA kernels: the cuBLAS and cuBLASLt handles of one stream, their workspace, and the
// int8 GEMM of the int8 digital layer and of hybrid CIM layers' digital part.
// cuBLAS (NVIDIA's, CUDA 13) does the digital layers' GEMMs (cim-numerics.md §8): a well-kept
// library that reaches the tensor cores' rate, where a hand-written GEMM would not.
#pragma once

#include "kernels/cuda/BlasLibrary.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace cimlir::cuda {

/// Throws cimlir::Error "WHAT: cuBLAS error NAME" unless `status` is CUBLAS_STATUS_SUCCESS.
void checkBlas(cublasStatus_t status, const std::string &what);

class Blas {
public:
  /// Handles bound to `stream`, float32 GEMMs without TF32 (§8's fp32 is IEEE float32).
  explicit Blas(cudaStream_t stream);
  ~Blas();
  Blas(const Blas &) = delete;
  Blas &operator=(const Blas &) = delete;

  /// The loaded cuBLAS and cuBLASLt functions (BlasLibrary.h).
  const BlasLibrary &library() const { return library_; }
  cublasHandle_t handle() const { return handle_; }
  cublasLtHandle_t lt() const { return lt_; }
  cudaStream_t stream() const { return stream_; }
  void *workspace() const { return workspace_; }
  static constexpr size_t kWorkspaceBytes = size_t(32) << 20;

private:
  const BlasLibrary &library_;
  cudaStream_t stream_;
  cublasHandle_t handle_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  void *workspace_ = nullptr;
};

/// sums [M, ldc] int32 = xq [M, Kpad] · levelsT [ldc, Kpad]^T in cuBLASLt (the TN layout of
/// int8 tensor cores; ldc = N rounded up to 4, levelsT padded with zero rows), exact while
/// Kpad·127² < 2^31. Errors name `what`.
void int8Gemm(Blas &blas, const int8_t *xq, const int8_t *levelsT, int64_t M, int64_t ldc,
              int64_t Kpad, int32_t *sums, const std::string &what);

} // namespace cimlir::cuda
