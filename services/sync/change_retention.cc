#include "services/sync/change_retention.h"

#include <chrono>

#include "spdlog/spdlog.h"
#include "storage/change_pruning.h"

namespace branchline {

ChangeRetention::~ChangeRetention() { Stop(); }

absl::StatusOr<uint64_t> ChangeRetention::PruneNow() {
  std::lock_guard prune_lock(prune_mu_);
  const int64_t horizon = clock_.NowMicros() - retention_micros_;
  uint64_t total = 0;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    auto batch = storage::PruneChanges(store_, horizon, kBatch);
    if (!batch.ok()) return batch.status();
    total += batch->deleted;
    if (!batch->more) break;
  }
  return total;
}

void ChangeRetention::Start(int64_t interval_micros) {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, interval_micros] { Run(interval_micros); });
}

void ChangeRetention::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ChangeRetention::Run(int64_t interval_micros) {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::microseconds(interval_micros), [&] { return stopping_; });
      if (stopping_) return;
    }
    auto pruned = PruneNow();
    if (!pruned.ok()) {
      spdlog::warn("change-log retention: {}", pruned.status().ToString());
    } else if (*pruned > 0) {
      spdlog::info("change-log retention: deleted {} entries older than {} days", *pruned,
                   retention_micros_ / 86'400'000'000.0);
    }
  }
}

}  // namespace branchline
