#include "daemon/allocator_tuning.hpp"

#include <malloc.h>

namespace plinth {

void tune_allocator_for_archiving() {
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

}  // namespace plinth
