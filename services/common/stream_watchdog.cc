#include "services/common/stream_watchdog.h"

#include <algorithm>

namespace branchline {

StreamWatchdog::StreamWatchdog(std::chrono::milliseconds stall_timeout)
    : stall_timeout_(stall_timeout), thread_([this] { Run(); }) {}

StreamWatchdog::~StreamWatchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void StreamWatchdog::Register(Watched* stream) {
  std::lock_guard lock(mu_);
  streams_.insert(stream);
}

void StreamWatchdog::Unregister(Watched* stream) {
  std::lock_guard lock(mu_);
  streams_.erase(stream);
}

void StreamWatchdog::Run() {
  // Four looks per timeout: a stalled stream is cut between 1 and 1.25 timeouts after its
  // write began (never more often than every 50 ms, never less than every second).
  const auto period = std::clamp<std::chrono::milliseconds>(
      stall_timeout_ / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  std::unique_lock lock(mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, period, [this] { return stop_; });
    const auto now = std::chrono::steady_clock::now();
    for (Watched* stream : streams_) stream->CheckProgress(now, stall_timeout_);
  }
}

}  // namespace branchline
