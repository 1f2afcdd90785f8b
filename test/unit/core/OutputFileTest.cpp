// OutputFile: a regular target is replaced atomically (and kept when commit() never
// happens), links are followed and kept, FIFOs and character devices are written into and
// stay what they are, a directory is an Error, and no temporary file is ever left behind.
#include "CoreTestUtil.h"

#include "core/OutputFile.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cimlir;
using namespace cimlir::coretest;

namespace {

/// Writes `bytes` into the OutputFile's temporary file (what a writer does before commit).
void fill(const OutputFile &out, const std::string &bytes) {
  ASSERT_TRUE(fs::is_regular_file(fs::symlink_status(out.tempPath()))) << out.tempPath();
  writeBytes(out.tempPath(), bytes);
  ASSERT_EQ(readBytes(out.tempPath()), bytes);
}

/// Points $TMPDIR at a directory for the scope (where temporary files for devices and
/// FIFOs go), so the tests can check that none is left there either.
class ScopedTmpDir {
public:
  explicit ScopedTmpDir(const std::string &dir) {
    if (const char *old = std::getenv("TMPDIR")) {
      had_ = true;
      old_ = old;
    }
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpDir() {
    if (had_)
      setenv("TMPDIR", old_.c_str(), 1);
    else
      unsetenv("TMPDIR");
  }

private:
  bool had_ = false;
  std::string old_;
};

mode_t currentUmask() {
  mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

mode_t modeOf(const std::string &path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

} // namespace

TEST(OutputFile, ReplacesARegularFileOnlyAtCommit) {
  TempDir dir;
  std::string path = dir.file("out.bin");
  std::string before = randomBytes(1000), after = randomBytes(70000);
  writeBytes(path, before);
  {
    OutputFile out(path);
    EXPECT_EQ(out.path(), path);
    EXPECT_EQ(fs::path(out.tempPath()).parent_path(), dir.path()) << "beside the target";
    fill(out, after);
    EXPECT_EQ(readBytes(path), before) << "the target changes only at commit()";
    out.commit();
    EXPECT_EQ(readBytes(path), after);
    EXPECT_FALSE(fs::exists(out.tempPath()));
  }
  EXPECT_EQ(readBytes(path), after);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST(OutputFile, WithoutCommitTheOldFileIsIntactAndTheTempFileRemoved) {
  TempDir dir;
  std::string path = dir.file("out.bin");
  std::string before = randomBytes(513);
  writeBytes(path, before);
  {
    OutputFile out(path);
    fill(out, randomBytes(4096));
    EXPECT_EQ(dir.entries().size(), 2u) << "the temporary file exists while writing";
  } // e.g. an exception between writing and commit()
  EXPECT_EQ(readBytes(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});

  // The same for a target that does not exist yet: nothing appears.
  {
    OutputFile out(dir.file("new.bin"));
    fill(out, randomBytes(10));
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST(OutputFile, CreatesAMissingTargetWithTheUsualMode) {
  TempDir dir;
  std::string path = dir.file("fresh.json");
  std::string bytes = randomBytes(333);
  OutputFile out(path);
  EXPECT_FALSE(fs::exists(path));
  fill(out, bytes);
  out.commit();
  EXPECT_EQ(readBytes(path), bytes);
  EXPECT_EQ(modeOf(path), 0666 & ~currentUmask()) << "as a file opened with fopen";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"fresh.json"});
}

TEST(OutputFile, AReplacedFileKeepsItsPermissions) {
  TempDir dir;
  std::string path = dir.file("private.bin");
  writeBytes(path, randomBytes(20));
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  std::string bytes = randomBytes(64);
  writeOutputFile(path, bytes);
  EXPECT_EQ(readBytes(path), bytes);
  EXPECT_EQ(modeOf(path), 0640u);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"private.bin"});
}

TEST(OutputFile, FollowsASymlinkAndKeepsIt) {
  TempDir dir;
  fs::create_directory(dir.path() / "data");
  std::string real = dir.file("data/real.bin"), link = dir.file("link.bin");
  writeBytes(real, randomBytes(100));
  fs::create_symlink("data/real.bin", link); // relative to the link's directory
  std::string bytes = randomBytes(5000);
  {
    OutputFile out(link);
    EXPECT_EQ(out.target(), real);
    EXPECT_EQ(fs::path(out.tempPath()).parent_path(), dir.path() / "data")
        << "beside the file the link names, so the rename stays in one directory";
    fill(out, bytes);
    out.commit();
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "data/real.bin");
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(real)));
  EXPECT_EQ(readBytes(real), bytes);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"data", "link.bin"}));
  std::vector<std::string> inData;
  for (const auto &e : fs::directory_iterator(dir.path() / "data"))
    inData.push_back(e.path().filename().string());
  EXPECT_EQ(inData, std::vector<std::string>{"real.bin"});
}

