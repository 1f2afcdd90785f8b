// cimlir CPU kernels: the singular values of a matrix (LAPACK's sgesdd, through OpenBLAS,
// which carries LAPACK), for the weight-energy proxy of cim-opt --sensitivity
// (docs/sensitivity.md).
#pragma once

#include <cstdint>
#include <vector>

namespace cimlir::kernels {

/// The singular values of the row-major rows x cols matrix `a`, largest first
/// (min(rows, cols) of them). Throws cimlir::Error if LAPACK does not converge or `a` holds a
/// value that is not finite.
std::vector<float> singularValues(const float *a, int64_t rows, int64_t cols);

} // namespace cimlir::kernels
