#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace branchline {

// A background thread that runs a task every interval until stopped: the timer behind change
// retention and the publication of held-back changes. A long task checks Stopping() between
// its batches, so Stop() never waits for a whole backlog. Thread-safe.
class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // Starts the thread (once; not after Stop): `task` runs one interval after the start, then
  // every interval.
  void Start(int64_t interval_micros, std::function<void()> task);
  // Stops the thread after the task's current run (which sees Stopping()); idempotent.
  void Stop();
  bool Stopping() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace branchline
