#pragma once
// A fixed-capacity multi-producer / single-consumer queue for handing work from a thread that
// must never wait (acquisition) to one that may (disk, network).
//
// Why not a lock-free ring: producers hold the lock only to copy one item into a slot, never
// while the consumer does its slow work, so the critical section is a few microseconds and a
// plain mutex is easier to trust. When the queue is full try_push fails at once and the
// caller counts the drop: a slow consumer costs only itself.
//
// Slots are allocated once, at construction, and recycled: pop() swaps the front slot with
// the caller's object, so the storage the consumer has finished with goes back into the ring.
// With try_push_with() a producer fills a slot in place (vector::assign into retained
// capacity), so once every slot has been used once nothing is allocated per item.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace plinth {

template <typename T>
class BoundedQueue {
 public:
  // `wake_at`: a waiting consumer is woken once this many items are queued (or by its
  // deadline, or close()); 1 wakes it for every item. A consumer that can take items in
  // batches saves the producer a wake-up (a futex system call) per item.
  explicit BoundedQueue(std::size_t capacity, std::size_t wake_at = 1)
      : slots_(capacity), wake_at_(std::max<std::size_t>(1, std::min(wake_at, capacity))) {
    if (capacity == 0) throw std::invalid_argument("BoundedQueue: capacity must be at least 1");
  }

  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Moves `item` in. Returns false (item untouched) when full or closed.
  bool try_push(T&& item) {
    return try_push_with([&item](T& slot) { slot = std::move(item); });
  }

  // Calls fill(slot) on a recycled slot under the lock. Returns false without calling fill
  // when full or closed. fill must not throw; it should only copy.
  template <typename Fill>
  bool try_push_with(Fill&& fill) {
    {
      std::lock_guard lock(mutex_);
      if (closed_ || size_ == slots_.size()) {
        ++rejected_;
        return false;
      }
      fill(slots_[(head_ + size_) % slots_.size()]);
      ++size_;
      if (size_ < wake_at_) return true;
    }
    ready_.notify_one();
    return true;
  }

  // Waits until wake_at items are queued, the deadline passes or the queue is closed; then
  // swaps the front item, if there is one, into `out` (out's previous contents go back into the
  // ring for reuse) and returns true. Returns false when there was none. A batching consumer
  // takes the rest with try_pop() before it waits again.
  template <typename Clock, typename Duration>
  bool pop_until(T& out, std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock lock(mutex_);
    ready_.wait_until(lock, deadline, [this] { return size_ >= wake_at_ || closed_; });
    return take_front(out);
  }

  // Non-blocking pop.
  bool try_pop(T& out) {
    std::lock_guard lock(mutex_);
    return take_front(out);
  }

  // After close() pushes fail and pop_until returns the remaining items, then false.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  bool closed_and_empty() const {
    std::lock_guard lock(mutex_);
    return closed_ && size_ == 0;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return size_;
  }
  std::size_t capacity() const { return slots_.size(); }
  // Pushes refused because the queue was full or closed, since construction.
  std::size_t rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

 private:
  bool take_front(T& out) {
    if (size_ == 0) return false;
    using std::swap;
    swap(out, slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return true;
  }

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t rejected_ = 0;
  std::size_t wake_at_ = 1;
  bool closed_ = false;
};

}  // namespace plinth
