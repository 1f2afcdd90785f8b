// cimlir runtime: the CUDA backend's CimLinear step (cim-numerics.md; docs/cuda-backend.md).
//
// prepare (plan load): the layer is read and its chips programmed on the host exactly as the
// CPU backend does (CimLayer, backends/cpu/CimLinearStep.h), so static effects are the same
// cells; each group's differential levels L~+_j - L~-_j are uploaded once (int8 [S][N][K],
// float32 with programming noise, or bit planes) with s_w and the full scales. run (per batch): the
// rows of x go through the fused kernel (kernels/cuda/CimLinear.h) on the backend's stream; Gemm's
// alpha and beta·C follow on the GPU.
#pragma once

#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"
#include "runtime/exec/StepAttrs.h"

#include <memory>

namespace cimlir::cuda {

/// The GPU kernel of a CimLinear step, or null when the layer needs what the GPU kernel does
/// not do yet (docs/cuda-backend.md lists it): conv_transpose of more than 3 spatial axes,
/// hybrid inputs beyond 8 bits, `dynamic` column blocks wider than 128 outputs, more than 16
/// slices, or exact sums beyond int64. Throws cimlir::Error naming the step for a malformed one, as
/// the CPU backend does.
std::unique_ptr<StepKernel> prepareGpuCimLinear(const StepAttrs &attrs,
                                                const std::shared_ptr<Context> &context);

} // namespace cimlir::cuda
