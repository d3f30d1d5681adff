#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "storage/write_set.h"

namespace branchline::storage {

// Runs once a write handed to Store::CommitAsync is durable, or failed.
using CommitDone = std::function<void(absl::Status)>;

// Write sets handed over by asynchronous callers, committed in groups by one thread.
//
// The thread takes every set waiting, has them committed together (one WAL sync) and then
// runs each one's CommitDone; sets arriving meanwhile form the next group. A caller therefore
// never blocks a thread on the sync, which with the synchronous Store::Commit costs a thread
// and a few context switches per write. (Running the callbacks on a second thread, so the
// next sync starts sooner, measured no faster: each answer then costs a thread hand-off.)
// Thread-safe.
class CommitQueue {
 public:
  struct Entry {
    WriteSet writes;
    CommitDone done;
  };
  // Commits a whole group and runs every entry's done; runs on the queue's thread.
  using CommitGroup = std::function<void(std::vector<Entry>& group)>;

  explicit CommitQueue(CommitGroup commit_group);
  // Commits what is queued, then stops the thread.
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void Push(WriteSet writes, CommitDone done);

 private:
  void Run();

  CommitGroup commit_group_;
  std::mutex mu_;
  std::condition_variable waiting_;
  std::vector<Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace branchline::storage
