#include "storage/change_pruning.h"

#include <map>
#include <optional>

#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline::storage {

namespace {

// The first tenant after `after` that has change-log entries.
absl::StatusOr<std::optional<uint32_t>> NextTenant(const Store& store, uint32_t after) {
  std::optional<uint32_t> next;
  auto status = store.Scan(Cf::kChanges, "", KeyBuilder(after).U64(UINT64_MAX).key(),
                           [&](std::string_view key, std::string_view) {
                             next = KeyReader(key).U32();
                             return false;
                           });
  if (!status.ok()) return status;
  return next;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1'000;
}

}  // namespace

absl::StatusOr<PruneResult> PruneChanges(Store& store, int64_t horizon_micros, size_t max_changes) {
  PruneResult result;
  const uint64_t stable = store.StableChangeSequence();
  WriteSet writes;
  std::map<uint32_t, uint64_t> marks;  // tenant -> highest sequence deleted by this write
  absl::Status inner;
  uint32_t tenant = 0;
  while (result.deleted < max_changes) {
    auto next = NextTenant(store, tenant);
    if (!next.ok()) return next.status();
    if (!*next) break;
    tenant = **next;
    // Start after the mark: the deleted range below it is tombstones a scan would wade through.
    const uint64_t from = store.ChangesPrunedThrough(tenant);
    auto status = store.Scan(
        Cf::kChanges, KeyBuilder(tenant).key(), ChangeKey(tenant, from),
        [&](std::string_view key, std::string_view value) {
          internal::v1::ChangeRecord change;
          if (!change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            inner = absl::DataLossError("unparseable change record");
            return false;
          }
          if (change.sequence() > stable || Micros(change.commit_time()) >= horizon_micros) {
            return false;
          }
          if (result.deleted == max_changes) {
            result.more = true;
            return false;
          }
          writes.Delete(Cf::kChanges, std::string(key));
          if (change.organization_id()) {
            writes.Delete(Cf::kIndex, ChangeByOrgKey(change.organization_id(), change.sequence()));
            // Also without members_see: the schema 2 migration indexed every organisation
            // change older than the members' index there (storage/migrations.cc).
            writes.Delete(Cf::kIndex,
                          ChangeForMembersByOrgKey(change.organization_id(), change.sequence()));
          }
          for (uint64_t person : change.person_ids()) {
            writes.Delete(Cf::kIndex, ChangeByPersonKey(person, change.sequence()));
          }
          marks[tenant] = change.sequence();
          ++result.deleted;
          return true;
        });
    if (!status.ok()) return status;
    if (!inner.ok()) return inner;
  }
  if (result.deleted == max_changes) result.more = true;  // other tenants may have more
  if (marks.empty()) return result;
  for (const auto& [t, sequence] : marks) {
    writes.Put(Cf::kMeta, ChangesPrunedKey(t), KeyBuilder().U64(sequence).key());
    store.RaiseChangesPrunedThrough(t, sequence);  // before the deletions become visible
  }
  auto status = store.Commit(std::move(writes));
  if (!status.ok()) return status;
  return result;
}

}  // namespace branchline::storage
