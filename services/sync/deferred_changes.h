#pragma once

#include <cstdint>
#include <mutex>

#include "absl/status/statusor.h"
#include "services/common/clock.h"
#include "services/common/periodic_thread.h"
#include "storage/store.h"

namespace branchline {

// The publication pass of changes held back by RecordChangeLater (services/common/changes.h):
// the changes an anonymous author causes (a reply or a rating by receipt code), and changes due
// at a time of their own (an evaluation round's opening).
//
// Each pass writes, per tenant, every held-back change whose publication time has come, in one
// commit and in random order, and deletes them from the holding index in the same commit. The
// published entries carry the pass's sequences and, as commit time, the local midnight they
// became due (two local days after the author's day): what anyone following the change log
// learns is on which day the author acted, never at which minute or next to which of the
// author's named actions. A background thread runs a pass every `interval_micros`; PublishNow
// runs one at once. Thread-safe.
class DeferredChanges {
 public:
  // Entries published per commit; a longer backlog takes several commits of one pass.
  static constexpr size_t kBatch = 1000;

  DeferredChanges(storage::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Publishes every held-back change due by now; returns how many.
  absl::StatusOr<uint64_t> PublishNow();
  // Starts the background thread (once); its first pass runs one interval after the start.
  void Start(int64_t interval_micros);
  // Stops the background thread after its current commit.
  void Stop() { timer_.Stop(); }

 private:
  void RunOnTimer();
  // Publishes up to kBatch due changes of `tenant`; `more` tells whether some are left.
  absl::StatusOr<uint64_t> PublishTenant(uint32_t tenant, int64_t now, bool* more);

  storage::Store& store_;
  const Clock& clock_;
  std::mutex publish_mu_;  // one pass at a time (the timer's or PublishNow's)
  PeriodicThread timer_;   // last: stops first
};

}  // namespace branchline
