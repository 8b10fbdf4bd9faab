#include "tools/replay_player.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>
#include <zmq.hpp>

#include "daemon/publisher.hpp"
#include "tools/progress_bar.hpp"
#include "tools/replay_message_sender.hpp"

namespace plinth::tools {
namespace {

// True once a subscription has arrived (false after the timeout or Ctrl-C).
bool wait_for_subscriber(Publisher& publisher, double timeout_s, const volatile std::sig_atomic_t& interrupted) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!interrupted && std::chrono::steady_clock::now() < end)
    if (publisher.take_subscription_notice(std::chrono::milliseconds(50))) return true;
  return false;
}

}  // namespace

ReplayPlayer::ReplayPlayer(const ReplayOptions& options, ArchiveReader reader)
    : options_(options), reader_(std::move(reader)), sources_(load_replay_sources(reader_, options_)) {
  build_timeline();
}

int ReplayPlayer::run(double speed, const volatile std::sig_atomic_t& interrupted) {
  if (items_.empty()) throw std::runtime_error(reader_.path().string() + ": the archive holds nothing to replay");
  const std::int64_t first_ns = items_.front().time_ns;
  const std::int64_t session_start =
      std::min(integer_of(reader_.attributes(), "started_at_ns").value_or(first_ns), first_ns);
  const std::int64_t start_ns = session_start + static_cast<std::int64_t>(std::llround(options_.start_s * 1e9));
  const std::size_t first = first_at_or_after(items_, start_ns);
  const double length_s = static_cast<double>(items_.back().time_ns - session_start) * 1e-9;
  if (first == items_.size()) {
    char text[160];
    std::snprintf(text, sizeof text, "--start %.3f s is past the end of the session (%.3f s long)", options_.start_s,
                  length_s);
    throw std::runtime_error(text);
  }

  // Outlives the publisher: its end waits, up to the linger set below, for queued messages.
  zmq::context_t context;
  PublisherOptions publisher_options;
  publisher_options.endpoint = options_.endpoint;
  publisher_options.send_high_water_mark = options_.hwm >= 0 ? options_.hwm : (speed > 0 ? 1000 : 0);
  publisher_options.see_subscriptions = true;
  std::optional<Publisher> publisher;
  try {
    publisher.emplace(context, publisher_options);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind the data endpoint " + options_.endpoint + ": " + e.what());
  }
  if (options_.wait_subscriber_s > 0) {
    if (!wait_for_subscriber(*publisher, options_.wait_subscriber_s, interrupted) && !interrupted)
      std::fprintf(stderr, "plinth replay: no subscriber within %.1f s; replaying anyway\n", options_.wait_subscriber_s);
  } else {
    // Give subscribers that are already connecting time to send their subscriptions.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  ReplayMessageSender sender(reader_, sources_, options_.devices, *publisher);
  ProgressBar progress("replay");
  const std::int64_t origin = items_[first].time_ns;
  const double total_s = static_cast<double>(items_.back().time_ns - origin) * 1e-9;
  const auto show_progress = [&](double done_s, bool force = false) {
    progress.update(total_s > 0 ? done_s / total_s : 1.0, [&] {
      return ProgressBar::clock_text(done_s) + " / " + ProgressBar::clock_text(total_s) + "  " +
             std::to_string(publisher->sent()) + " messages";
    }, force);
  };
  do {
    start_pass();
    const auto wall_start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < items_.size() && !interrupted; ++i) {
      const ReplayItem& item = items_[i];
      const bool warm_up = i < first;
      const double item_s = static_cast<double>(item.time_ns - origin) * 1e-9;
      if (!warm_up && speed > 0) {
        const auto due = wall_start + std::chrono::nanoseconds(due_after_ns(item.time_ns, origin, speed));
        while (!interrupted && std::chrono::steady_clock::now() < due) {
          show_progress(item_s);
          std::this_thread::sleep_until(std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
        }
        if (interrupted) break;
      }
      sender.send(item, warm_up);
      if (!warm_up) show_progress(item_s);
    }
  } while (options_.loop && !interrupted);
  show_progress(total_s, true);
  progress.finish(interrupted ? " interrupted" : " done");
  // Let a connected subscriber receive what is still queued (it may be a whole session at
  // --speed max); after Ctrl-C, leave at once.
  publisher->set_linger(interrupted ? std::chrono::milliseconds(0) : std::chrono::milliseconds(30000));
  if (publisher->dropped() > 0)
    std::fprintf(stderr, "plinth replay: %llu messages dropped at the high-water mark (slow subscriber?)\n",
                 static_cast<unsigned long long>(publisher->dropped()));
  return 0;
}

void ReplayPlayer::build_timeline() {
  std::vector<std::int64_t> event_times;
  for (const ArchiveEvent& e : sources_.events) event_times.push_back(e.time_ns);
  std::vector<ReplaySeries> series{{ReplayItemKind::event, 0, event_times}};
  for (std::uint32_t k = 0; k < sources_.mats.size(); ++k) {
    const MatSource& m = *sources_.mats[k];
    series.push_back({ReplayItemKind::frame, k, m.times});
    if (!options_.recompute) series.push_back({ReplayItemKind::metrics, k, m.metrics.time_ns});
    series.push_back({ReplayItemKind::exposure, k, m.exposure_times});
  }
  for (std::uint32_t k = 0; k < sources_.hearts.size(); ++k) {
    const HeartSource& h = sources_.hearts[k];
    series.push_back({ReplayItemKind::beat, k, h.beats.time_ns});
    series.push_back({ReplayItemKind::beat_final, k, h.final_times});
    series.push_back({ReplayItemKind::hrv, k, h.hrv.time_ns});
  }
  items_ = merge_timeline(series);
}

// Each pass (and each --loop) replays the session from its start, as a new session would.
void ReplayPlayer::start_pass() {
  for (auto& m : sources_.mats) {
    if (m->pipeline) m->pipeline->reset_session();
    m->tracker.reset();
  }
}

}  // namespace plinth::tools
