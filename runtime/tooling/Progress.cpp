#include "runtime/tooling/Progress.h"

#include <cstdio>
#include <unistd.h>

namespace cimlir {

Progress::Progress(int64_t total)
    : total_(total), enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), lastDraw_(start_) {}

Progress::~Progress() {
  if (enabled_)
    std::fprintf(stderr, "\r\033[K");
}

void Progress::update(int64_t done) {
  if (!enabled_ || total_ <= 0)
    return;
  auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second, and always at the end.
  if (done < total_ && now - lastDraw_ < std::chrono::milliseconds(100))
    return;
  lastDraw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  constexpr int width = 30;
  int filled = static_cast<int>(width * done / total_);
  char bar[width + 1];
  for (int i = 0; i < width; ++i)
    bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
  bar[width] = '\0';
  std::fprintf(stderr, "\r[%s] %lld/%lld samples  %.0f samples/s", bar,
               static_cast<long long>(done), static_cast<long long>(total_),
               seconds > 0 ? done / seconds : 0.0);
  std::fflush(stderr);
}

} // namespace cimlir
