#include "kernels/cuda/CudaCheck.h"

#include "core/Error.h"
#include "kernels/cuda/BlasLibrary.h"

namespace cimlir::cuda {

void check(cudaError_t status, const std::string &what) {
  if (status == cudaSuccess)
    return;
  cudaGetLastError(); // clear a sticky launch error so that the message names this one
  if (status == cudaErrorMemoryAllocation)
    throw Error(what + ": out of GPU memory (try a smaller --batch)");
  throw Error(what + ": CUDA error " + cudaGetErrorName(status) + " (" +
              cudaGetErrorString(status) + ")");
}

void checkLaunch(const char *kernel) {
  check(cudaGetLastError(), std::string("launching ") + kernel);
}

std::string unavailableReason() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return std::string("no CUDA device (") + cudaGetErrorString(status) + ")";
  }
  if (count == 0)
    return "no CUDA device";
  try {
    blasLibrary(); // the backend's GEMMs need CUDA's cuBLAS, opened at run time
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace cimlir::cuda
