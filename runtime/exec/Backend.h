// cimlir runtime: what a backend provides to the executor.
#pragma once

#include "core/Tensor.h"
#include "runtime/exec/CimStepParams.h"
#include "runtime/exec/Program.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cimlir {

/// Where a batch sits in the evaluation, for kernels whose random effects are keyed by the
/// sample (cim-numerics.md §9): fresh noise must not depend on how a dataset is batched, so
/// a kernel needs the dataset index of the batch's first sample, and the repeat (chip) index
/// of `cim-run --repeats`. Kernels without randomness ignore it.
struct RunContext {
  /// Dataset index of the first sample of this batch (0 for a whole --inputs file).
  int64_t firstSample = 0;
  /// Which repeat of the evaluation this is (0, 1, ... for cim-run --repeats).
  int64_t repeat = 0;
};

/// A step with its attributes parsed, ready to run on tensors of any batch size.
class StepKernel {
public:
  virtual ~StepKernel() = default;
  /// `outputs` are allocated by the executor with the step's output shapes bound to the
  /// run's batch size; the kernel fills them.
  virtual void run(const std::vector<const Tensor *> &inputs, const std::vector<Tensor *> &outputs,
                   const RunContext &context) = 0;
  /// What the kernel did since it was prepared, for cim-run's report (e.g. the CIM
  /// counters of a CimLinear step); null for kernels with nothing to report.
  virtual nlohmann::json report() const { return nullptr; }

  /// Whether the work run() enqueues may be recorded and replayed for later batches of the same
  /// shape (Backend::canReplay): no host work and no waiting on the device per batch, and
  /// nothing of the RunContext baked in but the repeat (the sample index is read on the device:
  /// Backend::startBatch).
  virtual bool replayable() const { return true; }
  /// Called instead of run() when the backend replays this step's recorded work, with the
  /// tensors run() would have had (already written), for the kernel's own accounting.
  virtual void replayed(const std::vector<const Tensor *> &inputs,
                        const std::vector<Tensor *> &outputs, const RunContext &context) {
    (void)inputs, (void)outputs, (void)context;
  }
};

/// A tap on the rows a DigitalLinear step multiplies: called with the step's name, the group
/// g and its rows x [M,K] (float32, host memory: gemm/matmul rows, conv im2col patches) right
/// before the product x · W_g, once per group and chunk of rows. It observes only; the rows
/// are valid during the call. Calibration (runtime/tooling/CalibrationRun.h) runs a float plan
/// with one to see every layer's inputs.
using LinearRowsTap =
    std::function<void(const std::string &step, int64_t group, const Tensor &rows)>;

/// How a backend prepares steps, the same for every backend; the defaults run the plan as
/// compiled.
struct BackendOptions {
  /// Run-time parameters applied to every CimLinear step before its chip is programmed
  /// (cim-run --set, --seed, --chip-seed, and the chip of --repeats).
  CimOverrides cim;
  /// Called by every DigitalLinear step before each product (unset: no tap).
  LinearRowsTap digitalRowsTap;
  /// --gpu-memory-budget: bytes of device memory a Device backend keeps weights in; the CUDA
  /// backend streams the weight arrays of CIM and DigitalLinear layers past it from host
  /// memory. 0: auto (the device's free memory at load, less a reserve for activations).
  uint64_t weightBudget = 0;
  /// A backend that can replay a batch's recorded work (Backend::canReplay: the CUDA backend's
  /// CUDA graphs) does so (cim-run --cuda-graph on|off).
  bool replay = true;
  /// The GPU a backend of an accelerator takes: this index modulo the GPUs the process sees
  /// (cim-run: its rank among the MPI ranks on its host); -1: the current one.
  int gpu = -1;
  /// The processes on this host that take its GPUs so (cim-run's MPI ranks on the host): the
  /// automatic weight budget is a GPU's memory shared among those that take it.
  int hostProcesses = 1;
};

/// Times steps for --profile. A backend times its own work: the CPU with the host clock, an
/// asynchronous backend with events on its stream.
class StepTimer {
public:
  virtual ~StepTimer() = default;
  virtual void start(size_t step) = 0;
  virtual void stop(size_t step) = 0;
  /// Seconds per step accumulated so far; read after Backend::synchronize().
  virtual std::vector<double> seconds() const = 0;
};

/// Where a backend's kernels read and write activations (Backend::memorySpace).
enum class MemorySpace {
  Host,   ///< host memory: the plan's inputs and outputs are used where they are
  Device, ///< an accelerator's: the executor copies the inputs in and the outputs out
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Parses and checks the step's attributes and arity. Throws cimlir::Error naming the
  /// step when the backend cannot run it.
  virtual std::unique_ptr<StepKernel> prepare(const Program &program, const Step &step) = 0;
  /// Where allocate's memory is. The executor hands kernels the plan's inputs, intermediates
  /// and outputs there; constants stay in host memory (a kernel keeps what it needs of them
  /// from prepare: a programmed chip, weights it streams).
  virtual MemorySpace memorySpace() const = 0;
  /// `bytes` of activation memory in memorySpace() (the executor's arena: one block per
  /// batch size, 64-byte aligned, reused across runs; and the graph's inputs and outputs).
  /// Throws cimlir::Error when it is not there.
  virtual std::shared_ptr<void> allocate(size_t bytes) = 0;
  /// Copies `bytes` from host memory to memory from allocate, and back; the executor calls
  /// them for a Device backend, after synchronize() for the way back. Both are complete when
  /// they return (the executor times the copies in).
  virtual void copyFromHost(void *data, const void *host, size_t bytes) = 0;
  virtual void copyToHost(void *host, const void *data, size_t bytes) = 0;
  /// Sets `bytes` at `data` (memory from allocate) to zero before a step writes it.
  virtual void zero(void *data, size_t bytes) = 0;
  /// StepKernel::run enqueues a step's work, which an asynchronous backend may still be doing
  /// when run returns; this waits for all of it. The executor calls it before it hands
  /// outputs back.
  virtual void synchronize() {}
  /// A timer over `steps` steps for --profile.
  virtual std::unique_ptr<StepTimer> createTimer(size_t steps) = 0;
  /// What the backend ran on, for cim-run's report ("backend_details"): the GPU, its peak
  /// memory, the steps it ran on the host; null when there is nothing to say.
  virtual nlohmann::json report() const { return nullptr; }

  /// Replay (docs/cuda-backend.md, "CUDA graphs"): a backend that can record the work the
  /// steps enqueue for one batch and run that recording again for later batches of the same
  /// shape, without the steps' host work. The executor records a batch size's second run and
  /// replays the recording from the third on, with the same activation, input and output
  /// memory each time.
  virtual bool canReplay() const { return false; }
  /// The steps' work from here to endRecording is recorded, not run.
  virtual void beginRecording() {}
  /// Ends the recording, runs it once and returns its handle for replay(). Throws
  /// cimlir::Error when the recording cannot be run (the executor then runs the steps).
  virtual int64_t endRecording() { return -1; }
  /// Ends a recording that a step's error interrupted, dropping it.
  virtual void abandonRecording() {}
  /// Runs a recording again.
  virtual void replay(int64_t recording) { (void)recording; }
  /// Called before each batch: where it starts, for kernels that read the sample index on the
  /// device (a replayed batch runs no step code on the host).
  virtual void startBatch(const RunContext &context) { (void)context; }
};

} // namespace cimlir
