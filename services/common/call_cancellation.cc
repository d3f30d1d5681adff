#include "services/common/call_cancellation.h"

namespace branchline {

namespace {
thread_local std::function<bool()> probe;
thread_local std::chrono::system_clock::time_point deadline =
    std::chrono::system_clock::time_point::max();
thread_local uint64_t steps = 0;
}  // namespace

bool CallCancelled() { return probe && probe(); }

absl::Status CancellationCheckpoint() {
  if (++steps % kCancellationStride != 0 || !CallCancelled()) return absl::OkStatus();
  if (std::chrono::system_clock::now() >= deadline) {
    return absl::DeadlineExceededError("the call's deadline passed");
  }
  return absl::CancelledError("the call was cancelled");
}

uint64_t CancellationSteps() { return steps; }

CallCancellationScope::CallCancellationScope(std::function<bool()> p,
                                             std::chrono::system_clock::time_point d)
    : previous_(std::move(probe)), previous_deadline_(deadline), previous_steps_(steps) {
  probe = std::move(p);
  deadline = d;
  steps = 0;
}

CallCancellationScope::~CallCancellationScope() {
  probe = std::move(previous_);
  deadline = previous_deadline_;
  steps = previous_steps_;
}

}  // namespace branchline
