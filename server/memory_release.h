#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace branchline {

// Gives memory back to the system after a burst (issue #19, finding 8: an HTTP/2 rapid-reset
// burst left 2.5 GiB resident 15 s later). The server allocates with gperftools' tcmalloc
// (CMakeLists.txt), which keeps freed pages in its page heap and returns them only a little
// at a time as more is freed: after a burst followed by quiet, they would stay resident.
//
// A thread that, every `period`, returns the page heap's free memory to the system when more
// than `min_free_bytes` of it is free. Builds without tcmalloc (the sanitizers, servers inside
// a test process) have nothing to return: Supported() is false there.
class MemoryTrimmer {
 public:
  MemoryTrimmer(std::chrono::milliseconds period, size_t min_free_bytes);
  ~MemoryTrimmer();  // stops the thread

  // Whether the process allocates with tcmalloc.
  static bool Supported();
  // Returns free memory now if enough is free; returns the free bytes seen.
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
