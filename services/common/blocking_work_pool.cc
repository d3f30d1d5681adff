#include "services/common/blocking_work_pool.h"

#include <utility>

namespace branchline {

BlockingWorkPool::BlockingWorkPool(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BlockingWorkPool::~BlockingWorkPool() { Drain(); }

void BlockingWorkPool::Run(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (!draining_) {
      queue_.push_back(std::move(work));
      cv_.notify_one();
      return;
    }
  }
  work();
}

void BlockingWorkPool::Drain() {
  {
    std::lock_guard lock(mu_);
    if (draining_) return;
    draining_ = true;
  }
  cv_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void BlockingWorkPool::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return draining_ || !queue_.empty(); });
    if (queue_.empty()) return;  // draining, and nothing left
    auto work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    work();
    lock.lock();
  }
}

}  // namespace branchline
