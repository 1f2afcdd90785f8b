// cimlir runtime: the CUDA backend's MatMulInteger and ConvInteger steps (kernels/cuda/
// IntegerLinear.h), exact as the CPU kernels.
#pragma once

#include "runtime/backends/cuda/GpuStepUtil.h"

#include <map>
#include <string>

namespace cimlir::cuda {

/// Adds the factories of these steps to the GPU step table (GpuSteps.cpp).
void addIntegerLinearSteps(std::map<std::string, Factory> &table);

} // namespace cimlir::cuda
