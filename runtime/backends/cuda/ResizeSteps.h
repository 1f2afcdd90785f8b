// cimlir runtime: the CUDA backend's Resize steps (kernels/cuda/Resize.h).
#pragma once

#include "runtime/backends/cuda/GpuStepUtil.h"

#include <map>
#include <string>

namespace cimlir::cuda {

/// Adds the factories of these steps to the GPU step table (GpuSteps.cpp).
void addResizeSteps(std::map<std::string, Factory> &table);

} // namespace cimlir::cuda
