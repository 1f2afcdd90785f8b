// cimlir runtime: the CPU backend, the reference implementation of every step.
#pragma once

#include "runtime/backends/cpu/CimSettings.h"
#include "runtime/exec/Backend.h"

#include <cstdint>
#include <functional>
#include <string>

namespace cimlir {

/// A tap on the rows a DigitalLinear step multiplies: called with the step's name, the group
/// g and its rows x [M,K] (float32: gemm/matmul rows, conv im2col patches, as
/// LinearStepLayout lowers them) right before the product x · W_g, once per group and chunk
/// of rows. It observes only; the rows are valid during the call. Calibration
/// (runtime/tooling/CalibrationRun.h) runs a float plan with one to see every layer's inputs.
using LinearRowsTap =
    std::function<void(const std::string &step, int64_t group, const Tensor &rows)>;

/// How the CPU backend prepares steps; the defaults run the plan as compiled.
struct CpuBackendOptions {
  /// Run-time parameters applied to every CimLinear step before its chip is programmed
  /// (cim-run --set, --seed, --chip-seed, and the chip of --repeats).
  CimOverrides cim;
  /// Called by every DigitalLinear step before each product (unset: no tap).
  LinearRowsTap digitalRowsTap;
};

std::unique_ptr<Backend> createCpuBackend(const CpuBackendOptions &options = {});

} // namespace cimlir
