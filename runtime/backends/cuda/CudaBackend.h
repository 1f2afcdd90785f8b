// cimlir runtime: the CUDA backend (docs/cuda-backend.md). Activations live in device memory;
// every step is issued on one stream; steps with a GPU kernel (GpuSteps.h) run there, the others
// on the host through the CPU backend's kernels (HostStep.h).
#pragma once

#include "runtime/exec/Backend.h"

#include <memory>
#include <string>

namespace cimlir {

/// The CUDA backend (registered as "cuda", runtime/backends/Registry.h). Throws cimlir::Error
/// when no GPU can run here.
std::unique_ptr<Backend> createCudaBackend(const BackendOptions &options = {});

/// "" when the CUDA backend can run on this machine, else why not.
std::string cudaBackendUnavailable();

} // namespace cimlir