TEST(OutputFile, FollowsAChainOfLinks) {
  TempDir dir;
  std::string real = dir.file("real.bin");
  writeBytes(real, "old");
  fs::create_symlink(real, dir.file("a")); // absolute
  fs::create_symlink("a", dir.file("b"));  // relative, to another link
  std::string bytes = randomBytes(77);
  writeOutputFile(dir.file("b"), bytes);
  EXPECT_TRUE(fs::is_symlink(dir.file("a")));
  EXPECT_TRUE(fs::is_symlink(dir.file("b")));
  EXPECT_EQ(readBytes(real), bytes);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a", "b", "real.bin"}));
}

TEST(OutputFile, ADanglingLinkMakesTheFileItNames) {
  TempDir dir;
  std::string link = dir.file("link.bin"), missing = dir.file("missing.bin");
  fs::create_symlink("missing.bin", link);
  std::string bytes = randomBytes(999);
  writeOutputFile(link, bytes);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(missing)));
  EXPECT_EQ(readBytes(missing), bytes);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"link.bin", "missing.bin"}));
}

TEST(OutputFile, ALinkLoopIsAnError) {
  TempDir dir;
  fs::create_symlink("b", dir.file("a"));
  fs::create_symlink("a", dir.file("b"));
  std::string msg = errorOf([&] { writeOutputFile(dir.file("a"), "x"); });
  EXPECT_TRUE(contains(msg, dir.file("a"))) << msg;
  EXPECT_TRUE(contains(msg, "symbolic links")) << msg;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a", "b"}));
}

TEST(OutputFile, WritesIntoAFifoWhichStaysAFifo) {
  TempDir dir, tmp;
  ScopedTmpDir scoped(tmp.path().string());
  std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // More than a pipe buffer, so the writer must wait for the reader.
  std::string bytes = randomBytes(300000);

  // The reader end is opened first (non-blocking, so it cannot hang) and drained by a
  // thread; it gives up after 10 s without data, so a writer that never opens the FIFO
  // fails the test instead of hanging it.
  int rd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(rd, 0) << std::strerror(errno);
  std::string received;
  std::atomic<bool> timedOut{false};
  std::thread reader([&] {
    char buf[8192];
    while (true) {
      pollfd p{rd, POLLIN, 0};
      int r = ::poll(&p, 1, 10000);
      if (r == 0) {
        timedOut = true;
        return;
      }
      if (r < 0 && errno == EINTR)
        continue;
      ssize_t n = ::read(rd, buf, sizeof buf);
      if (n > 0)
        received.append(buf, static_cast<size_t>(n));
      else if (n == 0 && (p.revents & POLLHUP))
        return; // the writer has closed its end
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        return;
    }
  });
  {
    OutputFile out(fifo);
    EXPECT_NE(fs::path(out.tempPath()).parent_path(), dir.path())
        << "no temporary file beside a FIFO (nothing is renamed onto it)";
    fill(out, bytes);
    EXPECT_NO_THROW(out.commit());
  }
  reader.join();
  ::close(rd);
  EXPECT_FALSE(timedOut) << "the reader got no data";
  EXPECT_EQ(received.size(), bytes.size());
  EXPECT_TRUE(received == bytes) << "the reader got other bytes";
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"pipe"});
  EXPECT_TRUE(tmp.entries().empty()) << "left in $TMPDIR: " << tmp.entries()[0];
}

