#include "services/sync/change_reader.h"

#include <algorithm>
#include <map>

#include "services/auth/access.h"
#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

namespace {
// Whether an organisation-addressed change reaches a member whose organisation chain (their
// organisation and its ancestors) is `org_chain`: a member-visible kind, and the member inside
// its audience when it names one (a meeting for one group of a branch), a party member when it
// is for party members only.
bool ReachesMember(const internal::v1::ChangeRecord& change, const std::vector<uint64_t>& org_chain,
                   bool party_member) {
  if (!MemberVisibleKind(change.kind())) return false;
  if (change.members_only() && !party_member) return false;
  // Addressed to people only (older logs also indexed such a notice for the whole
  // organisation): those people read it through their own index.
  if (change.audience_organization_ids().empty()) return change.person_ids().empty();
  for (uint64_t audience : change.audience_organization_ids()) {
    if (std::find(org_chain.begin(), org_chain.end(), audience) != org_chain.end()) return true;
  }
  return false;
}
}  // namespace

absl::StatusOr<ChangePage> ChangeReader::ForPerson(uint64_t person_id,
                                                   const std::vector<uint64_t>& org_chain,
                                                   bool party_member, uint64_t after,
                                                   int limit) const {
  const uint64_t stable = store_.StableChangeSequence();
  const uint32_t tenant = storage::TenantOfId(person_id);
  // Each source (the person's index and each organisation's) is sorted by sequence, so the
  // first `limit` of their union are among the first `limit` of each.
  std::map<uint64_t, internal::v1::ChangeRecord> picked;
  bool truncated = false;
  absl::Status inner;
  // Reads one index's entries with sequences in (from, through] (Scan starts after `from`).
  auto read_source = [&](const std::string& prefix, bool personal, uint64_t from,
                         uint64_t through) -> absl::Status {
    int taken = 0;
    std::string start = storage::KeyBuilder().Raw(prefix).U64(from).key();
    return store_.Scan(
        storage::Cf::kIndex, prefix, start, [&](std::string_view key, std::string_view kind) {
          inner = CancellationCheckpoint();
          if (!inner.ok()) return false;
          uint64_t seq = storage::TrailingId(key);
          if (seq > through) return false;
          // Organisation entries name their kind (schema 2 gave the older entries theirs,
          // storage/migrations.cc): skip what members never see without reading the change.
          if (!personal && !MemberVisibleKind(kind)) return true;
          if (taken == limit) {
            truncated = true;
            return false;
          }
          if (picked.count(seq)) {
            ++taken;
            return true;
          }
          internal::v1::ChangeRecord change;
          auto found =
              store_.GetMessage(storage::Cf::kChanges, storage::ChangeKey(tenant, seq), &change);
          if (!found.ok()) {
            inner = found.status();
            return false;
          }
          if (*found && (personal || ReachesMember(change, org_chain, party_member))) {
            picked.emplace(seq, std::move(change));
            ++taken;
          }
          return true;
        });
  };
  RETURN_IF_ERROR(read_source(storage::ChangeByPersonPrefix(person_id), true, after, stable));
  RETURN_IF_ERROR(inner);
  // Organisations: their members' index, so a pull never steps over the check-ins and study
  // records of a busy branch. It holds every organisation change since schema 2 (whose
  // migration indexed the older ones: Store::MembersChangeIndexFrom() is 0).
  for (uint64_t org : org_chain) {
    RETURN_IF_ERROR(read_source(storage::ChangeForMembersByOrgPrefix(org), false, after, stable));
    RETURN_IF_ERROR(inner);
  }
  ChangePage page;
  for (auto& [seq, change] : picked) {
    if (static_cast<int>(page.changes.size()) == limit) {
      page.has_more = true;
      break;
    }
    page.changes.push_back(std::move(change));
  }
  page.has_more = page.has_more || truncated;
  page.next_sequence = page.has_more ? page.changes.back().sequence() : stable;
  return page;
}

absl::StatusOr<ChangePage> ChangeReader::ForSubtree(const v1::Organization& root, uint64_t after,
                                                    int limit) const {
  const uint64_t stable = store_.StableChangeSequence();
  const uint32_t tenant = storage::TenantOfId(root.id());
  std::map<uint64_t, bool> in_subtree;  // organisation id -> lies under root
  ChangePage page;
  absl::Status inner;
  std::string prefix = storage::KeyBuilder(tenant).key();
  RETURN_IF_ERROR(store_.Scan(
      storage::Cf::kChanges, prefix, storage::ChangeKey(tenant, after),
      [&](std::string_view, std::string_view value) {
        inner = CancellationCheckpoint();
        if (!inner.ok()) return false;
        internal::v1::ChangeRecord change;
        if (!change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          inner = absl::DataLossError("unparseable change record");
          return false;
        }
        if (change.sequence() > stable) return false;
        if (static_cast<int>(page.changes.size()) == limit) {
          page.has_more = true;
          return false;
        }
        auto [it, fresh] = in_subtree.try_emplace(change.organization_id(), false);
        if (fresh) {
          v1::Organization org;
          auto found = store_.GetMessage(storage::Cf::kOrganizations,
                                         storage::RecordKey(change.organization_id()), &org);
          it->second = found.ok() && *found && Access::InSubtree(org, root.id());
        }
        if (it->second) page.changes.push_back(std::move(change));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  page.next_sequence = page.has_more ? page.changes.back().sequence() : stable;
  return page;
}

}  // namespace branchline
