// cimlir CUDA kernels: CUDA runtime errors as cimlir::Error.
#pragma once

#include <cuda_runtime_api.h>

#include <string>

namespace cimlir::cuda {

/// Throws cimlir::Error "WHAT: CUDA error NAME (TEXT)" unless `status` is cudaSuccess; an out-of-
/// memory status says so in words a user acts on.
void check(cudaError_t status, const std::string &what);

/// After a kernel launch: the launch's own error (bad configuration), if any.
void checkLaunch(const char *kernel);

/// "" when the CUDA backend can run here (a CUDA device and CUDA's cuBLAS), else why not ("no
/// CUDA device: ...", or the cuBLAS library that could not be loaded).
std::string unavailableReason();

} // namespace cimlir::cuda
