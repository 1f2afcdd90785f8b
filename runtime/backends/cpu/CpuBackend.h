// cimlir runtime: the CPU backend, the reference implementation of every step.
#pragma once

#include "runtime/backends/cpu/CimSettings.h"
#include "runtime/exec/Backend.h"

namespace cimlir {

/// How the CPU backend prepares steps; the defaults run the plan as compiled.
struct CpuBackendOptions {
  /// Run-time parameters applied to every CimLinear step before its chip is programmed
  /// (cim-run --set, --seed, --chip-seed, and the chip of --repeats).
  CimOverrides cim;
};

std::unique_ptr<Backend> createCpuBackend(const CpuBackendOptions &options = {});

} // namespace cimlir
