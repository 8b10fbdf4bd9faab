#include "tools/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace plinth::tools {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}

void ProgressBar::draw(double fraction, const std::string& detail) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %3.0f%%  %s ", label_.c_str(), bar.c_str(), fraction * 100.0, detail.c_str());
  shown_ = true;
}

void ProgressBar::clear() {
  if (!enabled_ || !shown_) return;
  std::fputs("\r\033[K", stderr);  // carriage return, then erase to the end of the line
  shown_ = false;
  last_ = {};  // redraw at the next update, not up to 100 ms later
}

void ProgressBar::finish(std::string_view note) {
  if (enabled_ && shown_) std::fprintf(stderr, "%.*s\n", static_cast<int>(note.size()), note.data());
}

std::string ProgressBar::clock_text(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  return buffer;
}

}  // namespace plinth::tools
