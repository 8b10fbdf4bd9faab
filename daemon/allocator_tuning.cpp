#include "daemon/allocator_tuning.hpp"

#include <malloc.h>

namespace plinth {

void tune_allocator_for_archiving() {
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  // glibc gives each new thread its own arena; the archive's compression threads allocate
  // nothing once running, so their arenas only raised peak RSS (64x64, two-hour benchmark:
  // 60.4-62.3 MB with per-thread arenas, 55.3 MB with two).
  mallopt(M_ARENA_MAX, 2);
}

}  // namespace plinth
