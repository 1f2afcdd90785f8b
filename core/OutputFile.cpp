#include "core/OutputFile.h"

#include "core/Error.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cimlir {

namespace {

namespace fs = std::filesystem;

std::string errnoText(int err) { return std::strerror(err); }

/// `path` with symbolic links followed, also dangling ones (then the path the last link
/// names, which does not exist). Directory components are left as they are: the target's
/// directory is reached the same way either way.
std::string resolveLinks(const std::string &path) {
  std::string p = path;
  for (int hops = 0;; ++hops) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      return p; // nonexistent or not a link; errors surface when the file is created
    if (hops >= 40)
      throw Error(path + ": too many levels of symbolic links");
    std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    ssize_t n;
    while ((n = ::readlink(p.c_str(), link.data(), link.size())) >= 0 &&
           static_cast<size_t>(n) == link.size())
      link.resize(link.size() * 2);
    if (n < 0)
      throw Error(path + ": cannot read the symbolic link " + p + ": " + errnoText(errno));
    link.resize(static_cast<size_t>(n));
    if (link.empty())
      throw Error(path + ": the symbolic link " + p + " is empty");
    fs::path next(link);
    p = next.is_absolute() ? link : (fs::path(p).parent_path() / next).string();
  }
}

/// Creates a new, empty file `<prefix><pid>-<random>` with O_EXCL (the umask applies to its
/// mode, as for any new file); returns its name. The process id in the name lets a later
/// run tell a stale temporary file (its process is gone: killed) from a live one.
std::string createUnique(const std::string &prefix, const std::string &path, mode_t mode) {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd() ^ uint64_t(::getpid()));
  for (int attempt = 0; attempt < 100; ++attempt) {
    char suffix[48];
    std::snprintf(suffix, sizeof suffix, "%ld-%012llx", static_cast<long>(::getpid()),
                  static_cast<unsigned long long>(gen() & 0xffffffffffffULL));
    std::string name = prefix + suffix;
    int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0) {
      ::close(fd);
      return name;
    }
    if (errno != EEXIST)
      throw Error(path + ": cannot create: " + errnoText(errno));
  }
  throw Error(path + ": cannot create a temporary file beside it (100 names taken)");
}

/// Removes the temporary files `<prefix><pid>-<random>` (createUnique's) in `dir` whose
/// process no longer runs: what a run killed while it wrote this target left behind. Best
/// effort: a file that cannot be examined or removed is left.
void removeStaleTemporaries(const fs::path &dir, const std::string &namePrefix) {
  std::error_code ec;
  for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, namePrefix.size(), namePrefix) != 0)
      continue;
    const char *digits = name.c_str() + namePrefix.size();
    char *rest = nullptr;
    errno = 0;
    const long pid = std::strtol(digits, &rest, 10);
    if (errno != 0 || rest == digits || *rest != '-' || pid <= 0 || pid == ::getpid())
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
      continue; // alive, or not ours to judge
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
      ::unlink(it->path().c_str());
  }
}

bool writeAll(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Copies the bytes of file `from` into `to`, opened for writing as it is (no truncation,
/// no creation): a device, FIFO or socket.
void copyInto(const std::string &from, const std::string &to, const std::string &path) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    throw Error(path + ": cannot reopen the temporary file " + from + ": " + errnoText(errno));
  int out;
  while ((out = ::open(to.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0 && errno == EINTR) {
  }
  if (out < 0) {
    int err = errno;
    ::close(in);
    throw Error(path + ": cannot open for writing: " + errnoText(err));
  }
  char buf[1 << 16];
  std::string failure;
  while (failure.empty()) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      failure = "cannot read the temporary file " + from + ": " + errnoText(errno);
    else if (n == 0)
      break;
    else if (!writeAll(out, buf, static_cast<size_t>(n)))
      failure = "write error: " + errnoText(errno);
  }
  ::close(in);
  if (::close(out) != 0 && failure.empty() && errno != EINTR)
    failure = "write error: " + errnoText(errno);
  if (!failure.empty())
    throw Error(path + ": " + failure);
}

} // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty())
    throw Error("empty output path");
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode))
      throw Error(path_ + ": is a directory");
    // A device, FIFO or socket: commit() opens the path itself, which follows every link
    // (also /proc's, as in /dev/stdout, whose text readlink cannot resolve). Nothing is
    // renamed onto it, so the temporary file need not (and in /dev often cannot) live
    // beside it.
    target_ = path_;
    special_ = true;
    std::error_code ec;
    fs::path dir = fs::temp_directory_path(ec);
    if (ec)
      dir = "/tmp";
    removeStaleTemporaries(dir, "cimlir-output-");
    temp_ = createUnique((dir / "cimlir-output-").string(), path_, 0600);
    return;
  }
  // A regular file or nothing: replaced by a rename in the directory of the file that the
  // links name, so that the links stay.
  target_ = resolveLinks(path_);
  bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    throw Error(path_ + ": is a directory");
  // A long file name is shortened so that the suffix still fits in NAME_MAX.
  fs::path t(target_);
  std::string base = t.filename().string();
  if (base.size() > 200)
    base.resize(200);
  const std::string namePrefix = "." + base + ".tmp-";
  removeStaleTemporaries(t.parent_path(), namePrefix);
  std::string prefix = (t.parent_path() / namePrefix).string();
  // A new file gets 0666 & ~umask; a replaced regular file keeps its permission bits,
  // set at commit() (the temporary file must stay writable until then).
  temp_ = createUnique(prefix, path_, exists ? 0600 : 0666);
  if (exists && S_ISREG(st.st_mode)) {
    keepMode_ = true;
    mode_ = static_cast<unsigned>(st.st_mode & 07777);
  }
}

