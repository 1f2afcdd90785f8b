// cimlir runtime: runs a program's steps on one batch of inputs.
//
// Thread-compatible: one thread at a time may call run().
#pragma once

#include "runtime/exec/Backend.h"
#include "runtime/exec/Program.h"

#include <map>
#include <memory>
#include <vector>

namespace cimlir {

class Executor {
public:
  /// Prepares every step on `backend`; throws cimlir::Error for a step it cannot run.
  Executor(std::shared_ptr<const Program> program, std::unique_ptr<Backend> backend);

  /// Runs the program on `inputs` (keyed by graph input name, each with the plan's dtype
  /// and shape, the batch dimension of any size >= 1 but the same for all). Returns the
  /// graph outputs keyed by name. Throws cimlir::Error with one line naming the input
  /// and what was expected when an input is missing or does not match. `context` tells
  /// kernels with sample-keyed randomness where this batch sits in the dataset.
  TensorMap run(const TensorMap &inputs, const RunContext &context = {});

  /// Accumulates time per step across runs, measured by the backend (off by default; turning
  /// it off keeps what was measured).
  void enableProfiling(bool on);
  /// Seconds spent in each step (indexed like program().steps()) while profiling was on.
  std::vector<double> stepSeconds() const;
  /// Bytes of the activation arena for a batch of `batch` samples (every intermediate value
  /// at its planned offset; graph inputs and outputs are apart: the caller's tensors, copied
  /// in and out for a backend with Device memory). Plans it if no
  /// run has used that batch size yet.
  size_t arenaBytes(int64_t batch);

  /// Host-to-device copies of graph inputs (a Device backend) since construction: bytes and
  /// the host time the copies took (each copy completes before it returns).
  struct Transfers {
    int64_t bytes = 0;
    double seconds = 0.0;
  };
  Transfers inputTransfers() const { return inputTransfers_; }

  /// What step i's kernel reports (StepKernel::report; null for most steps).
  nlohmann::json stepReport(size_t step) const { return kernels_.at(step)->report(); }

  const Program &program() const { return *program_; }
  const Backend &backend() const { return *backend_; }

private:
  int64_t bindInputs(const TensorMap &inputs, std::vector<Tensor> &slots) const;
  /// The arena of one batch size: each intermediate value's byte offset (-1 for constants,
  /// graph inputs and outputs), values whose lifetimes do not overlap sharing memory.
  struct Arena {
    size_t bytes = 0;
    std::vector<int64_t> offset;
    std::shared_ptr<void> memory;
    /// A Device backend's graph inputs and outputs of this batch size, by value id, kept from
    /// run to run (a replayed recording reads and writes the same memory).
    std::map<int64_t, Tensor> staged;
    int64_t runs = 0;
    /// Backend::canReplay: the recording of this batch size (-1: none), the repeat it was
    /// recorded for (the fresh-noise key depends on it), and whether recording failed.
    int64_t recording = -1, recordedRepeat = 0;
    bool unrecordable = false;
  };
  Arena &arenaFor(int64_t batch);
  /// A zeroed tensor of its own in the backend's memory.
  Tensor backendTensor(DType dtype, Shape shape) const;
  /// Binds every step's outputs into `slots` and runs the steps (`run`: each kernel's run, with
  /// its outputs zeroed first; else each kernel's replayed, after Backend::replay).
  void runSteps(Arena &arena, int64_t batch, std::vector<Tensor> &slots, const RunContext &context,
                bool run);

  std::shared_ptr<const Program> program_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::unique_ptr<StepKernel>> kernels_;
  std::vector<std::vector<int64_t>> releaseAfter_; // values whose last use is step i
  std::vector<bool> inArena_;                      // intermediates: neither constant nor I/O
  std::map<int64_t, Arena> arenas_;                // by batch size
  std::unique_ptr<StepTimer> timer_;               // once profiling was enabled
  bool profiling_ = false;
  bool replayable_ = false; // the backend replays and every kernel may be replayed
  Transfers inputTransfers_;
};

/// "float32 [N,1,28,28]": how a plan tensor is described in messages.
std::string describeSpec(const TensorSpec &spec);

} // namespace cimlir
