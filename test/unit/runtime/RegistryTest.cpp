// The backend registry (runtime/backends/Registry.h): the backends it lists are the ones the
// build made (CIMLIR_BACKENDS), `auto` picks one that can run, and a bad name is one clear error.
#include "runtime/backends/Registry.h"

#include "test/unit/common/ErrorOf.h"
#include "test/unit/runtime/RuntimeTestUtil.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cimlir::runtimetest {
namespace {

TEST(BackendRegistry, ListsTheBackendsTheBuildMade) {
  std::string names;
  for (const BackendInfo &b : registeredBackends()) {
    names += (names.empty() ? "" : ",") + b.name;
    EXPECT_FALSE(b.description.empty()) << b.name;
  }
  EXPECT_EQ(names, CIMLIR_BACKENDS);
  std::string expected = "auto", name;
  std::stringstream built(CIMLIR_BACKENDS);
  while (std::getline(built, name, ','))
    expected += ", " + name;
  EXPECT_EQ(backendChoices(), expected);
}

TEST(BackendRegistry, AutoPicksOneThatCanRunAndEveryNameCreatesItsBackend) {
  const BackendInfo &picked = findBackend("auto");
  EXPECT_EQ(picked.unavailable(), "");
  EXPECT_EQ(createBackend("auto", {})->name(), picked.name);
  for (const BackendInfo &b : registeredBackends()) {
    if (b.unavailable().empty()) {
      EXPECT_EQ(createBackend(b.name, {})->name(), b.name);
    }
  }
  EXPECT_NE(findBackend(testBackend()).name, "");
}

TEST(BackendRegistry, UnknownNamesAreOneError) {
  EXPECT_EQ(test::errorOf([] { createBackend("gpu0", {}); }),
            "--backend gpu0: unknown backend (choices: " + backendChoices() + ")");
  EXPECT_EQ(test::errorOf([] { findBackend("CPU"); }),
            "--backend CPU: unknown backend (choices: " + backendChoices() + ")");
  EXPECT_EQ(test::errorOf([] { findBackend("a\nb"); }),
            "--backend a\\x0ab: unknown backend (choices: " + backendChoices() + ")");
}

} // namespace
} // namespace cimlir::runtimetest
