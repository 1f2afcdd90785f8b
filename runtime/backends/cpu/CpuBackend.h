// cimlir runtime: the CPU backend, the reference implementation of every step.
#pragma once

#include "runtime/exec/Backend.h"

namespace cimlir {

std::unique_ptr<Backend> createCpuBackend();

} // namespace cimlir
