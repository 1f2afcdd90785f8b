// cimlir: BatchNormalization's per-channel multiplier scale / sqrt(var + epsilon), in double
// and rounded to float32. One definition for the CPU kernel (kernels/cpu/Normalization.cpp)
// and the compiler's folding of BatchNormalization into a layer's weights
// (passes/FoldBatchNorm.cpp), so that both scale by the same float.
#pragma once

#include <cmath>

namespace cimlir {

inline float batchNormMultiplier(float scale, float var, float epsilon) {
  return static_cast<float>(static_cast<double>(scale) /
                            std::sqrt(static_cast<double>(var) + epsilon));
}

} // namespace cimlir
