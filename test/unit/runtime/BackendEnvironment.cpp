// The runtime suite runs once per registered backend (CIMLIR_TEST_BACKEND); where that backend
// cannot run (cuda on a machine without a GPU, as on CI) the binary says why and exits with 77,
// which ctest counts as skipped (SKIP_RETURN_CODE, CMakeLists.txt).
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

namespace cimlir::runtimetest {
namespace {

class BackendEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    for (const BackendInfo &b : registeredBackends())
      if (b.name == testBackend())
        if (std::string why = b.unavailable(); !why.empty()) {
          std::cout << "skipped: backend " << b.name << " cannot run here: " << why << std::endl;
          std::exit(77);
        }
  }
};

const ::testing::Environment *const environment =
    ::testing::AddGlobalTestEnvironment(new BackendEnvironment);

} // namespace
} // namespace cimlir::runtimetest
