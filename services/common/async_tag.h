#pragma once

#include <functional>
#include <utility>

namespace branchline {

// A tag on the server's own completion queue (server/completion_queue_pollers.h). Every tag
// put on that queue is an AsyncTag: the poller that dequeues it runs it with the operation's
// ok flag. A call object keeps one AsyncTag per kind of operation it starts.
class AsyncTag {
 public:
  explicit AsyncTag(std::function<void(bool ok)> run) : run_(std::move(run)) {}
  AsyncTag(const AsyncTag&) = delete;
  AsyncTag& operator=(const AsyncTag&) = delete;

  void Run(bool ok) { run_(ok); }

 private:
  std::function<void(bool ok)> run_;
};

}  // namespace branchline
