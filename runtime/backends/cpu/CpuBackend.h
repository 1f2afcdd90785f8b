// cimlir runtime: the CPU backend, the reference implementation of every step.
#pragma once

#include "runtime/exec/Backend.h"

#include <memory>

namespace cimlir {

/// The CPU backend (registered as "cpu", runtime/backends/Registry.h): every step of a plan,
/// on the host.
std::unique_ptr<Backend> createCpuBackend(const BackendOptions &options = {});

} // namespace cimlir
