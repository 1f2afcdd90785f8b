#include "MpiRanks.h"

#include "core/Error.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#ifdef CIMLIR_WITH_MPI
// MPI's C interface only: the C++ bindings (removed in MPI 3) need a library of their own.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace cimlir {

namespace {

/// The process count an MPI launcher announces in the environment (Open MPI's mpirun, MPICH's
/// hydra and Slurm's PMI), 1 for a PMIx launch that does not say, 0 when no launcher started
/// this process.
int launchedSize() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char *value = std::getenv(name))
      return std::max(1, std::atoi(value));
  return std::getenv("PMIX_RANK") ? 1 : 0;
}

#ifdef CIMLIR_WITH_MPI

/// MPI counts messages in int: larger ones go in pieces.
constexpr int64_t kPiece = int64_t(1) << 30;

class MpiRanks final : public Ranks {
public:
  MpiRanks() {
    // Only the main thread calls MPI; the backends' threads do not.
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm host;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &host);
    MPI_Comm_rank(host, &localRank_);
    MPI_Comm_size(host, &localSize_);
    MPI_Comm_free(&host);
  }
  ~MpiRanks() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int localRank() const override { return localRank_; }
  int localSize() const override { return localSize_; }

  std::vector<std::string> gather(const std::string &bytes) override {
    int64_t length = static_cast<int64_t>(bytes.size());
    std::vector<int64_t> lengths(rank_ == 0 ? size_ : 0);
    MPI_Gather(&length, 1, MPI_INT64_T, lengths.data(), 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (rank_ != 0) {
      for (int64_t at = 0; at < length; at += kPiece)
        MPI_Send(bytes.data() + at, static_cast<int>(std::min(kPiece, length - at)), MPI_BYTE, 0, 0,
                 MPI_COMM_WORLD);
      return {};
    }
    std::vector<std::string> out(size_);
    out[0] = bytes;
    for (int r = 1; r < size_; ++r) {
      out[r].resize(static_cast<size_t>(lengths[r]));
      for (int64_t at = 0; at < lengths[r]; at += kPiece)
        MPI_Recv(&out[r][at], static_cast<int>(std::min(kPiece, lengths[r] - at)), MPI_BYTE, r, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return out;
  }

  std::string broadcast(const std::string &bytes) override {
    int64_t length = static_cast<int64_t>(bytes.size());
    MPI_Bcast(&length, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    std::string out = rank_ == 0 ? bytes : std::string(static_cast<size_t>(length), '\0');
    for (int64_t at = 0; at < length; at += kPiece)
      MPI_Bcast(&out[at], static_cast<int>(std::min(kPiece, length - at)), MPI_BYTE, 0,
                MPI_COMM_WORLD);
    return out;
  }

private:
  int rank_ = 0, size_ = 1, localRank_ = 0, localSize_ = 1;
};

#endif

} // namespace

std::unique_ptr<Ranks> processRanks() {
  const int launched = launchedSize();
#ifdef CIMLIR_WITH_MPI
  if (launched > 0) {
    auto ranks = std::make_unique<MpiRanks>();
    // Another MPI's launcher (MPICH's hydra for an Open MPI cim-run) starts processes that each
    // find themselves alone: each would do all the work and write the same files.
    if (launched > 1 && ranks->size() == 1)
      throw Error("an MPI launcher started " + std::to_string(launched) +
                  " processes, but MPI gives this one no others: the launcher is not of the MPI "
                  "cim-run was built with (docs/scale-out.md)");
    return ranks;
  }
#else
  if (launched > 1)
    throw Error("an MPI launcher started " + std::to_string(launched) +
                " processes, but this cim-run was built without MPI (configure with "
                "-DCIMLIR_MPI=ON and libopenmpi-dev installed; docs/scale-out.md)");
#endif
  return std::make_unique<SingleProcess>();
}

} // namespace cimlir
