#pragma once

#include <functional>
#include <utility>

namespace grpc {
class ServerCompletionQueue;
}

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

// A service adapter with methods on the async API. Once the server has started, it starts
// accepting their calls on `queue` (the pollers' queue, whose tags are AsyncTags). The server
// calls it once for every registered adapter that has it.
class AcceptsAsyncCalls {
 public:
  virtual ~AcceptsAsyncCalls() = default;
  virtual void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) = 0;
};

}  // namespace branchline
