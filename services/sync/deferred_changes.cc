#include "services/sync/deferred_changes.h"

#include <optional>
#include <string>
#include <vector>

#include "services/common/tenant_walk.h"
#include "spdlog/spdlog.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline {

absl::StatusOr<uint64_t> DeferredChanges::PublishTenant(uint32_t tenant, int64_t now, bool* more) {
  const std::string prefix = storage::DeferredChangePrefix(tenant);
  storage::WriteSet writes;
  uint64_t published = 0;
  absl::Status inner;
  *more = false;
  // Keys sort by publication time, then by a random nonce: the due ones come first, and one
  // day's changes come in an order that says nothing about the order they were made in.
  auto status = store_.Scan(
      storage::Cf::kIndex, prefix, "", [&](std::string_view key, std::string_view value) {
        storage::KeyReader reader(key.substr(prefix.size()));
        auto publish_after = reader.I64();
        if (publish_after && *publish_after > now) return false;
        if (published == kBatch) {
          *more = true;
          return false;
        }
        internal::v1::ChangeRecord change;
        if (!publish_after ||
            !change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          inner = absl::DataLossError("unparseable deferred change " + std::string(key));
          return false;
        }
        // Dated to when it became due (a local midnight), not to this pass's minute.
        *change.mutable_commit_time() = ToTimestamp(*publish_after);
        writes.AddChange(tenant, std::move(change));
        writes.Delete(storage::Cf::kIndex, std::string(key));
        ++published;
        return true;
      });
  if (!status.ok()) return status;
  if (!inner.ok()) return inner;
  if (published == 0) return published;
  if (auto committed = store_.Commit(std::move(writes)); !committed.ok()) return committed;
  return published;
}

absl::StatusOr<uint64_t> DeferredChanges::PublishNow() {
  std::lock_guard publish_lock(publish_mu_);
  const int64_t now = clock_.NowMicros();
  uint64_t total = 0;
  std::optional<uint32_t> tenant = 0;
  for (;;) {
    auto next = NextTenant(store_, *tenant);
    if (!next.ok()) return next.status();
    if (!*next) break;
    tenant = *next;
    for (bool more = true; more;) {
      if (timer_.Stopping()) return total;
      auto published = PublishTenant(*tenant, now, &more);
      if (!published.ok()) return published.status();
      total += *published;
    }
  }
  return total;
}

void DeferredChanges::Start(int64_t interval_micros) {
  timer_.Start(interval_micros, [this] { RunOnTimer(); });
}

void DeferredChanges::RunOnTimer() {
  if (!store_.LeadsBackgroundWork()) return;  // another server of the database runs it
  auto published = PublishNow();
  // The count is logged (the feed shows it too); never which letters.
  if (!published.ok()) {
    spdlog::warn("deferred changes: {}", published.status().ToString());
  } else if (*published > 0) {
    spdlog::info("deferred changes: published {}", *published);
  }
}

}  // namespace branchline
