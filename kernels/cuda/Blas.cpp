#include "kernels/cuda/Blas.h"

#include "core/Error.h"
#include "kernels/cuda/CudaCheck.h"

namespace cimlir::cuda {

void checkBlas(cublasStatus_t status, const std::string &what) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  if (status == CUBLAS_STATUS_ALLOC_FAILED)
    throw Error(what + ": out of GPU memory (try a smaller --batch)");
  const BlasLibrary &library = blasLibrary(); // loaded: a cuBLAS call gave `status`
  throw Error(what + ": cuBLAS error " + library.statusName(status) + " (" +
              library.statusString(status) + ")");
}

Blas::Blas(cudaStream_t stream) : library_(blasLibrary()), stream_(stream) {
  checkBlas(library_.create(&handle_), "creating a cuBLAS handle");
  checkBlas(library_.setStream(handle_, stream_), "binding cuBLAS to the stream");
  // CUBLAS_DEFAULT_MATH: no TF32 for float32 (CUBLAS_TF32_TENSOR_OP_MATH would round the
  // operands to 10 mantissa bits).
  checkBlas(library_.setMathMode(handle_, CUBLAS_DEFAULT_MATH), "setting cuBLAS's math mode");
  check(cudaMalloc(&workspace_, kWorkspaceBytes), "allocating cuBLAS's workspace");
  checkBlas(library_.setWorkspace(handle_, workspace_, kWorkspaceBytes),
            "giving cuBLAS a workspace");
  checkBlas(library_.ltCreate(&lt_), "creating a cuBLASLt handle");
}

Blas::~Blas() {
  if (lt_)
    library_.ltDestroy(lt_);
  if (handle_)
    library_.destroy(handle_);
  if (workspace_)
    cudaFree(workspace_);
}

/// sums [M, ldc] int32 = xq [M, Kpad] · levelsT [ldc, Kpad]^T in cuBLASLt (the TN layout of
/// int8 tensor cores; ldc = N rounded up to 4, levelsT padded with zero rows).
void int8Gemm(Blas &blas, const int8_t *xq, const int8_t *levelsT, int64_t M, int64_t ldc,
              int64_t Kpad, int32_t *sums, const std::string &what) {
  const BlasLibrary &lib = blas.library();
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  auto release = [&] {
    if (pref)
      lib.ltMatmulPreferenceDestroy(pref);
    if (c)
      lib.ltMatrixLayoutDestroy(c);
    if (b)
      lib.ltMatrixLayoutDestroy(b);
    if (a)
      lib.ltMatrixLayoutDestroy(a);
    if (desc)
      lib.ltMatmulDescDestroy(desc);
  };
  try {
    checkBlas(lib.ltMatmulDescCreate(&desc, CUBLAS_COMPUTE_32I, CUDA_R_32I), what);
    const cublasOperation_t transA = CUBLAS_OP_T;
    checkBlas(
        lib.ltMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transA, sizeof transA),
        what);
    checkBlas(lib.ltMatrixLayoutCreate(&a, CUDA_R_8I, Kpad, ldc, Kpad), what);
    checkBlas(lib.ltMatrixLayoutCreate(&b, CUDA_R_8I, Kpad, M, Kpad), what);
    checkBlas(lib.ltMatrixLayoutCreate(&c, CUDA_R_32I, ldc, M, ldc), what);
    checkBlas(lib.ltMatmulPreferenceCreate(&pref), what);
    size_t workspace = Blas::kWorkspaceBytes;
    checkBlas(lib.ltMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                 &workspace, sizeof workspace),
              what);
    cublasLtMatmulHeuristicResult_t heuristic{};
    int found = 0;
    checkBlas(
        lib.ltMatmulAlgoGetHeuristic(blas.lt(), desc, a, b, c, c, pref, 1, &heuristic, &found),
        what);
    if (found == 0)
      throw Error(what + ": cuBLASLt has no int8 algorithm for this shape");
    const int32_t one = 1, zero = 0;
    checkBlas(lib.ltMatmul(blas.lt(), desc, &one, levelsT, a, xq, b, &zero, sums, c, sums, c,
                           &heuristic.algo, blas.workspace(), Blas::kWorkspaceBytes, blas.stream()),
              what);
  } catch (...) {
    release();
    throw;
  }
  release();
}

} // namespace cimlir::cuda
