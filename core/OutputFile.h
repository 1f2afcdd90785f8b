// cimlir core: an output file that appears at its path only once complete.
//
// Every file a tool writes (plans, .npz outputs, JSON reports) goes through OutputFile:
// write the bytes to tempPath(), then commit(). What commit() does depends on what the
// target is at that moment:
//   - a regular file or nothing: the temporary file is renamed over it (atomic: readers
//     see the old file or the new one, never half of one);
//   - a character/block device, FIFO or socket (`-o /dev/null`, `--report >(...)` style
//     targets): the bytes are copied into the node opened for writing; the node is neither
//     truncated nor replaced;
//   - a directory: an Error.
// Symbolic links are followed: the file a link names is replaced and the link is kept; a
// dangling link makes the file it names. Without commit(), the destructor removes the
// temporary file, so an error anywhere leaves no partial file behind. A temporary file is
// named `.<name>.tmp-<pid>-<random>` beside its target: a run killed before it could clean
// up (kill -9) leaves one, which the next run for the same target removes once that process
// is gone. Writers (plans, .npz, text) write a staged file in place: there is one staging
// level, never a temporary file of a temporary file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cimlir {

class OutputFile {
public:
  /// Resolves `path` and creates an empty temporary regular file for it: beside the
  /// resolved target (same directory, so the rename is atomic) or, when the target is a
  /// device, FIFO or socket, in the system's temporary directory. Throws cimlir::Error
  /// naming the path when the target is a directory or the file cannot be created.
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// The path as given (what messages name).
  const std::string &path() const { return path_; }
  /// Where the bytes end up: `path` with symbolic links resolved.
  const std::string &target() const { return target_; }
  /// The temporary file to write; it exists (empty) until commit() or destruction.
  const std::string &tempPath() const { return temp_; }
  /// Whether commit() copies into a device, FIFO or socket (which can fail, e.g. on
  /// /dev/full) rather than renaming (which does not, once the temporary file exists).
  bool copiesIntoNode() const { return special_; }

  /// Moves the temporary file's content to the target (see above). Throws cimlir::Error
  /// naming the path and the reason; the temporary file is removed either way.
  void commit();

private:
  std::string path_, target_, temp_;
  bool committed_ = false;
  bool special_ = false;
  bool keepMode_ = false; // the replaced file's permission bits, applied by commit()
  unsigned mode_ = 0;
};

/// Writes `bytes` to `path` through an OutputFile (complete or not at all).
void writeOutputFile(const std::string &path, std::string_view bytes);
/// Writes `bytes` into `stagedTemp`, the temporary file of an OutputFile the caller staged
/// (an OutputSet's), in place: one level of staging, whatever writes the file. Throws
/// cimlir::Error naming `path`, the output the bytes are for.
void writeStagedFile(const std::string &stagedTemp, std::string_view bytes,
                     const std::string &path);

/// All the outputs of one run: a run writes all of them or none. Each output is staged
/// (an OutputFile whose temporary file the run writes) when the run starts, which also
/// checks its destination (folder exists, not a directory) before any long work; when
/// every output was written, commitAll() moves them into place: the copies into devices,
/// FIFOs and sockets first (they can fail), then the renames (which do not). An error
/// before commitAll() leaves no output created or changed.
class OutputSet {
public:
  /// Stages `path`; throws cimlir::Error as OutputFile does. Returns the staged file
  /// (write its tempPath()); it lives as long as the set.
  OutputFile &add(const std::string &path);
  /// The exception-free form for the compiler: "" or the one-line error.
  std::string tryAdd(const std::string &path, std::string &tempPath);
  void commitAll();
  std::string tryCommitAll();

private:
  std::vector<std::unique_ptr<OutputFile>> files_;
};

/// A file a run reads or writes, with the flag that names it ("-o", "--report").
struct NamedFile {
  std::string flag, path;
};

/// "" when every output is a different file from every other output and every input;
/// else the one-line refusal naming both. Files are compared by filesystem identity when
/// both exist (links followed), else by normalised absolute path. Devices, FIFOs and
/// sockets (/dev/null, /dev/stdout, pipes) may be named more than once. Empty paths and
/// "-" are skipped.
std::string checkDistinctFiles(const std::vector<NamedFile> &outputs,
                               const std::vector<NamedFile> &inputs);

} // namespace cimlir