OutputFile::~OutputFile() {
  if (!committed_ && !temp_.empty())
    ::unlink(temp_.c_str());
}

void OutputFile::commit() {
  if (committed_)
    return;
  struct stat st;
  bool exists = ::stat(target_.c_str(), &st) == 0;
  if (!exists && errno != ENOENT)
    throw Error(path_ + ": " + errnoText(errno));
  if (exists && S_ISDIR(st.st_mode))
    throw Error(path_ + ": is a directory");
  if (!exists || S_ISREG(st.st_mode)) {
    if (keepMode_)
      ::chmod(temp_.c_str(), static_cast<mode_t>(mode_)); // best effort, as cp does
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
      throw Error(path_ + ": cannot move the finished file into place: " + errnoText(errno));
  } else {
    copyInto(temp_, target_, path_);
    ::unlink(temp_.c_str());
  }
  committed_ = true;
}

void writeStagedFile(const std::string &stagedTemp, std::string_view bytes,
                     const std::string &path) {
  int fd = ::open(stagedTemp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    throw Error(path + ": cannot write: " + errnoText(errno));
  bool ok = writeAll(fd, bytes.data(), bytes.size());
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok)
    throw Error(path + ": write error: " + errnoText(err));
}

void writeOutputFile(const std::string &path, std::string_view bytes) {
  OutputFile out(path);
  writeStagedFile(out.tempPath(), bytes, path);
  out.commit();
}

OutputFile &OutputSet::add(const std::string &path) {
  files_.push_back(std::make_unique<OutputFile>(path));
  return *files_.back();
}

std::string OutputSet::tryAdd(const std::string &path, std::string &tempPath) {
  try {
    tempPath = add(path).tempPath();
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

void OutputSet::commitAll() {
  for (bool copies : {true, false})
    for (auto &file : files_)
      if (file->copiesIntoNode() == copies)
        file->commit();
}

std::string OutputSet::tryCommitAll() {
  try {
    commitAll();
    return "";
  } catch (const std::exception &e) {
    return e.what();
  }
}

namespace {

/// What two names are compared by: the file's identity when it exists, else its
/// normalised absolute path (links in the existing part followed).
struct FileKey {
  bool exists = false, shareable = false;
  fs::path path; // normalised absolute path (for a missing file)
};

FileKey keyOf(const std::string &name) {
  FileKey key;
  std::error_code ec;
  fs::file_status st = fs::status(name, ec);
  key.exists = !ec && fs::exists(st);
  key.shareable = key.exists && (fs::is_character_file(st) || fs::is_block_file(st) ||
                                 fs::is_fifo(st) || fs::is_socket(st));
  fs::path p = fs::weakly_canonical(fs::absolute(name, ec), ec);
  if (ec)
    p = fs::absolute(name, ec).lexically_normal();
  key.path = p;
  return key;
}

bool sameFile(const std::string &a, const FileKey &ka, const std::string &b, const FileKey &kb) {
  if (ka.shareable || kb.shareable)
    return false;
  if (ka.exists && kb.exists) {
    std::error_code ec;
    bool same = fs::equivalent(a, b, ec);
    return !ec && same;
  }
  return ka.exists == kb.exists && ka.path == kb.path;
}

} // namespace

std::string checkDistinctFiles(const std::vector<NamedFile> &outputs,
                               const std::vector<NamedFile> &inputs) {
  auto skip = [](const NamedFile &f) { return f.path.empty() || f.path == "-"; };
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (skip(outputs[i]))
      continue;
    FileKey ki = keyOf(outputs[i].path);
    auto refuse = [&](const NamedFile &other, const char *what) {
      return outputs[i].flag + " " + outputs[i].path + " is the same file as " + other.flag + " " +
             other.path + " (" + what + "): give another file";
    };
    for (size_t j = 0; j < i; ++j)
      if (!skip(outputs[j]) &&
          sameFile(outputs[i].path, ki, outputs[j].path, keyOf(outputs[j].path)))
        return refuse(outputs[j], "another output");
    for (const NamedFile &in : inputs)
      if (!skip(in) && sameFile(outputs[i].path, ki, in.path, keyOf(in.path)))
        return refuse(in, "an input");
  }
  return "";
}

} // namespace cimlir
