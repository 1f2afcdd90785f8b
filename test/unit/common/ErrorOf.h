// The message of the one-line cimlir::Error a call throws, for tests of bad input.
#pragma once

#include "core/Error.h"

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

namespace cimlir::test {

/// Runs f and returns the cimlir::Error message it throws (fails the test if none, if it is
/// not one line, or if another exception is thrown).
inline std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "error is not one line: " << msg;
    return msg;
  } catch (const std::exception &e) {
    ADD_FAILURE() << "threw a non-cimlir exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected a cimlir::Error, nothing was thrown";
  return {};
}

} // namespace cimlir::test
