#include "runtime/backends/cuda/EinsumSteps.h"

namespace cimlir::cuda {

void addEinsumSteps(std::map<std::string, Factory> &) {}

} // namespace cimlir::cuda
