// BoundedQueue: never blocks producers, refuses when full, recycles slot storage.
#include <gtest/gtest.h>

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
