// cimlir runtime: the CUDA backend's GatherElements, ScatterElements, GatherND, ScatterND, OneHot,
// TopK, Trilu, ArgMax, ArgMin and CumSum steps (kernels/cuda/Indexing.h).
#pragma once

#include "runtime/backends/cuda/GpuStepUtil.h"

#include <map>
#include <string>

namespace cimlir::cuda {

/// Adds the factories of these steps to the GPU step table (GpuSteps.cpp).
void addIndexingSteps(std::map<std::string, Factory> &table);

} // namespace cimlir::cuda
