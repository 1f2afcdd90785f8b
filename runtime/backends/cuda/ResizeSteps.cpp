#include "runtime/backends/cuda/ResizeSteps.h"

namespace cimlir::cuda {

void addResizeSteps(std::map<std::string, Factory> &) {}

} // namespace cimlir::cuda
