#include "runtime/exec/Executor.h"

#include "core/Error.h"

#include <chrono>
#include <cstdint>
#include <set>

namespace cimlir {

std::string describeSpec(const TensorSpec &spec) {
  return std::string(dtypeName(spec.dtype)) + " " + shapeToString(spec.shape);
}

Executor::Executor(std::shared_ptr<const Program> program, std::unique_ptr<Backend> backend)
    : program_(std::move(program)), backend_(std::move(backend)) {
  const auto &steps = program_->steps();
  replayable_ = backend_->canReplay();
  for (const Step &s : steps) {
    kernels_.push_back(backend_->prepare(*program_, s));
    replayable_ = replayable_ && kernels_.back()->replayable();
  }

  // Free each intermediate right after its last reader, so peak memory follows the
  // widest point of the graph rather than its sum.
  std::vector<int64_t> lastUse(program_->values().size(), -1);
  for (size_t i = 0; i < steps.size(); ++i) {
    for (int64_t v : steps[i].inputs)
      lastUse[v] = static_cast<int64_t>(i);
    for (int64_t v : steps[i].outputs)
      lastUse[v] = std::max<int64_t>(lastUse[v], static_cast<int64_t>(i));
  }
  std::set<int64_t> keep(program_->outputIds().begin(), program_->outputIds().end());
  releaseAfter_.resize(steps.size());
  for (size_t v = 0; v < lastUse.size(); ++v)
    if (lastUse[v] >= 0 && !keep.count(static_cast<int64_t>(v)) && !program_->constant(v))
      releaseAfter_[lastUse[v]].push_back(static_cast<int64_t>(v));
  // The arena holds what steps compute for each other; graph outputs are the caller's.
  inArena_.assign(program_->values().size(), false);
  for (const Step &s : steps)
    for (int64_t v : s.outputs)
      inArena_[v] = !keep.count(v);
}

void Executor::enableProfiling(bool on) {
  if (on && !timer_)
    timer_ = backend_->createTimer(program_->steps().size());
  profiling_ = on;
}

std::vector<double> Executor::stepSeconds() const {
  return timer_ ? timer_->seconds() : std::vector<double>(program_->steps().size(), 0.0);
}

size_t Executor::arenaBytes(int64_t batch) { return arenaFor(batch).bytes; }

Executor::Arena &Executor::arenaFor(int64_t batch) {
  auto found = arenas_.find(batch);
  if (found != arenas_.end())
    return found->second;
  // Linear scan over the steps: a step's outputs take the lowest gaps that fit among the
  // values still live (first fit), and its inputs' last use frees them only after it ran, so
  // a step never writes over what it reads.
  const auto &values = program_->values();
  const auto &steps = program_->steps();
  Arena arena;
  arena.offset.assign(values.size(), -1);
  std::map<size_t, size_t> live; // offset -> bytes, of values not yet released
  for (size_t i = 0; i < steps.size(); ++i) {
    for (int64_t v : steps[i].outputs) {
      if (!inArena_[v])
        continue;
      int64_t raw;
      if (!checkedShapeBytes(bindBatch(values[v].shape, batch), dtypeSize(values[v].dtype), raw))
        throw Error("value '" + values[v].name + "' of " + std::to_string(batch) +
                    " samples is too large to allocate");
      // 64-byte blocks, at least one: an empty value still owns its offset in `live`.
      const size_t bytes = std::max<size_t>(64, (static_cast<size_t>(raw) + 63) / 64 * 64);
      size_t at = 0, end = 0;
      for (const auto &[offset, size] : live) {
        if (offset >= at + bytes)
          break;
        at = std::max(at, offset + size);
      }
      if (__builtin_add_overflow(at, bytes, &end) || end > size_t(INT64_MAX))
        throw Error("the activations of " + std::to_string(batch) +
                    " samples are too large to allocate");
      live.emplace(at, bytes);
      arena.offset[v] = static_cast<int64_t>(at);
      arena.bytes = std::max(arena.bytes, end);
    }
    for (int64_t v : releaseAfter_[i])
      if (inArena_[v])
        live.erase(static_cast<size_t>(arena.offset[v]));
  }
  arena.memory = backend_->allocate(std::max<size_t>(arena.bytes, 64));
  return arenas_.emplace(batch, std::move(arena)).first->second;
}

int64_t Executor::bindInputs(const TensorMap &inputs, std::vector<Tensor> &slots) const {
  const auto &specs = program_->inputs();
  for (const auto &[name, t] : inputs) {
    bool known = false;
    for (const auto &s : specs)
      known |= s.name == name;
    if (!known) {
      std::string names;
      for (const auto &s : specs)
        names += (names.empty() ? "'" : ", '") + s.name + "'";
      throw Error("input '" + name + "' is not an input of the plan (its inputs: " + names + ")");
    }
  }
  int64_t batch = -1;
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec &spec = specs[i];
    auto it = inputs.find(spec.name);
    if (it == inputs.end())
      throw Error("input '" + spec.name + "' is missing (expected " + describeSpec(spec) + ")");
    const Tensor &t = it->second;
    bool ok = t.dtype() == spec.dtype && t.rank() == static_cast<int64_t>(spec.shape.size());
    for (size_t d = 0; ok && d < spec.shape.size(); ++d) {
      if (spec.shape[d] >= 0) {
        ok = t.dim(d) == spec.shape[d];
      } else {
        ok = t.dim(d) >= 1 && (batch < 0 || t.dim(d) == batch);
        if (batch < 0)
          batch = t.dim(d);
      }
    }
    if (ok && !t.defined())
      throw Error("input '" + spec.name + "' has no data");
    if (!ok)
      throw Error("input '" + spec.name + "' is " + dtypeName(t.dtype()) + " " +
                  shapeToString(t.shape()) + " but the plan expects " + describeSpec(spec) +
                  (batch > 0 ? " with N = " + std::to_string(batch) : std::string()));
    slots[program_->inputIds()[i]] = t;
  }
  return batch < 0 ? 1 : batch;
}

