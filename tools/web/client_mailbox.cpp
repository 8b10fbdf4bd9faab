#include "tools/web/client_mailbox.hpp"

#include <algorithm>

namespace plinth::web {

ClientMailbox::ClientMailbox(std::size_t max_queued_events, std::size_t max_topics)
    : max_events_(std::max<std::size_t>(1, max_queued_events)), max_topics_(max_topics) {
  slots_.reserve(max_topics_);
}

bool ClientMailbox::wake_if_idle() {
  if (!writer_idle_) return false;
  writer_idle_ = false;
  return true;
}

bool ClientMailbox::put_latest(const std::string& key, SharedText text) {
  std::lock_guard lock(mutex_);
  auto slot = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.key == key; });
  if (slot == slots_.end()) {
    if (slots_.size() >= max_topics_) {
      ++dropped_;  // more topics than any configuration has: refuse rather than grow
      return false;
    }
    slots_.push_back({key, nullptr});
    slot = slots_.end() - 1;
  }
  if (slot->pending) {
    ++dropped_;  // the browser has not taken the previous one: it is stale now
  } else {
    pending_.push_back(static_cast<std::size_t>(slot - slots_.begin()));
  }
  slot->pending = std::move(text);
  return wake_if_idle();
}

bool ClientMailbox::put_event(SharedText text) {
  std::lock_guard lock(mutex_);
  if (events_.size() >= max_events_) {
    events_.pop_front();
    ++dropped_;
  }
  events_.push_back(std::move(text));
  return wake_if_idle();
}

SharedText ClientMailbox::take() {
  std::lock_guard lock(mutex_);
  if (!events_.empty()) {
    SharedText next = std::move(events_.front());
    events_.pop_front();
    return next;
  }
  if (!pending_.empty()) {
    Slot& slot = slots_[pending_.front()];
    pending_.pop_front();
    return std::move(slot.pending);
  }
  writer_idle_ = true;
  return nullptr;
}

std::uint64_t ClientMailbox::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace plinth::web
