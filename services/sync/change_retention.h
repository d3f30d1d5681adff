#pragma once

#include <cstdint>
#include <mutex>

#include "absl/status/statusor.h"
#include "services/common/clock.h"
#include "services/common/periodic_thread.h"
#include "storage/store.h"

namespace branchline {

// Keeps the change log to a retention window: a background thread deletes entries older than
// `retention_micros` every `interval_micros`, in bounded batches (so a long backlog never
// holds up writers or the shutdown), through storage::PruneChanges. A cursor older than the
// window is then answered CURSOR_EXPIRED (cursor.h), telling the client to resync.
// Thread-safe.
class ChangeRetention {
 public:
  static constexpr size_t kBatch = 1000;

  ChangeRetention(storage::Store& store, const Clock& clock, int64_t retention_micros)
      : store_(store), clock_(clock), retention_micros_(retention_micros) {}

  // Deletes everything older than the window now, batch after batch; returns how many entries.
  absl::StatusOr<uint64_t> PruneNow();
  // Starts the background thread (once); it first prunes one interval after the start.
  void Start(int64_t interval_micros);
  // Stops the background thread; an unfinished run stops after its current batch.
  void Stop() { timer_.Stop(); }

 private:
  void RunOnTimer();

  storage::Store& store_;
  const Clock& clock_;
  const int64_t retention_micros_;
  std::mutex prune_mu_;   // one pruning run at a time (the timer's or PruneNow's)
  PeriodicThread timer_;  // last: stops first
};

}  // namespace branchline
