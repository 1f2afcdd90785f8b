// cimlir runtime: the CUDA backend's NegativeLogLikelihoodLoss steps (kernels/cuda/Loss.h).
#pragma once

#include "runtime/backends/cuda/GpuStepUtil.h"

#include <map>
#include <string>

namespace cimlir::cuda {

/// Adds the factories of these steps to the GPU step table (GpuSteps.cpp).
void addLossSteps(std::map<std::string, Factory> &table);

} // namespace cimlir::cuda
