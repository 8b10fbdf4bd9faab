#pragma once
// Invariant checks for the fuzz targets. Not assert(): they must hold in every build type,
// and a failure must say which promise broke so that the reproducer explains itself.
#include <cstdio>
#include <cstdlib>

#define PLINTH_FUZZ_CHECK(condition)                                                              \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)
