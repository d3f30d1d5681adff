#include "storage/change_sequencer.h"

namespace branchline::storage {

uint64_t ChangeSequencer::Begin(uint64_t count) {
  std::lock_guard lock(mu_);
  uint64_t first = next_;
  next_ += count;
  in_flight_.insert(first);
  return first;
}

void ChangeSequencer::End(uint64_t first) {
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(first);
  }
  advanced_.notify_all();
}

void ChangeSequencer::Publish(uint64_t stable) {
  {
    std::lock_guard lock(mu_);
    if (stable < next_) return;
    next_ = stable + 1;
  }
  advanced_.notify_all();
}

uint64_t ChangeSequencer::Stable() const {
  std::lock_guard lock(mu_);
  return in_flight_.empty() ? next_ - 1 : *in_flight_.begin() - 1;
}

uint64_t ChangeSequencer::WaitPast(uint64_t after,
                                   std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  auto stable = [&] { return in_flight_.empty() ? next_ - 1 : *in_flight_.begin() - 1; };
  const uint64_t interrupts = interrupts_;
  advanced_.wait_until(lock, deadline,
                       [&] { return stable() > after || interrupts_ != interrupts; });
  return stable();
}

void ChangeSequencer::Interrupt() const {
  {
    std::lock_guard lock(mu_);
    ++interrupts_;
  }
  advanced_.notify_all();
}

}  // namespace branchline::storage
