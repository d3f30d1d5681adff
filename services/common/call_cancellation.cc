#include "services/common/call_cancellation.h"

namespace branchline {

namespace {
thread_local std::function<bool()> probe;
}  // namespace

bool CallCancelled() { return probe && probe(); }

CallCancellationScope::CallCancellationScope(std::function<bool()> p)
    : previous_(std::move(probe)) {
  probe = std::move(p);
}

CallCancellationScope::~CallCancellationScope() { probe = std::move(previous_); }

}  // namespace branchline
