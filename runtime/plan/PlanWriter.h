// cimlir plan: writes plan.bin (PlanFormat.h). Used by the compiler's emitter.
//
// Exception-free interface (the compiler is built with -fno-exceptions): write() returns
// an error message, empty on success. The file appears at its path only when complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cimlir::plan {

class PlanWriter {
public:
  /// Sets the metadata JSON text (section 0).
  void setMetadata(std::string json) { metadata_ = std::move(json); }
  void setDeviceFingerprint(uint64_t fingerprint) { fingerprint_ = fingerprint; }
  void setProducer(std::string producer) { producer_ = std::move(producer); }
  /// Adds one constant's raw bytes as a section and returns its section index. The bytes
  /// are not copied: they must stay alive until write() or writeToMemory() returns.
  uint32_t addTensor(std::string name, const void *data, size_t size);

  /// Writes the plan through an OutputFile (core/OutputFile.h): a temporary file
  /// renamed over a regular file (symbolic links followed), copied into a device or FIFO.
  /// Returns "" on success, else one line saying what failed; no file is left behind.
  std::string write(const std::string &path) const;
  /// The same bytes into `stagedTemp`, the temporary file of an OutputFile the caller staged
  /// for `path` (cim-opt's OutputSet), in place: the caller commits it.
  std::string writeStaged(const std::string &stagedTemp, const std::string &path) const noexcept;
  /// The same bytes into `bytes` (a plan that never leaves the process: cim-opt's calibration
  /// plan). Returns "" on success, else one line.
  std::string writeToMemory(std::vector<unsigned char> &bytes) const noexcept;

private:
  /// The file's bytes in order, to `sink` (false: stop, the write failed).
  bool serialize(const std::function<bool(const void *, size_t)> &sink) const;

  struct Blob {
    std::string name;
    const void *data;
    size_t size;
  };
  std::string metadata_;
  std::string producer_;
  uint64_t fingerprint_ = 0;
  std::vector<Blob> tensors_;
};

} // namespace cimlir::plan
