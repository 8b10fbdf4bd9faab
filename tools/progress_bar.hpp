#pragma once
// One line on stderr for the long-running commands (replay, export), redrawn at most ten times
// a second. Drawn only when stderr is a terminal, so logs and pipes get no carriage returns.
#include <chrono>
#include <string>
#include <string_view>

namespace plinth::tools {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);

  // `detail` is called only when the line is redrawn, so a caller per message pays for the
  // clock check alone.
  template <class DetailText>
  void update(double fraction, DetailText&& detail, bool force = false) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    draw(fraction, detail());
  }
  // Clears the line, so output on the same terminal does not run into it; the next update
  // draws it again.
  void clear();
  // Ends the line with `note` (e.g. " done") if it is drawn.
  void finish(std::string_view note);

  // h:mm:ss, for details that are times.
  static std::string clock_text(double seconds);

 private:
  void draw(double fraction, const std::string& detail);

  std::string label_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace plinth::tools
