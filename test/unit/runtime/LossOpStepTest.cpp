// The NegativeLogLikelihoodLoss steps of another backend against the CPU backend's
// (OpStepTestUtil.h).
#include "test/unit/runtime/OpStepTestUtil.h"

namespace cimlir::runtimetest {
namespace {} // namespace
} // namespace cimlir::runtimetest
