#include "server/memory_release.h"

// gperftools' C interface (gperftools/malloc_extension_c.h), declared weak: a build that does
// not link tcmalloc still links, and sees null functions.
extern "C" {
__attribute__((weak)) int MallocExtension_GetNumericProperty(const char* property, size_t* value);
__attribute__((weak)) void MallocExtension_ReleaseFreeMemory();
}

namespace branchline {

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

bool MemoryTrimmer::Supported() {
  return MallocExtension_GetNumericProperty != nullptr &&
         MallocExtension_ReleaseFreeMemory != nullptr;
}

size_t MemoryTrimmer::TrimIfWorthIt(size_t min_free_bytes) {
  if (!Supported()) return 0;
  // Free pages still mapped in the page heap (not yet returned to the system).
  size_t free_bytes = 0;
  if (!MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &free_bytes)) return 0;
  if (free_bytes >= min_free_bytes) MallocExtension_ReleaseFreeMemory();
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
