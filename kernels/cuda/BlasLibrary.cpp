#include "kernels/cuda/BlasLibrary.h"

#include "core/Error.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace cimlir::cuda {

namespace {

/// The library `name`, from the loader's search path (LD_LIBRARY_PATH, the tools' RPATH, the
/// system's cache) or else the CUDA toolkit the build used (CIMLIR_CUDA_LIBRARY_DIR).
void *open(const std::string &name) {
  void *handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    handle =
        dlopen((std::string(CIMLIR_CUDA_LIBRARY_DIR) + "/" + name).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    throw Error("the CUDA backend needs " + name + " (CUDA " + std::to_string(CUBLAS_VER_MAJOR) +
                "'s cuBLAS), which could not be loaded: " + (why ? why : "not found") +
                " (install CUDA " + std::to_string(CUBLAS_VER_MAJOR) +
                "'s cuBLAS, put it on LD_LIBRARY_PATH, or use --backend cpu)");
  }
  return handle;
}

template <typename Fn>
void find(void *library, const std::string &libraryName, const char *symbol, Fn &out) {
  out = reinterpret_cast<Fn>(dlsym(library, symbol));
  if (!out)
    throw Error(libraryName + " has no " + symbol + " (another CUDA version's cuBLAS?)");
}

BlasLibrary load() {
  const std::string major = std::to_string(CUBLAS_VER_MAJOR);
  const std::string blasName = "libcublas.so." + major, ltName = "libcublasLt.so." + major;
  // Opened for the rest of the process (cuBLAS's handles outlive any scope here); closed only
  // when the second cannot be opened, so that a retry starts afresh.
  void *blas = open(blasName), *lt = nullptr;
  try {
    lt = open(ltName);
  } catch (const Error &) {
    dlclose(blas);
    throw;
  }
  BlasLibrary l{};
#define CIMLIR_BLAS(field, symbol) find(blas, blasName, #symbol, l.field)
#define CIMLIR_LT(field, symbol) find(lt, ltName, #symbol, l.field)
  CIMLIR_BLAS(create, cublasCreate_v2);
  CIMLIR_BLAS(destroy, cublasDestroy_v2);
  CIMLIR_BLAS(setStream, cublasSetStream_v2);
  CIMLIR_BLAS(setMathMode, cublasSetMathMode);
  CIMLIR_BLAS(setWorkspace, cublasSetWorkspace_v2);
  CIMLIR_BLAS(statusName, cublasGetStatusName);
  CIMLIR_BLAS(statusString, cublasGetStatusString);
  CIMLIR_BLAS(sgemm, cublasSgemm_v2);
  CIMLIR_BLAS(dgemm, cublasDgemm_v2);
  CIMLIR_BLAS(sgemmStridedBatched, cublasSgemmStridedBatched);
  CIMLIR_BLAS(dgemmStridedBatched, cublasDgemmStridedBatched);
  CIMLIR_BLAS(gemmEx, cublasGemmEx);
  CIMLIR_LT(ltCreate, cublasLtCreate);
  CIMLIR_LT(ltDestroy, cublasLtDestroy);
  CIMLIR_LT(ltMatmulDescCreate, cublasLtMatmulDescCreate);
  CIMLIR_LT(ltMatmulDescDestroy, cublasLtMatmulDescDestroy);
  CIMLIR_LT(ltMatmulDescSetAttribute, cublasLtMatmulDescSetAttribute);
  CIMLIR_LT(ltMatrixLayoutCreate, cublasLtMatrixLayoutCreate);
  CIMLIR_LT(ltMatrixLayoutDestroy, cublasLtMatrixLayoutDestroy);
  CIMLIR_LT(ltMatmulPreferenceCreate, cublasLtMatmulPreferenceCreate);
  CIMLIR_LT(ltMatmulPreferenceDestroy, cublasLtMatmulPreferenceDestroy);
  CIMLIR_LT(ltMatmulPreferenceSetAttribute, cublasLtMatmulPreferenceSetAttribute);
  CIMLIR_LT(ltMatmulAlgoGetHeuristic, cublasLtMatmulAlgoGetHeuristic);
  CIMLIR_LT(ltMatmul, cublasLtMatmul);
#undef CIMLIR_BLAS
#undef CIMLIR_LT
  return l;
}

} // namespace

const BlasLibrary &blasLibrary() {
  static std::mutex mutex;
  static BlasLibrary library{};
  static bool loaded = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (!loaded) { // a failure is thrown, and tried again at the next call
    library = load();
    loaded = true;
  }
  return library;
}

} // namespace cimlir::cuda
