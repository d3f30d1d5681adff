#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "services/common/clock.h"
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
  ~ChangeRetention();  // stops the thread

  // Deletes everything older than the window now, batch after batch; returns how many entries.
  absl::StatusOr<uint64_t> PruneNow();
  // Starts the background thread (once); it first prunes one interval after the start.
  void Start(int64_t interval_micros);
  // Stops the background thread; an unfinished run stops after its current batch.
  void Stop();

 private:
  void Run(int64_t interval_micros);

  storage::Store& store_;
  const Clock& clock_;
  const int64_t retention_micros_;
  std::mutex prune_mu_;  // one pruning run at a time (the timer's or PruneNow's)
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace branchline
