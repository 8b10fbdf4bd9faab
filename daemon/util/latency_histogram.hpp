#pragma once
// A fixed-bucket latency histogram in the manner of HdrHistogram: log-linear buckets, no
// allocation, O(1) record. Values are nanoseconds.
//
// Layout: values below 2^kSubBucketBits (256 ns) have a bucket each (exact). Every power of two
// above that, [2^e, 2^(e+1)), is split into kSubBuckets (256) equal buckets of width 2^(e-8),
// so a bucket is at most 1/256 (0.39 %) of the values it holds wide; quantile() reports the
// bucket's midpoint, within 0.2 % of any value in it (about 2.7 significant digits).
// Values from 2^kMaxExponent ns (about 17.2 s) up are counted as overflow: they count towards
// count() and max() (which is exact), and a quantile that falls among them reports max().
// Negative values (a clock that went backwards) are recorded as 0.
//
// Storage: kBuckets (6912) 64-bit counts, 54 KiB, inside the object: hold it in a member or
// on the heap, not in a small stack frame.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace plinth {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 8;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  static constexpr unsigned kMaxExponent = 34;  // values < 2^34 ns (17.18 s) are in buckets
  static constexpr std::uint64_t kHighestTrackable = (std::uint64_t{1} << kMaxExponent) - 1;
  static constexpr std::size_t kBuckets = kSubBuckets * (kMaxExponent - kSubBucketBits + 1);

  // The bucket a value in [0, kHighestTrackable] falls in.
  static constexpr std::size_t bucket_index(std::uint64_t v) noexcept {
    if (v < kSubBuckets) return static_cast<std::size_t>(v);
    const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - 1 - kSubBucketBits;
    return static_cast<std::size_t>((shift + 1) * kSubBuckets + ((v >> shift) - kSubBuckets));
  }
  // The smallest value of bucket i, and how many values it holds.
  static constexpr std::uint64_t bucket_lowest(std::size_t i) noexcept {
    if (i < kSubBuckets) return i;
    const std::uint64_t shift = i / kSubBuckets - 1;
    return (i % kSubBuckets + kSubBuckets) << shift;
  }
  static constexpr std::uint64_t bucket_width(std::size_t i) noexcept {
    return i < kSubBuckets ? 1 : std::uint64_t{1} << (i / kSubBuckets - 1);
  }

  void record(std::int64_t ns) noexcept {
    const std::uint64_t v = ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
    if (v <= kHighestTrackable) {
      ++counts_[bucket_index(v)];
    } else {
      ++overflow_;
    }
    ++count_;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }

  void merge(const LatencyHistogram& other) noexcept {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    overflow_ += other.overflow_;
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void reset() noexcept {
    if (count_ == 0) return;
    counts_.fill(0);
    overflow_ = 0;
    count_ = 0;
    min_ = std::numeric_limits<std::uint64_t>::max();
    max_ = 0;
  }

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t overflow() const noexcept { return overflow_; }
  // Exact; 0 when empty.
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max() const noexcept { return max_; }

  // The q-quantile (q in [0, 1]): the value of rank ceil(q n) (at least 1) among the n recorded
  // values in increasing order, as the midpoint of its bucket, clamped to [min(), max()] (so
  // quantile(0) is min() and quantile(1) is max(), both exact). 0 when empty.
  std::uint64_t quantile(double q) const noexcept {
    if (count_ == 0) return 0;
    const std::uint64_t rank = rank_of(q, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const std::uint64_t mid = bucket_lowest(i) + (bucket_width(i) - 1) / 2;
        return std::clamp(mid, min_, max_);
      }
    }
    return max_;  // among the overflow
  }

  // The 1-based rank quantile(q) looks for among n values: ceil(q n), within [1, n]. The small
  // tolerance keeps q = 0.99 of n = 100 at rank 99 whatever the rounding of 0.99 * 100.
  static std::uint64_t rank_of(double q, std::uint64_t n) noexcept {
    if (!(q > 0)) return 1;
    if (q >= 1) return n;
    const double r = std::ceil(q * static_cast<double>(n) - 1e-9);
    return std::clamp<std::uint64_t>(r < 1 ? 1 : static_cast<std::uint64_t>(r), 1, n);
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t overflow_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

}  // namespace plinth
