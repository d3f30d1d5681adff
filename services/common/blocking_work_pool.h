#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace branchline {

// A few threads for work that reads much and may take a while but must not run on the
// server's completion-queue pollers, which also poll the network for the whole server: the
// start of a CSV export (a 10,000-person roster). The number of threads bounds how many such
// starts run at once; the rest wait their turn in order. Thread-safe.
class BlockingWorkPool {
 public:
  explicit BlockingWorkPool(int threads);
  ~BlockingWorkPool();  // Drain()

  // Runs `work` on one of the threads. After Drain, runs it on the calling thread.
  void Run(std::function<void()> work);
  // Runs what is queued, then joins the threads. Idempotent.
  void Drain();

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool draining_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace branchline
