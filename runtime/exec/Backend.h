// cimlir runtime: what a backend provides to the executor.
#pragma once

#include "runtime/core/Tensor.h"
#include "runtime/exec/Program.h"

#include <memory>
#include <string>
#include <vector>

namespace cimlir {

/// A step with its attributes parsed, ready to run on tensors of any batch size.
class StepKernel {
public:
  virtual ~StepKernel() = default;
  /// `outputs` are allocated by the executor with the step's output shapes bound to the
  /// run's batch size; the kernel fills them.
  virtual void run(const std::vector<const Tensor *> &inputs, const std::vector<Tensor *> &outputs) = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Parses and checks the step's attributes and arity. Throws cimlir::Error naming the
  /// step when the backend cannot run it.
  virtual std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) = 0;
};

} // namespace cimlir
