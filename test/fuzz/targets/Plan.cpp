// Plans (runtime/plan, runtime/exec): a plan file whose checksums are recomputed after the
// fuzzer changed it, so that the metadata, the section table and the tensors all reach the
// checks behind them: loading, preparing every step on the CPU backend and, when its sizes
// are small, running it once on zeros. Anything wrong is one cimlir::Error.
#include "core/Error.h"
#include "runtime/backends/Registry.h"
#include "runtime/exec/Executor.h"
#include "runtime/exec/Program.h"
#include "runtime/plan/Crc32.h"
#include "runtime/plan/PlanFormat.h"
#include "runtime/plan/PlanReader.h"

#include <cstring>
#include <vector>

namespace {

using namespace cimlir;
using namespace cimlir::plan;

/// The checksums a writer would have put there, for whatever the bytes now say.
void fixChecksums(std::vector<unsigned char> &bytes) {
  if (bytes.size() < sizeof(FileHeader))
    return;
  FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  const uint64_t tableBytes = uint64_t(h.sectionCount) * sizeof(SectionEntry);
  if (tableBytes <= bytes.size() - sizeof h) {
    for (uint32_t i = 0; i < h.sectionCount; ++i) {
      SectionEntry e;
      unsigned char *at = bytes.data() + sizeof h + i * sizeof e;
      std::memcpy(&e, at, sizeof e);
      if (e.offset <= bytes.size() && e.size <= bytes.size() - e.offset) {
        e.crc = crc32(bytes.data() + e.offset, e.size);
        std::memcpy(at, &e, sizeof e);
      }
    }
    h.tableCrc = crc32(bytes.data() + sizeof h, tableBytes);
  }
  h.headerCrc = crc32(&h, offsetof(FileHeader, headerCrc));
  std::memcpy(bytes.data(), &h, sizeof h);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<unsigned char> bytes(data, data + size);
  fixChecksums(bytes);
  try {
    auto program = Program::fromPlan(PlanFile::fromMemory(bytes, "fuzz.plan"));
    Executor executor(program, createBackend("cpu", BackendOptions{}));
    // Run once on zeros when that is cheap: kernels check what preparing could not.
    TensorMap inputs;
    for (const TensorSpec &spec : program->inputs()) {
      Shape shape = spec.shape;
      for (int64_t &d : shape)
        d = d < 0 ? 1 : d;
      if (shapeNumel(shape) > (1 << 16))
        return 0;
      inputs[spec.name] = Tensor::allocate(spec.dtype, shape);
    }
    if (executor.arenaBytes(1) > (size_t(1) << 26))
      return 0;
    executor.run(inputs);
  } catch (const Error &) {
  }
  return 0;
}
