#include "runtime/backends/Registry.h"

#include "core/Error.h"
#include "core/Printable.h"
#include "runtime/backends/cpu/CpuBackend.h"
#if CIMLIR_WITH_CUDA
#include "runtime/backends/cuda/CudaBackend.h"
#endif

namespace cimlir {

const std::vector<BackendInfo> &registeredBackends() {
  static const std::vector<BackendInfo> backends = {
#if CIMLIR_WITH_CUDA
    {"cuda",
     "the GPU backend: CIM layers in fused tensor-core kernels, steps without a GPU kernel on "
     "the host (docs/cuda-backend.md)",
     [] { return cudaBackendUnavailable(); },
     [](const BackendOptions &options) { return createCudaBackend(options); }},
#endif
    {"cpu", "the reference backend: every step on the host CPU (cim-numerics.md exactly)",
     [] { return std::string(); },
     [](const BackendOptions &options) { return createCpuBackend(options); }},
  };
  return backends;
}

std::string backendChoices() {
  std::string out = "auto";
  for (const BackendInfo &b : registeredBackends())
    out += ", " + b.name;
  return out;
}

const BackendInfo &findBackend(const std::string &name) {
  if (name == "auto") {
    for (const BackendInfo &b : registeredBackends())
      if (b.unavailable().empty())
        return b;
    throw Error("--backend auto: no backend can run on this machine");
  }
  for (const BackendInfo &b : registeredBackends()) {
    if (b.name != name)
      continue;
    if (std::string why = b.unavailable(); !why.empty())
      throw Error("--backend " + name + ": cannot run here: " + why);
    return b;
  }
  throw Error("--backend " + printable(name) + ": unknown backend (choices: " + backendChoices() +
              ")");
}

std::unique_ptr<Backend> createBackend(const std::string &name, const BackendOptions &options) {
  return findBackend(name).create(options);
}

} // namespace cimlir