TEST(OutputFile, WritesIntoDevNullWhichStaysACharacterDevice) {
  TempDir tmp;
  ScopedTmpDir scoped(tmp.path().string());
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  ASSERT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null is not a character device on this machine";
  std::vector<std::string> devBefore;
  for (const auto &e : fs::directory_iterator("/dev"))
    devBefore.push_back(e.path().filename().string());
  {
    OutputFile out("/dev/null");
    EXPECT_EQ(fs::path(out.tempPath()).parent_path(), tmp.path())
        << "the temporary file of a device goes to $TMPDIR, not into /dev";
    fill(out, randomBytes(200000));
    out.commit();
  }
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced by a regular file";
  writeOutputFile("/dev/null", randomBytes(10)); // the one-call form too
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_TRUE(tmp.entries().empty()) << "left in $TMPDIR: " << tmp.entries()[0];
  std::vector<std::string> devAfter;
  for (const auto &e : fs::directory_iterator("/dev"))
    devAfter.push_back(e.path().filename().string());
  for (const auto &name : devAfter)
    if (name.find("null") != std::string::npos) { // other entries may come and go meanwhile
      EXPECT_NE(std::find(devBefore.begin(), devBefore.end(), name), devBefore.end())
          << "left in /dev: " << name;
    }
}

TEST(OutputFile, ALinkToDevNullWritesIntoTheDevice) {
  TempDir dir, tmp;
  ScopedTmpDir scoped(tmp.path().string());
  fs::create_symlink("/dev/null", dir.file("sink"));
  writeOutputFile(dir.file("sink"), randomBytes(1000));
  EXPECT_TRUE(fs::is_symlink(dir.file("sink")));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"sink"});
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(OutputFile, ADirectoryTargetIsAnError) {
  TempDir dir;
  std::string target = dir.file("adir");
  fs::create_directory(target);
  writeBytes(dir.file("adir/keep.txt"), "keep");
  std::string msg = errorOf([&] { OutputFile out(target); });
  EXPECT_TRUE(contains(msg, target)) << msg;
  EXPECT_TRUE(contains(msg, "is a directory")) << msg;
  // Through a link as well.
  fs::create_symlink("adir", dir.file("link"));
  msg = errorOf([&] { writeOutputFile(dir.file("link"), "x"); });
  EXPECT_TRUE(contains(msg, "is a directory")) << msg;
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(readBytes(dir.file("adir/keep.txt")), "keep");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"adir", "link"}));
}

TEST(OutputFile, ATargetThatBecomesADirectoryBeforeCommitIsAnError) {
  TempDir dir;
  std::string target = dir.file("out");
  {
    OutputFile out(target);
    fill(out, randomBytes(50));
    fs::create_directory(target);
    std::string msg = errorOf([&] { out.commit(); });
    EXPECT_TRUE(contains(msg, "is a directory")) << msg;
  }
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(OutputFile, AMissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  std::string target = dir.file("no/such/dir/out.bin");
  std::string msg = errorOf([&] { writeOutputFile(target, "x"); });
  EXPECT_TRUE(contains(msg, target)) << msg;
  EXPECT_TRUE(contains(msg, std::strerror(ENOENT))) << msg;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(OutputFile, ASocketThatCannotBeOpenedIsAnError) {
  TempDir dir, tmp;
  ScopedTmpDir scoped(tmp.path().string());
  std::string path = dir.file("sock");
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  std::string msg = errorOf([&] { writeOutputFile(path, "x"); });
  ::close(s);
  EXPECT_TRUE(contains(msg, path)) << msg;
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode)) << "the socket was replaced";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"sock"});
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(OutputFile, RepeatedWritesOfRandomSizesLeaveExactlyTheLastContent) {
  TempDir dir;
  std::string path = dir.file("many.bin");
  std::string last;
  for (int i = 0; i < 20; ++i) {
    last = randomBytes(std::uniform_int_distribution<size_t>(0, 100000)(rng()));
    writeOutputFile(path, last);
  }
  EXPECT_EQ(readBytes(path), last);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"many.bin"});
}

