#include "server/memory_release.h"

#include <malloc.h>

namespace branchline {

void LimitMallocArenas(int arenas) { mallopt(M_ARENA_MAX, arenas); }

MemoryTrimmer::MemoryTrimmer(std::chrono::milliseconds period, size_t min_free_bytes)
    : period_(period), min_free_bytes_(min_free_bytes), thread_([this] { Run(); }) {}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

size_t MemoryTrimmer::TrimIfWorthIt(size_t min_free_bytes) {
  // fordblks: free bytes held in the arenas' bins (not yet returned to the system).
  const size_t free_bytes = mallinfo2().fordblks;
  if (free_bytes >= min_free_bytes) malloc_trim(0);
  return free_bytes;
}

void MemoryTrimmer::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    TrimIfWorthIt(min_free_bytes_);
    lock.lock();
  }
}

}  // namespace branchline
