// cimlir CPU kernels: data movement that does not depend on the element type.
#pragma once

#include "core/Tensor.h"

#include <vector>

namespace cimlir::cpu {

/// Y = X with axes permuted: Y.shape[i] = X.shape[perm[i]]. Any dtype (moves bytes).
void transpose(const Tensor &x, const std::vector<int64_t> &perm, Tensor &y);

} // namespace cimlir::cpu
