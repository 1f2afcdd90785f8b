// cimlir runtime: the CUDA backend's data-movement steps (kernels/cuda/Layout.h): copies,
// Transpose, Slice, Expand, Tile, Pad, Concat, Split and Gather, for any element type.
#pragma once

#include "runtime/backends/cuda/GpuStepUtil.h"

namespace cimlir::cuda {

/// Reshape, Flatten, Squeeze, Unsqueeze, Identity: device copies.
std::unique_ptr<StepKernel> copyStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> transposeStep(const StepAttrs &a,
                                          const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> sliceStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> expandStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> tileStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> padStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
/// Concat, and Split (its inverse).
std::unique_ptr<StepKernel> concatStep(const StepAttrs &a, const std::shared_ptr<Context> &context);
std::unique_ptr<StepKernel> gatherStep(const StepAttrs &a, const std::shared_ptr<Context> &context);

} // namespace cimlir::cuda
