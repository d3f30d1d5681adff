#include "storage/commit_queue.h"

#include <utility>

namespace branchline::storage {

CommitQueue::CommitQueue(CommitGroup commit_group)
    : commit_group_(std::move(commit_group)), thread_([this] { Run(); }) {}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  waiting_.notify_one();
  thread_.join();
}

void CommitQueue::Push(WriteSet writes, CommitDone done) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = queue_.empty();
    queue_.push_back({std::move(writes), std::move(done)});
  }
  // A non-empty queue means the thread is awake already: it takes the queue when it is
  // done with the group it commits now.
  if (was_empty) waiting_.notify_one();
}

void CommitQueue::Run() {
  std::vector<Entry> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      waiting_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is committed
      group.swap(queue_);
    }
    commit_group_(group);
    group.clear();
  }
}

}  // namespace branchline::storage
