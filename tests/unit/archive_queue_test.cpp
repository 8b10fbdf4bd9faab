// BoundedQueue: never blocks producers, refuses when full, recycles slot storage.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "daemon/util/bounded_queue.hpp"

namespace plinth {
namespace {

using namespace std::chrono_literals;

TEST(ArchiveBoundedQueue, RefusesWhenFullAndKeepsOrder) {
  BoundedQueue<int> queue(3);
  EXPECT_TRUE(queue.try_push(1));
  EXPECT_TRUE(queue.try_push(2));
  EXPECT_TRUE(queue.try_push(3));
  EXPECT_FALSE(queue.try_push(4));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.rejected(), 1u);
  int out = 0;
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 1);
  EXPECT_TRUE(queue.try_push(5));  // wraps around the ring
  std::vector<int> rest;
  while (queue.try_pop(out)) rest.push_back(out);
  EXPECT_EQ(rest, (std::vector<int>{2, 3, 5}));
}

TEST(ArchiveBoundedQueue, PopTimesOutWhenEmpty) {
  BoundedQueue<int> queue(2);
  int out = 7;
  EXPECT_FALSE(queue.pop_until(out, std::chrono::steady_clock::now() + 5ms));
  EXPECT_EQ(out, 7);
}

TEST(ArchiveBoundedQueue, CloseDrainsThenEnds) {
  BoundedQueue<int> queue(2);
  ASSERT_TRUE(queue.try_push(1));
  queue.close();
  EXPECT_FALSE(queue.try_push(2));
  int out = 0;
  EXPECT_TRUE(queue.pop_until(out, std::chrono::steady_clock::now() + 1s));
  EXPECT_EQ(out, 1);
  EXPECT_FALSE(queue.pop_until(out, std::chrono::steady_clock::now() + 10s));  // returns at once: closed
  EXPECT_TRUE(queue.closed_and_empty());
}

TEST(ArchiveBoundedQueue, SlotStorageIsRecycled) {
  BoundedQueue<std::vector<int>> queue(1);
  std::vector<int> consumer;
  ASSERT_TRUE(queue.try_push_with([](std::vector<int>& slot) { slot.assign(1000, 1); }));
  ASSERT_TRUE(queue.try_pop(consumer));
  const int* buffer = consumer.data();
  // The consumer's buffer goes back into the slot and comes back on the next pop, filled
  // in place: no allocation for same-sized items.
  ASSERT_TRUE(queue.try_push_with([](std::vector<int>& slot) { slot.assign(1000, 2); }));
  ASSERT_TRUE(queue.try_pop(consumer));
  ASSERT_TRUE(queue.try_push_with([](std::vector<int>& slot) { slot.assign(1000, 3); }));
  ASSERT_TRUE(queue.try_pop(consumer));
  EXPECT_EQ(consumer.data(), buffer);
  EXPECT_EQ(consumer[999], 3);
}

// With wake_at = 3 a waiting consumer sleeps through the first two items and wakes at the
// third; at its deadline it takes what is there, fewer or not.
TEST(ArchiveBoundedQueue, WakesTheConsumerForABatchOrAtItsDeadline) {
  BoundedQueue<int> queue(8, 3);
  std::atomic<int> woke{0};
  std::atomic<bool> pushed_two{false};
  std::thread consumer([&] {
    int out = 0;
    if (queue.pop_until(out, std::chrono::steady_clock::now() + 60s)) {
      woke = out;
      EXPECT_TRUE(pushed_two.load());
      EXPECT_EQ(queue.size(), 2u);  // 1 taken, 2 and 3 left for try_pop
    }
  });
  ASSERT_TRUE(queue.try_push(1));
  ASSERT_TRUE(queue.try_push(2));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(woke.load(), 0);  // still asleep with two queued
  pushed_two = true;
  ASSERT_TRUE(queue.try_push(3));
  consumer.join();
  EXPECT_EQ(woke.load(), 1);
  int out = 0;
  while (queue.try_pop(out)) {
  }
  ASSERT_TRUE(queue.try_push(9));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(queue.pop_until(out, start + 50ms));  // one item, below wake_at: taken at the deadline
  EXPECT_EQ(out, 9);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(ArchiveBoundedQueue, WakesAWaitingConsumer) {
  BoundedQueue<int> queue(4);
  int received = 0;
  std::thread consumer([&] {
    int out = 0;
    while (queue.pop_until(out, std::chrono::steady_clock::now() + 60s)) received += out;
  });
  for (int i = 1; i <= 4; ++i) {
    while (!queue.try_push(int{i})) std::this_thread::yield();
  }
  queue.close();
  consumer.join();
  EXPECT_EQ(received, 10);
}

TEST(ArchiveBoundedQueue, ZeroCapacityIsAnError) {
  EXPECT_THROW(BoundedQueue<int>(0), std::invalid_argument);
}

}  // namespace
}  // namespace plinth
