// cimlir runtime: a progress bar on stderr, shown only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>

namespace cimlir {

class Progress {
public:
  explicit Progress(int64_t total);
  ~Progress();
  void update(int64_t done);

private:
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, lastDraw_;
};

} // namespace cimlir
