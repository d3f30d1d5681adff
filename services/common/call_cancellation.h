#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"

namespace branchline {

// Whether the client of the call handled on this thread has cancelled it or its deadline has
// passed. Long loops (walks over a subtree's people for rosters and reports) check it and stop
// with CANCELLED, so an abandoned call does not keep a handler thread and the database busy.
// False outside a call. Sync handlers run on one thread from request to status, so the probe
// is thread-local.
bool CallCancelled();

// Asking gRPC whether a sync call was cancelled polls its completion queue (a lock and a
// futex, ~25-30 µs): asked for every person it made a 10,000-person roster 9x slower, and
// asked once per call it was a fifth of the CPU of "my upcoming meetings". So long loops ask
// once every kCancellationStride steps (still within a millisecond or so), and short calls
// never ask.
inline constexpr uint32_t kCancellationStride = 256;

// The one check every long loop makes per step (a person, a meeting, an attendance record, a
// letter, a change, a scanned index entry): counts the step, and every kCancellationStride-th
// step asks CallCancelled(). The count is per call (thread-local, started by
// CallCancellationScope) and shared by all loops of the call, so nested loops (meetings, then
// each meeting's attendance) ask no more often than a flat one. Returns DEADLINE_EXCEEDED when
// the call's deadline has passed, CANCELLED when the client cancelled, OK otherwise.
absl::Status CancellationCheckpoint();

// Steps counted by CancellationCheckpoint() since this thread's innermost scope began (for
// tests: how much work a cancelled call did).
uint64_t CancellationSteps();

// Makes `probe` the answer of CallCancelled() on this thread until destroyed (the handler
// helpers install one per call; tests install their own). `deadline` tells DEADLINE_EXCEEDED
// from CANCELLED when the probe says the call is over. Starts a new step count.
class CallCancellationScope {
 public:
  explicit CallCancellationScope(std::function<bool()> probe,
                                 std::chrono::system_clock::time_point deadline =
                                     std::chrono::system_clock::time_point::max());
  ~CallCancellationScope();
  CallCancellationScope(const CallCancellationScope&) = delete;
  CallCancellationScope& operator=(const CallCancellationScope&) = delete;

 private:
  std::function<bool()> previous_;
  std::chrono::system_clock::time_point previous_deadline_;
  uint64_t previous_steps_;
};

}  // namespace branchline
