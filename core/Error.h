// cimlir core: the one error type the runtime throws.
//
// Inside runtime/ and kernels/ an unrecoverable condition (bad plan, bad dataset,
// shape mismatch) throws cimlir::Error with one line that says what, where and how
// to fix. Tool mains catch it, print it and exit non-zero; functions the compiler
// calls (the plan writer) catch it at their boundary and return it as a value.
#pragma once

#include <stdexcept>
#include <string>

namespace cimlir {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

} // namespace cimlir
