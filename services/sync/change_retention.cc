#include "services/sync/change_retention.h"

#include "spdlog/spdlog.h"
#include "storage/change_pruning.h"

namespace branchline {

absl::StatusOr<uint64_t> ChangeRetention::PruneNow() {
  std::lock_guard prune_lock(prune_mu_);
  const int64_t horizon = clock_.NowMicros() - retention_micros_;
  uint64_t total = 0;
  for (;;) {
    if (timer_.Stopping()) break;
    auto batch = storage::PruneChanges(store_, horizon, kBatch);
    if (!batch.ok()) return batch.status();
    total += batch->deleted;
    if (!batch->more) break;
  }
  return total;
}

void ChangeRetention::Start(int64_t interval_micros) {
  timer_.Start(interval_micros, [this] { RunOnTimer(); });
}

void ChangeRetention::RunOnTimer() {
  if (!store_.LeadsBackgroundWork()) return;  // another server of the database runs it
  auto pruned = PruneNow();
  if (!pruned.ok()) {
    spdlog::warn("change-log retention: {}", pruned.status().ToString());
  } else if (*pruned > 0) {
    spdlog::info("change-log retention: deleted {} entries older than {} days", *pruned,
                 retention_micros_ / 86'400'000'000.0);
  }
}

}  // namespace branchline
