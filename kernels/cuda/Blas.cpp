#include "kernels/cuda/Blas.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

void checkBlas(cublasStatus_t status, const std::string &what) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  if (status == CUBLAS_STATUS_ALLOC_FAILED)
    throw Error(what + ": out of GPU memory (try a smaller --batch)");
  throw Error(what + ": cuBLAS error " + cublasGetStatusName(status) + " (" +
              cublasGetStatusString(status) + ")");
}

Blas::Blas(cudaStream_t stream) : stream_(stream) {
  checkBlas(cublasCreate(&handle_), "creating a cuBLAS handle");
  checkBlas(cublasSetStream(handle_, stream_), "binding cuBLAS to the stream");
  // CUBLAS_DEFAULT_MATH: no TF32 for float32 (CUBLAS_TF32_TENSOR_OP_MATH would round the
  // operands to 10 mantissa bits).
  checkBlas(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH), "setting cuBLAS's math mode");
  check(cudaMalloc(&workspace_, kWorkspaceBytes), "allocating cuBLAS's workspace");
  checkBlas(cublasSetWorkspace(handle_, workspace_, kWorkspaceBytes), "giving cuBLAS a workspace");
  checkBlas(cublasLtCreate(&lt_), "creating a cuBLASLt handle");
}

Blas::~Blas() {
  if (lt_)
    cublasLtDestroy(lt_);
  if (handle_)
    cublasDestroy(handle_);
  if (workspace_)
    cudaFree(workspace_);
}

} // namespace cimlir::cuda
