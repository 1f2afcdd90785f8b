// cimlir runtime: the CUDA backend's DigitalLinear step: the layer is read and its weights
// prepared on the host as the CPU backend does (DigitalLayer, backends/cpu/DigitalLinearStep.h),
// uploaded once, and each group's product runs in cuBLAS (kernels/cuda/DigitalLinear.h) on the
// backend's stream, laid out by LinearLayout.
#pragma once

#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir::cuda {

/// The GPU kernel of a DigitalLinear step, or null where the GPU path does not run it yet:
/// conv_transpose and recurrent kinds, and int8 sums beyond int32. A run that taps the rows
/// (calibration) gets each product's rows copied to the host for the tap. Throws cimlir::Error
/// naming the step for a malformed one.
std::unique_ptr<StepKernel> prepareGpuDigitalLinear(const StepAttrs &attrs,
                                                    const std::shared_ptr<Context> &context);

} // namespace cimlir::cuda
