#pragma once

#include <cstdio>
#include <cstdlib>

// A property every fuzz input must keep. A broken one aborts, so libFuzzer (and the corpus
// replay in the test suite) report it like a crash, with the input that broke it.
#define FUZZ_CHECK(condition)                                                                    \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
