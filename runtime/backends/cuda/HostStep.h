// cimlir runtime: a step the CUDA backend runs on the host, through the CPU backend's kernel.
//
// Until an op has a GPU kernel, the CUDA backend runs it this way rather than refusing the
// plan: the stream is drained, the step's device inputs are copied to host memory, the CPU
// reference kernel runs, and its outputs are copied back. The numbers are the CPU backend's by
// construction; the cost is the round trip, which cim-run's report shows (backend_details,
// "host_steps", and --profile per step). docs/cuda-backend.md lists which ops run where.
#pragma once

#include "runtime/backends/cuda/CudaContext.h"
#include "runtime/exec/Backend.h"

#include <memory>
#include <vector>

namespace cimlir::cuda {

/// `cpu` is the CPU backend's kernel of the step; `constantInputs[i]` says that input i is a
/// plan constant (host memory, passed as is) rather than an activation (device memory).
std::unique_ptr<StepKernel> hostStep(std::unique_ptr<StepKernel> cpu,
                                     std::vector<bool> constantInputs,
                                     std::shared_ptr<Context> context);

} // namespace cimlir::cuda
