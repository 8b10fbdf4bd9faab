// The clock models run in the acquisition path: nothing allocated per sample once constructed,
// block closes, refits and restarts included.
#include <gtest/gtest.h>

#include <vector>

#include "daemon/clock/device_clock_model.hpp"
#include "daemon/clock/rr_beat_clock.hpp"
#include "tests/unit/counting_allocator.hpp"

namespace plinth {
namespace {

#ifdef PLINTH_COUNTING_ALLOCATOR
TEST(ClockAllocation, ObserveAllocatesNothing) {
  DeviceClockModel model;
  std::int64_t device = 0, host = 1'000'000'000'000;
  const long before = testing::allocations_on_this_thread;
  for (int k = 0; k < 20'000; ++k, device += 20'000'000, host += 20'001'000) {
    if (k == 10'000) device = 0;  // a reboot: the model restarts in place
    model.observe(device, host + (k * 7919) % 5'000'000);
  }
  EXPECT_EQ(testing::allocations_on_this_thread - before, 0);
  EXPECT_EQ(model.last().segment, 1u);
}

TEST(ClockAllocation, NotificationAllocatesNothingOnceTheOutputIsSized) {
  RrBeatClock clock;
  std::vector<std::int64_t> times;
  times.reserve(9);  // the most RR values one default-MTU notification carries
  const double rr[] = {850.0, 900.0};
  std::int64_t host = 1'000'000'000'000;
  const long before = testing::allocations_on_this_thread;
  for (int k = 0; k < 2'000; ++k) {
    host += 1'750'000'000;
    clock.on_notification(host + (k * 7919) % 5'000'000, rr, times);
  }
  EXPECT_EQ(testing::allocations_on_this_thread - before, 0);
}
#endif

}  // namespace
}  // namespace plinth
