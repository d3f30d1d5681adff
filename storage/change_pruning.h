#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace branchline::storage {

struct PruneResult {
  uint64_t deleted = 0;  // change-log entries deleted
  bool more = false;     // stopped at max_changes with more old entries left
};

// Change-log retention: deletes, oldest first, the change-log entries committed before
// `horizon_micros` (Unix microseconds) together with their by-organisation and by-person index
// entries, and records per tenant the highest sequence deleted (Store::ChangesPrunedThrough),
// all in one atomic write of at most `max_changes` entries. Call it again while `more`.
//
// Each tenant's log is pruned as a prefix: it stops at the first entry that is new enough or
// not yet stable, so "everything at or below the mark is gone, everything above is kept"
// holds and a cursor is expired exactly when it lies below the mark. Writers are never
// blocked: the deletions are an ordinary write like any commit.
absl::StatusOr<PruneResult> PruneChanges(Store& store, int64_t horizon_micros, size_t max_changes);

}  // namespace branchline::storage
