#pragma once

#include <functional>

namespace branchline {

// Whether the client of the call handled on this thread has cancelled it or its deadline has
// passed. Long loops (walks over a subtree's people for rosters and reports) check it and stop
// with CANCELLED, so an abandoned call does not keep a handler thread and the database busy.
// False outside a call. Sync handlers run on one thread from request to status, so the probe
// is thread-local.
bool CallCancelled();

// Makes `probe` the answer of CallCancelled() on this thread until destroyed (the handler
// helpers install one per call; tests install their own).
class CallCancellationScope {
 public:
  explicit CallCancellationScope(std::function<bool()> probe);
  ~CallCancellationScope();
  CallCancellationScope(const CallCancellationScope&) = delete;
  CallCancellationScope& operator=(const CallCancellationScope&) = delete;

 private:
  std::function<bool()> previous_;
};

}  // namespace branchline
