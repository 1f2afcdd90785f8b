// cimlir runtime: the processes that share one cim-run (docs/scale-out.md). Started by an MPI
// launcher (mpirun, srun) they are MPI's ranks (tools/cim-run/MpiRanks.cpp, built with
// CIMLIR_MPI); else the one process (SingleProcess).
//
// cim-run's ranks split the work (ShareOf), each evaluates its part on its own backend, and
// rank 0 merges the parts and alone prints and writes files. Everything the ranks exchange
// goes through gather() and broadcast(), which every rank calls in the same order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cimlir {

class Ranks {
public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// The rank among those on this host: which of the host's GPUs the rank takes; and how many
  /// ranks the host runs.
  virtual int localRank() const = 0;
  virtual int localSize() const = 0;
  /// Every rank's `bytes`, in rank order, on rank 0; an empty list elsewhere. Collective.
  virtual std::vector<std::string> gather(const std::string &bytes) = 0;
  /// Rank 0's `bytes` on every rank. Collective.
  virtual std::string broadcast(const std::string &bytes) = 0;

  bool root() const { return rank() == 0; }
  /// The first error of the ranks (`error` is this rank's, empty for none), on every rank:
  /// "rank R: message" when there are several ranks, empty when none failed. Collective.
  std::string firstError(const std::string &error);
};

/// This process alone.
class SingleProcess final : public Ranks {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int localRank() const override { return 0; }
  int localSize() const override { return 1; }
  std::vector<std::string> gather(const std::string &bytes) override { return {bytes}; }
  std::string broadcast(const std::string &bytes) override { return bytes; }
};

/// The contiguous part [begin, end) of `work` units that rank `rank` of `size` takes: in rank
/// order, the first work % size ranks one unit more than the others.
struct Share {
  int64_t begin = 0, end = 0;
};
Share shareOf(int64_t work, int rank, int size);

} // namespace cimlir
