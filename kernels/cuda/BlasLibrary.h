// cimlir CUDA kernels: cuBLAS and cuBLASLt, opened (dlopen) when the CUDA backend first needs
// them instead of linked. A cim-run built with the backend then starts, and runs the CPU
// backend, on a machine without CUDA's cuBLAS; the CUDA backend, asked for there, says which
// library it could not load. The functions' types are the headers' (decltype), so their
// signatures are not written again here (but for one overloaded name).
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>

namespace cimlir::cuda {

/// The cuBLAS and cuBLASLt functions the backend calls.
struct BlasLibrary {
  decltype(&::cublasCreate_v2) create;
  decltype(&::cublasDestroy_v2) destroy;
  decltype(&::cublasSetStream_v2) setStream;
  decltype(&::cublasSetMathMode) setMathMode;
  decltype(&::cublasSetWorkspace_v2) setWorkspace;
  decltype(&::cublasGetStatusName) statusName;
  decltype(&::cublasGetStatusString) statusString;
  decltype(&::cublasSgemm_v2) sgemm;
  decltype(&::cublasDgemm_v2) dgemm;
  decltype(&::cublasSgemmStridedBatched) sgemmStridedBatched;
  decltype(&::cublasDgemmStridedBatched) dgemmStridedBatched;
  /// cublasGemmEx is overloaded in C++ (an inline wrapper takes the old cudaDataType compute
  /// type): this is the exported one's type.
  cublasStatus_t (*gemmEx)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                           const void *, const void *, cudaDataType, int, const void *,
                           cudaDataType, int, const void *, void *, cudaDataType, int,
                           cublasComputeType_t, cublasGemmAlgo_t);
  decltype(&::cublasLtCreate) ltCreate;
  decltype(&::cublasLtDestroy) ltDestroy;
  decltype(&::cublasLtMatmulDescCreate) ltMatmulDescCreate;
  decltype(&::cublasLtMatmulDescDestroy) ltMatmulDescDestroy;
  decltype(&::cublasLtMatmulDescSetAttribute) ltMatmulDescSetAttribute;
  decltype(&::cublasLtMatrixLayoutCreate) ltMatrixLayoutCreate;
  decltype(&::cublasLtMatrixLayoutDestroy) ltMatrixLayoutDestroy;
  decltype(&::cublasLtMatmulPreferenceCreate) ltMatmulPreferenceCreate;
  decltype(&::cublasLtMatmulPreferenceDestroy) ltMatmulPreferenceDestroy;
  decltype(&::cublasLtMatmulPreferenceSetAttribute) ltMatmulPreferenceSetAttribute;
  decltype(&::cublasLtMatmulAlgoGetHeuristic) ltMatmulAlgoGetHeuristic;
  decltype(&::cublasLtMatmul) ltMatmul;
};

/// The functions of libcublas.so.N and libcublasLt.so.N (N: the headers' CUBLAS_VER_MAJOR),
/// loaded at the first call. Throws cimlir::Error naming the library (or the function) that
/// could not be loaded, at every call while it cannot.
const BlasLibrary &blasLibrary();

} // namespace cimlir::cuda
