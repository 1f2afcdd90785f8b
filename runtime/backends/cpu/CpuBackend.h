// cimlir runtime: the CPU backend, the reference implementation of every step.
#pragma once

#include "kernels/cpu/Conv.h"
#include "kernels/cpu/Pool.h"
#include "kernels/cpu/Resize.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir {

/// A MaxPool or AveragePool step's window attributes (AveragePool's count_include_pad too),
/// read as every backend reads them.
cpu::PoolParams readPoolParams(const StepAttrs &a);

/// A Conv, ConvTranspose or ConvInteger step's strides, pads, dilations and group, read as
/// every backend reads them.
cpu::ConvParams readConvParams(const StepAttrs &a);

/// A Resize step's attributes (scales, roi, modes), read as every backend reads them.
cpu::ResizeParams readResizeParams(const StepAttrs &a);

/// The CPU backend (registered as "cpu", runtime/backends/Registry.h): every step of a plan,
/// on the host.
std::unique_ptr<Backend> createCpuBackend(const BackendOptions &options = {});

} // namespace cimlir
