// cimlir runtime: the steps the CUDA backend runs on the GPU, and the ops it runs there.
#pragma once

#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir::cuda {

/// The step's GPU kernel, or null when this op, or this use of it (its attributes, element
/// types or a constant input), has none yet: the backend then runs it on the host.
std::unique_ptr<StepKernel> prepareGpuStep(const StepAttrs &attrs,
                                           const std::shared_ptr<Context> &context);

} // namespace cimlir::cuda
