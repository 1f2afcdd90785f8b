#include "runtime/backends/cuda/LossSteps.h"

namespace cimlir::cuda {

void addLossSteps(std::map<std::string, Factory> &) {}

} // namespace cimlir::cuda
