#include "kernels/cpu/SingularValues.h"

#include "core/Error.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>

// LAPACK's Fortran interface (OpenBLAS exports it; Debian ships no lapack.h beside cblas.h).
extern "C" void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda,
                        float *s, float *u, const int *ldu, float *vt, const int *ldvt, float *work,
                        const int *lwork, int *iwork, int *info);

namespace cimlir::kernels {

std::vector<float> singularValues(const float *a, int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1)
    return {};
  if (rows > INT_MAX || cols > INT_MAX || rows * cols > INT_MAX)
    throw Error("singular values: a " + std::to_string(rows) + "x" + std::to_string(cols) +
                " matrix is larger than LAPACK's 32-bit indices");
  // A row-major rows x cols matrix is the column-major cols x rows matrix of its transpose,
  // which has the same singular values: no copy into column order needed.
  std::vector<float> m(a, a + rows * cols);
  if (!std::all_of(m.begin(), m.end(), [](float v) { return std::isfinite(v); }))
    throw Error("singular values: the matrix holds a value that is not finite");
  const int mm = static_cast<int>(cols), nn = static_cast<int>(rows);
  const int lda = mm, one = 1;
  std::vector<float> s(static_cast<size_t>(std::min(mm, nn)));
  std::vector<int> iwork(8 * s.size());
  float unused = 0, query = 0;
  int lwork = -1, info = 0;
  sgesdd_("N", &mm, &nn, m.data(), &lda, s.data(), &unused, &one, &unused, &one, &query, &lwork,
          iwork.data(), &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<float> work(static_cast<size_t>(lwork));
  sgesdd_("N", &mm, &nn, m.data(), &lda, s.data(), &unused, &one, &unused, &one, work.data(),
          &lwork, iwork.data(), &info);
  if (info != 0)
    throw Error("singular values: LAPACK sgesdd failed (info " + std::to_string(info) + ")");
  return s; // sgesdd returns them in decreasing order
}

} // namespace cimlir::kernels
