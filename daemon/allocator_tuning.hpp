#pragma once
// glibc malloc settings for a process that archives (plinthd, and the benchmarks that must
// measure what plinthd does).
namespace plinth {

// zlib allocates ~256 KiB of state for every compressed chunk (one per frame) on the archive
// thread and frees it; with glibc's default thresholds each free hands pages back with
// madvise(), and each madvise interrupts every thread of the process for a TLB shoot-down.
// Measured: two per frame, plinthd CPU-bound at ~600 frames/s of 16x16, 70 % in the kernel;
// keeping up to 16 MiB of freed memory instead: ~4000 frames/s and flat RSS.
void tune_allocator_for_archiving();

}  // namespace plinth
