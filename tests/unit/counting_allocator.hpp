#pragma once
// Counting replacements for the global allocation functions, for the tests that show a hot path
// allocates nothing once warm. Include from exactly one source file of a test binary (they
// replace the binary's operators). Counted per thread: the code under test may run beside
// threads of its own (publisher, archive writer) that are not being measured.
//
// Under AddressSanitizer the allocation functions are the sanitizer's own; replacing them would
// blind it, so there this header defines nothing and PLINTH_COUNTING_ALLOCATOR stays undefined
// (tests/sanitize/run_core.sh). None of the operators is inlined: GCC 12 would otherwise pair an
// inlined malloc() or free() with a call of the other operator (-Os inlines delete, -O3 inlines
// new) and warn -Wmismatched-new-delete, not knowing that these operators are malloc and free.
#if !defined(__SANITIZE_ADDRESS__)
#define PLINTH_COUNTING_ALLOCATOR 1
#include <cstdlib>
#include <new>

namespace plinth::testing {
inline thread_local long allocations_on_this_thread = 0;
}  // namespace plinth::testing

[[gnu::noinline]] void* operator new(std::size_t size) {
  ++plinth::testing::allocations_on_this_thread;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) { return operator new(size); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif
