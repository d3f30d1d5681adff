#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace branchline {

// One thread that asks every open server stream, a few times per stall timeout, whether its
// reader still makes progress (StreamLimits::stall_timeout). One thread for all streams, as
// for WatchHub's heartbeats, so a stream that waits costs no thread. Thread-safe.
class StreamWatchdog {
 public:
  class Watched {
   public:
    virtual ~Watched() = default;
    // Called with the watchdog's lock held, so it must not block for long or call back into
    // the watchdog. Cancels the stream when its pending write is older than `stall_timeout`.
    virtual void CheckProgress(std::chrono::steady_clock::time_point now,
                               std::chrono::milliseconds stall_timeout) = 0;
  };

  explicit StreamWatchdog(std::chrono::milliseconds stall_timeout);
  ~StreamWatchdog();  // stops the thread

  // After Unregister returns, `stream` is not being checked and will not be again.
  void Register(Watched* stream);
  void Unregister(Watched* stream);

 private:
  void Run();

  const std::chrono::milliseconds stall_timeout_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::set<Watched*> streams_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace branchline
