#pragma once
// What one browser has yet to receive. A slow browser must cost only itself: for most topics
// only the newest message waits (a newer one replaces it and counts as a drop); session
// events wait in a bounded queue (the oldest is dropped when it is full). Filled by the
// subscriber thread, emptied by the client's writer; never grows past its bounds.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace plinth::web {

using SharedText = std::shared_ptr<const std::string>;

class ClientMailbox {
 public:
  explicit ClientMailbox(std::size_t max_queued_events = 256, std::size_t max_topics = 64);

  // Stores a message. `key` is the topic for latest-only messages. Returns true when the
  // writer was idle and must be woken (exactly once until it goes idle again).
  bool put_latest(const std::string& key, SharedText text);
  bool put_event(SharedText text);

  // The next message to send (events first, then topics in the order they became pending),
  // or nullptr: the writer is idle from then on, until a put returns true.
  SharedText take();

  std::uint64_t dropped() const;

 private:
  struct Slot {
    std::string key;
    SharedText pending;  // nullptr when sent
  };
  bool wake_if_idle();  // caller holds mutex_

  mutable std::mutex mutex_;
  std::size_t max_events_;
  std::size_t max_topics_;
  std::deque<SharedText> events_;
  std::vector<Slot> slots_;            // one per topic seen, at most max_topics_
  std::deque<std::size_t> pending_;    // slot indices with a message, in arrival order
  bool writer_idle_ = true;
  std::uint64_t dropped_ = 0;
};

}  // namespace plinth::web
