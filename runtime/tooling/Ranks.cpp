#include "runtime/tooling/Ranks.h"

#include <algorithm>

namespace cimlir {

std::string Ranks::firstError(const std::string &error) {
  std::string first;
  const std::vector<std::string> errors = gather(error);
  for (size_t r = 0; r < errors.size() && first.empty(); ++r)
    if (!errors[r].empty())
      first = size() > 1 ? "rank " + std::to_string(r) + ": " + errors[r] : errors[r];
  return broadcast(first);
}

Share shareOf(int64_t work, int rank, int size) {
  const int64_t each = work / size, extra = work % size;
  const int64_t begin = rank * each + std::min<int64_t>(rank, extra);
  return {begin, begin + each + (rank < extra ? 1 : 0)};
}

} // namespace cimlir
