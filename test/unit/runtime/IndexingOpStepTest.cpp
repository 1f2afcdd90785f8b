// The GatherElements, ScatterElements, GatherND, ScatterND, OneHot, TopK, Trilu, ArgMax, ArgMin and
// CumSum steps of another backend against the CPU backend's (OpStepTestUtil.h).
#include "test/unit/runtime/OpStepTestUtil.h"

namespace cimlir::runtimetest {
namespace {} // namespace
} // namespace cimlir::runtimetest
