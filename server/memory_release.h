#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace branchline {

// Gives memory back to the system after a burst (issue #19, finding 8: an HTTP/2 rapid-reset
// burst left 2.5 GiB resident 15 s later). glibc keeps freed memory in its arenas, one arena
// per thread up to 8 per core, and returns the top of the main heap only: after hundreds of
// handler threads allocated at once, free memory stays resident in many arenas.
//
// Call once at start, before threads exist: caps the arena count (M_ARENA_MAX), so a burst
// over many threads fills few arenas.
void LimitMallocArenas(int arenas);

// A thread that, every `period`, returns free arena memory to the system (malloc_trim) when
// more than `min_free_bytes` of it is free. Trimming walks every arena under its lock, so it
// runs only when there is something worth returning.
class MemoryTrimmer {
 public:
  MemoryTrimmer(std::chrono::milliseconds period, size_t min_free_bytes);
  ~MemoryTrimmer();  // stops the thread

  // Trims now if enough is free; returns the free bytes seen (for tests and logs).
  static size_t TrimIfWorthIt(size_t min_free_bytes);

 private:
  void Run();

  const std::chrono::milliseconds period_;
  const size_t min_free_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace branchline
