#pragma once
// The daemon's bulk threads (the archive's writer and compressors, ZeroMQ's I/O thread) run
// under SCHED_BATCH. They keep their fair share of the CPU, but a waking batch thread never
// preempts a running one (sched(7)): the acquisition thread, which hands them each frame and
// then still has to publish it, is no longer interrupted mid-frame by the threads it has just
// woken. Measured with bench_latency at 64x64 / 100 Hz, 8 runs alternated: the daemon's own
// p99 median 0.272 -> 0.241 ms, p99.9 median 0.67 -> 0.54 ms (bench/RESULTS.md, row 1).
#include <sched.h>
#include <sys/types.h>

namespace plinth {

inline constexpr int kBulkThreadPolicy = SCHED_BATCH;

// For the calling thread, or thread `tid` of this process. False if the system refuses (the
// systemd unit must let sched_setscheduler through its seccomp filter); the thread then stays as
// it was, which costs latency, not data.
inline bool run_as_bulk_thread(pid_t tid = 0) {
  const sched_param no_priority{};  // SCHED_BATCH has only priority 0
  return ::sched_setscheduler(tid, kBulkThreadPolicy, &no_priority) == 0;
}

}  // namespace plinth