TensorMap Executor::run(const TensorMap &inputs, const RunContext &context) {
  if (context.firstSample < 0 || context.repeat < 0)
    throw Error("internal: run context with a negative sample or repeat index");
  const auto &values = program_->values();
  std::vector<Tensor> slots(values.size());
  const int64_t batch = bindInputs(inputs, slots);
  const bool device = backend_->memorySpace() == MemorySpace::Device;
  Arena &arena = arenaFor(batch);
  backend_->startBatch(context);
  if (device)
    for (int64_t v : program_->inputIds()) {
      Tensor &staged = arena.staged[v];
      if (!staged.defined())
        staged = backendTensor(slots[v].dtype(), slots[v].shape());
      const auto start = std::chrono::steady_clock::now();
      backend_->copyFromHost(staged.raw(), slots[v].raw(), slots[v].byteSize());
      inputTransfers_.seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      inputTransfers_.bytes += static_cast<int64_t>(slots[v].byteSize());
      slots[v] = staged;
    }
  for (size_t v = 0; v < values.size(); ++v)
    if (const Tensor *c = program_->constant(static_cast<int64_t>(v)))
      slots[v] = *c;

  // Replay: a batch size's second run is recorded, later ones replay it (while the repeat, a
  // part of the fresh-noise key, stays the same). A recording that fails runs the steps.
  const bool replay = replayable_ && !profiling_ && !arena.unrecordable;
  if (replay && arena.recording >= 0 && arena.recordedRepeat == context.repeat) {
    backend_->replay(arena.recording);
    runSteps(arena, batch, slots, context, /*run=*/false);
  } else if (replay && arena.runs > 0) {
    std::vector<Tensor> kept = slots;
    backend_->beginRecording();
    try {
      runSteps(arena, batch, slots, context, /*run=*/true);
      arena.recording = backend_->endRecording();
      arena.recordedRepeat = context.repeat;
    } catch (const Error &) {
      backend_->abandonRecording();
      arena.unrecordable = true;
      slots = std::move(kept);
      runSteps(arena, batch, slots, context, /*run=*/true);
    }
  } else {
    runSteps(arena, batch, slots, context, /*run=*/true);
  }
  ++arena.runs;
  backend_->synchronize();

  TensorMap result;
  const auto &outs = program_->outputs();
  for (size_t i = 0; i < outs.size(); ++i) {
    const int64_t v = program_->outputIds()[i];
    if (device && !program_->constant(v)) {
      Tensor host = Tensor::allocate(slots[v].dtype(), slots[v].shape());
      backend_->copyToHost(host.raw(), slots[v].raw(), host.byteSize());
      slots[v] = std::move(host);
    }
    result[outs[i].name] = slots[v];
  }
  return result;
}

void Executor::runSteps(Arena &arena, int64_t batch, std::vector<Tensor> &slots,
                        const RunContext &context, bool run) {
  const auto &values = program_->values();
  const auto &steps = program_->steps();
  const bool device = backend_->memorySpace() == MemorySpace::Device;
  auto *base = static_cast<unsigned char *>(arena.memory.get());
  std::vector<const Tensor *> in;
  std::vector<Tensor *> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step &s = steps[i];
    in.clear();
    out.clear();
    for (int64_t v : s.inputs)
      in.push_back(&slots[v]);
    for (int64_t v : s.outputs) {
      Shape shape = bindBatch(values[v].shape, batch);
      // Steps find their outputs zeroed, as in a fresh allocation (backendTensor's are).
      bool reused = true;
      if (arena.offset[v] >= 0) {
        slots[v] =
            Tensor::view(values[v].dtype, std::move(shape), base + arena.offset[v], arena.memory);
      } else if (device) {
        // A graph output, kept per batch size (a replay writes it again).
        Tensor &staged = arena.staged[v];
        if (!staged.defined())
          staged = backendTensor(values[v].dtype, std::move(shape));
        slots[v] = staged;
      } else {
        slots[v] = backendTensor(values[v].dtype, std::move(shape)); // the caller's output
        reused = false;
      }
      if (run && reused)
        backend_->zero(slots[v].raw(), slots[v].byteSize());
      out.push_back(&slots[v]);
    }
    if (!run) {
      kernels_[i]->replayed(in, out, context);
      continue;
    }
    if (profiling_)
      timer_->start(i);
    try {
      kernels_[i]->run(in, out, context);
    } catch (const Error &e) {
      throw Error("step " + s.op + " '" + s.name + "': " + e.what());
    }
    if (profiling_)
      timer_->stop(i);
    for (int64_t v : releaseAfter_[i])
      slots[v] = Tensor();
  }
}

Tensor Executor::backendTensor(DType dtype, Shape shape) const {
  int64_t count = 0;
  if (!checkedShapeBytes(shape, dtypeSize(dtype), count))
    throw Error("a tensor of " + shapeToString(shape) + " is too large to allocate");
  const size_t bytes = static_cast<size_t>(count);
  std::shared_ptr<void> memory = backend_->allocate(std::max<size_t>(bytes, 64));
  backend_->zero(memory.get(), bytes);
  return Tensor::view(dtype, std::move(shape), memory.get(), memory);
}

} // namespace cimlir
