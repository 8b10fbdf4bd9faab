// LatencyHistogram (daemon/util/latency_histogram.hpp): buckets, quantiles against a sorted
// vector, merge, reset, the edges (empty, zero, negative, overflow), and no allocation.
#include "daemon/util/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "tests/unit/counting_allocator.hpp"

namespace plinth {
namespace {

using H = LatencyHistogram;

// The truth: the value of rank ceil(q n) (1-based, at least 1) of the sorted values.
std::uint64_t truth(std::vector<std::uint64_t> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  std::uint64_t rank = q <= 0 ? 1 : q >= 1 ? sorted.size() : static_cast<std::uint64_t>(std::ceil(q * n - 1e-9));
  rank = std::clamp<std::uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGapsOrOverlap) {
  EXPECT_EQ(H::bucket_lowest(0), 0u);
  for (std::size_t i = 0; i < H::kBuckets; ++i) {
    const std::uint64_t lo = H::bucket_lowest(i), w = H::bucket_width(i);
    ASSERT_EQ(H::bucket_index(lo), i) << i;
    ASSERT_EQ(H::bucket_index(lo + w - 1), i) << i;
    if (i + 1 < H::kBuckets) {
      ASSERT_EQ(H::bucket_lowest(i + 1), lo + w) << i;
    }
    // A bucket is at most 1/256 of its values wide (exact below 256 ns).
    if (i >= H::kSubBuckets) {
      ASSERT_LE(w * H::kSubBuckets, lo) << i;
    }
  }
  const std::size_t last = H::kBuckets - 1;
  EXPECT_EQ(H::bucket_lowest(last) + H::bucket_width(last) - 1, H::kHighestTrackable);
  EXPECT_GE(H::kHighestTrackable, 10'000'000'000u);  // 10 s
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  H h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.overflow(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  for (double q : {0.0, 0.5, 0.99, 1.0}) EXPECT_EQ(h.quantile(q), 0u);
  H other;
  h.merge(other);
  EXPECT_EQ(h.count(), 0u);
  h.reset();
  EXPECT_EQ(h.quantile(0.5), 0u);
}

TEST(LatencyHistogram, ZeroAndNegativeValuesAreZero) {
  H h;
  h.record(0);
  h.record(-5);  // a clock that went backwards
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
  EXPECT_EQ(h.quantile(1.0), 0u);
  h.record(1);
  EXPECT_EQ(h.quantile(1.0), 1u);
  EXPECT_EQ(h.quantile(0.5), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  H h;
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 255; v > 0; --v) {
    h.record(static_cast<std::int64_t>(v));
    values.push_back(v);
  }
  for (double q : {0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(h.quantile(q), truth(values, q)) << q;
}

TEST(LatencyHistogram, OverflowCountsAndKeepsTheExactMax) {
  H h;
  for (int i = 0; i < 99; ++i) h.record(50'000);  // 50 us
  h.record(20'000'000'000);                        // 20 s: beyond the buckets
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.overflow(), 1u);
  EXPECT_EQ(h.max(), 20'000'000'000u);
  EXPECT_EQ(h.quantile(0.99), 50'000u);  // clamped to min = max of the bucket's contents
  EXPECT_EQ(h.quantile(0.999), 20'000'000'000u);
  EXPECT_EQ(h.quantile(1.0), 20'000'000'000u);
  // The highest trackable value is still in a bucket; one more is not.
  H edge;
  edge.record(static_cast<std::int64_t>(H::kHighestTrackable));
  edge.record(static_cast<std::int64_t>(H::kHighestTrackable + 1));
  EXPECT_EQ(edge.overflow(), 1u);
  EXPECT_EQ(edge.quantile(0.5), H::kHighestTrackable);
  EXPECT_EQ(edge.quantile(1.0), H::kHighestTrackable + 1);
}

TEST(LatencyHistogram, RankIsTheCeilingOfQTimesN) {
  EXPECT_EQ(H::rank_of(0.99, 100), 99u);
  EXPECT_EQ(H::rank_of(0.999, 1000), 999u);
  EXPECT_EQ(H::rank_of(0.999, 3300), 3297u);
  EXPECT_EQ(H::rank_of(0.5, 3), 2u);
  EXPECT_EQ(H::rank_of(0.5, 4), 2u);
  EXPECT_EQ(H::rank_of(0.0, 7), 1u);
  EXPECT_EQ(H::rank_of(1e-12, 7), 1u);
  EXPECT_EQ(H::rank_of(1.0, 7), 7u);
  EXPECT_EQ(H::rank_of(0.99, 1), 1u);
}

// Random latencies of several shapes against the sorted-vector truth: each quantile is in the
// truth's bucket, so within half a bucket (0.2 %) of it; min and max are exact.
TEST(LatencyHistogram, QuantilesMatchASortedVectorWithinBucketPrecision) {
  std::mt19937_64 rng(20261206);
  std::uniform_real_distribution<double> uniform(1e3, 10e6);       // 1 us .. 10 ms
  std::lognormal_distribution<double> lognormal(std::log(60e3), 0.6);  // around 60 us
  std::exponential_distribution<double> exponential(1.0 / 200e3);
  std::uniform_int_distribution<int> tiny(0, 600);                  // exact and first octaves
  std::bernoulli_distribution spike(0.01);
  auto h = std::make_unique<H>();
  for (int shape = 0; shape < 5; ++shape) {
    for (std::size_t n : {1u, 2u, 3u, 10u, 99u, 100u, 1000u, 3300u, 20011u}) {
      h->reset();
      std::vector<std::uint64_t> values;
      for (std::size_t i = 0; i < n; ++i) {
        double v = 0;
        switch (shape) {
          case 0: v = uniform(rng); break;
          case 1: v = lognormal(rng); break;
          case 2: v = exponential(rng); break;
          case 3: v = tiny(rng); break;
          default: v = lognormal(rng) * (spike(rng) ? 200.0 : 1.0); break;  // a heavy tail
        }
        const auto ns = static_cast<std::uint64_t>(v);
        values.push_back(ns);
        h->record(static_cast<std::int64_t>(ns));
      }
      ASSERT_EQ(h->count(), n);
      EXPECT_EQ(h->min(), *std::min_element(values.begin(), values.end()));
      EXPECT_EQ(h->max(), *std::max_element(values.begin(), values.end()));
      for (double q : {0.0, 0.001, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
        const std::uint64_t t = truth(values, q), got = h->quantile(q);
        ASSERT_EQ(H::bucket_index(got), H::bucket_index(t)) << "shape " << shape << " n " << n << " q " << q;
        const double half = static_cast<double>(H::bucket_width(H::bucket_index(t))) / 2.0;
        ASSERT_LE(std::abs(static_cast<double>(got) - static_cast<double>(t)), half);
        ASSERT_LE(std::abs(static_cast<double>(got) - static_cast<double>(t)), 0.002 * static_cast<double>(t) + 0.5);
      }
    }
  }
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lognormal(std::log(80e3), 1.0);
  auto a = std::make_unique<H>(), b = std::make_unique<H>(), all = std::make_unique<H>();
  for (int i = 0; i < 5000; ++i) {
    const auto v = static_cast<std::int64_t>(lognormal(rng));
    (i % 3 ? *a : *b).record(v);
    all->record(v);
  }
  a->record(30'000'000'000);  // overflow travels too
  all->record(30'000'000'000);
  a->merge(*b);
  EXPECT_EQ(a->count(), all->count());
  EXPECT_EQ(a->overflow(), all->overflow());
  EXPECT_EQ(a->min(), all->min());
  EXPECT_EQ(a->max(), all->max());
  for (int k = 0; k <= 1000; ++k) EXPECT_EQ(a->quantile(k / 1000.0), all->quantile(k / 1000.0)) << k;
  // Merging into an empty one copies; reset empties.
  auto c = std::make_unique<H>();
  c->merge(*all);
  EXPECT_EQ(c->quantile(0.99), all->quantile(0.99));
  c->reset();
  EXPECT_EQ(c->count(), 0u);
  EXPECT_EQ(c->max(), 0u);
  EXPECT_EQ(c->quantile(0.5), 0u);
  c->record(1234);
  EXPECT_EQ(c->min(), 1234u);
  EXPECT_EQ(c->quantile(0.5), 1234u);
}

#if defined(PLINTH_COUNTING_ALLOCATOR)
TEST(LatencyHistogram, RecordMergeQuantileAndResetAllocateNothing) {
  auto a = std::make_unique<H>(), b = std::make_unique<H>();
  const long before = plinth::testing::allocations_on_this_thread;
  for (std::int64_t i = 0; i < 100000; ++i) a->record(i * 977 % 50'000'000);
  b->merge(*a);
  volatile std::uint64_t sink = b->quantile(0.5) + b->quantile(0.99) + b->quantile(0.999) + b->max();
  (void)sink;
  a->reset();
  EXPECT_EQ(plinth::testing::allocations_on_this_thread - before, 0);
}
#endif

}  // namespace
}  // namespace plinth
