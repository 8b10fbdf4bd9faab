#include <gtest/gtest.h>

#include "daemon/sequence_tracker.hpp"

namespace plinth {
namespace {

TEST(SequenceTracker, ConsecutiveHasNoGap) {
  SequenceTracker t;
  EXPECT_EQ(t.observe(5).lost_before, 0u);
  EXPECT_EQ(t.observe(6).lost_before, 0u);
}

TEST(SequenceTracker, GapCountsMissingFrames) {
  SequenceTracker t;
  t.observe(10);
  EXPECT_EQ(t.observe(14).lost_before, 3u);
}

TEST(SequenceTracker, WrapAroundIsNotAGap) {
  SequenceTracker t;
  t.observe(0xFFFFFFFFu);
  auto o = t.observe(0);
  EXPECT_EQ(o.lost_before, 0u);
  EXPECT_FALSE(o.restarted);
  EXPECT_EQ(t.observe(2).lost_before, 1u);
}

TEST(SequenceTracker, DuplicateAndRestart) {
  SequenceTracker t;
  t.observe(100);
  EXPECT_TRUE(t.observe(100).duplicate);
  auto o = t.observe(3);
  EXPECT_TRUE(o.restarted);
  EXPECT_EQ(o.lost_before, 0u);
  EXPECT_EQ(t.observe(4).lost_before, 0u);
}

TEST(SequenceTracker, ResetForgetsTheLastNumber) {
  SequenceTracker t;
  t.observe(100);
  t.reset();
  auto o = t.observe(7);
  EXPECT_FALSE(o.restarted);
  EXPECT_EQ(o.lost_before, 0u);
}

}  // namespace
}  // namespace plinth