// OutputSet: a run's outputs appear together, or none of them when one fails.
TEST(OutputSet, CommitsEveryOutputOrNone) {
  TempDir dir, tmp;
  ScopedTmpDir scoped(tmp.path().string());
  {
    OutputSet set;
    fill(set.add(dir.file("a.bin")), "a");
    fill(set.add(dir.file("b.bin")), "b");
    // Left without commitAll(): neither appears, no temporary file stays.
  }
  EXPECT_TRUE(dir.entries().empty());
  {
    OutputSet set;
    fill(set.add(dir.file("a.bin")), "a");
    fill(set.add("/dev/full"), "full");
    // The copy into /dev/full fails first: a.bin is not created.
    std::string msg = errorOf([&] { set.commitAll(); });
    EXPECT_TRUE(contains(msg, "/dev/full")) << msg;
  }
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_TRUE(tmp.entries().empty());
  OutputSet set;
  fill(set.add(dir.file("a.bin")), "a");
  fill(set.add(dir.file("b.bin")), "b");
  set.commitAll();
  EXPECT_EQ(readBytes(dir.file("a.bin")), "a");
  EXPECT_EQ(readBytes(dir.file("b.bin")), "b");
}

TEST(OutputSet, RefusesAnOutputThatIsAnInputOrAnotherOutput) {
  TempDir dir;
  writeBytes(dir.file("in.bin"), "in");
  fs::create_symlink("in.bin", dir.file("link.bin"));
  fs::create_directory(dir.file("sub"));
  // Existing files by identity (links followed), missing ones by normalised path.
  std::string msg =
      checkDistinctFiles({{"-o", dir.file("link.bin")}}, {{"--in", dir.file("in.bin")}});
  EXPECT_TRUE(contains(msg, "-o " + dir.file("link.bin") + " is the same file as --in")) << msg;
  msg = checkDistinctFiles({{"-o", dir.file("new.bin")}, {"--report", dir.file("sub/../new.bin")}},
                           {});
  EXPECT_TRUE(contains(msg, "--report")) << msg;
  EXPECT_TRUE(contains(msg, "(another output)")) << msg;
  // Different files, devices named twice, "-" and empty paths: accepted.
  EXPECT_EQ(checkDistinctFiles({{"-o", dir.file("a.bin")},
                                {"--report", dir.file("b.bin")},
                                {"-x", "/dev/null"},
                                {"-y", "/dev/null"},
                                {"-z", "-"},
                                {"-w", ""}},
                               {{"--in", dir.file("in.bin")}, {"--s", "-"}}),
            "");
}

TEST(OutputFile, StaleTemporariesOfItsTargetAreRemovedLiveOnesKept) {
  TempDir dir;
  // A process that is gone (as one killed with kill -9 while it wrote) and one that runs.
  const pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0)
    ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(dead, &status, 0), dead);
  const std::string deadPid = std::to_string(dead), livePid = std::to_string(::getppid());
  const std::string stale = dir.file(".out.plan.tmp-" + deadPid + "-0123456789ab");
  const std::string live = dir.file(".out.plan.tmp-" + livePid + "-0123456789ab");
  const std::string otherTarget = dir.file(".other.plan.tmp-" + deadPid + "-0123456789ab");
  const std::string notOurs = dir.file(".out.plan.tmp-notapid");
  for (const std::string &f : {stale, live, otherTarget, notOurs})
    writeBytes(f, "half a plan");
  {
    OutputFile out(dir.file("out.plan"));
    EXPECT_NE(out.tempPath().find(".out.plan.tmp-" + std::to_string(::getpid()) + "-"),
              std::string::npos)
        << out.tempPath() << ": named after its target and its process";
    fill(out, "plan");
    out.commit();
  }
  EXPECT_FALSE(fs::exists(stale)) << "its process is gone";
  EXPECT_TRUE(fs::exists(live)) << "its process may still be writing";
  EXPECT_TRUE(fs::exists(otherTarget)) << "another target's";
  EXPECT_TRUE(fs::exists(notOurs)) << "not a name OutputFile makes";
  EXPECT_EQ(readBytes(dir.file("out.plan")), "plan");
}
