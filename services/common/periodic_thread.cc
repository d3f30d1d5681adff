#include "services/common/periodic_thread.h"

#include <chrono>

namespace branchline {

void PeriodicThread::Start(int64_t interval_micros, std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, interval_micros, task = std::move(task)] {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        wake_.wait_for(lock, std::chrono::microseconds(interval_micros), [&] { return stopping_; });
        if (stopping_) return;
      }
      task();
    }
  });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool PeriodicThread::Stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

}  // namespace branchline
