#include "runtime/backends/cuda/IndexingSteps.h"

namespace cimlir::cuda {

void addIndexingSteps(std::map<std::string, Factory> &) {}

} // namespace cimlir::cuda
