#include "services/org/org_tree.h"

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr int32_t kDefaultTenantOffset = 480;  // China Standard Time, UTC+8
constexpr std::string_view kKind = "organization";

void StageIndexes(storage::WriteSet& w, const v1::Organization& org) {
  if (org.parent_id())
    w.Put(storage::Cf::kIndex, storage::OrgChildKey(org.parent_id(), org.id()), "");
  for (uint64_t a : org.ancestor_ids()) {
    w.Put(storage::Cf::kIndex, storage::OrgDescendantKey(a, org.id()), "");
  }
}
void DeleteIndexes(storage::WriteSet& w, const v1::Organization& org) {
  if (org.parent_id())
    w.Delete(storage::Cf::kIndex, storage::OrgChildKey(org.parent_id(), org.id()));
  for (uint64_t a : org.ancestor_ids()) {
    w.Delete(storage::Cf::kIndex, storage::OrgDescendantKey(a, org.id()));
  }
}
}  // namespace

absl::Status ValidateOrganization(const v1::Organization& org, std::string_view prefix) {
  std::string p(prefix);
  RETURN_IF_ERROR(CheckText(p + "name", TrimAscii(org.name()), 1, 100));
  if (!v1::OrganizationKind_IsValid(org.kind()) ||
      org.kind() == v1::ORGANIZATION_KIND_UNSPECIFIED) {
    return InvalidField(p + "kind", "must be one of COMPANY, COMMITTEE, BRANCH, GROUP, TEAM");
  }
  if (org.has_utc_offset_minutes() &&
      (org.utc_offset_minutes() < -720 || org.utc_offset_minutes() > 840)) {
    return InvalidField(p + "utc_offset_minutes", "must be between -720 and 840");
  }
  return absl::OkStatus();
}

std::string OrgTree::TreeLockKey(uint32_t tenant) const {
  return storage::KeyBuilder(tenant).Str("org-tree").key();
}

absl::StatusOr<v1::Organization> OrgTree::StageTenantRoot(Mutation& m, v1::Organization org) {
  RETURN_IF_ERROR(ValidateOrganization(org, "organization."));
  ASSIGN_OR_RETURN(uint32_t tenant, store_.NewTenant());
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(tenant));
  int64_t now = clock_.NowMicros();
  v1::Organization root;
  root.set_id(id);
  root.set_tenant_id(tenant);
  root.set_name(std::string(TrimAscii(org.name())));
  root.set_kind(org.kind());
  root.set_utc_offset_minutes(org.has_utc_offset_minutes() ? org.utc_offset_minutes()
                                                           : kDefaultTenantOffset);
  *root.mutable_create_time() = ToTimestamp(now);
  *root.mutable_update_time() = ToTimestamp(now);
  m.writes().PutMessage(storage::Cf::kOrganizations, storage::RecordKey(id), root);
  RecordChange(m.writes(), kKind, id, id, "created");
  return root;
}

absl::StatusOr<v1::Organization> OrgTree::StageCreate(Mutation& m, const Caller& caller,
                                                      v1::Organization org) {
  RETURN_IF_ERROR(ValidateOrganization(org, "organization."));
  if (org.parent_id() == 0) {
    if (!caller.system_admin) {
      return Denied("creating a tenant (an organization without parent) needs a system admin");
    }
    return StageTenantRoot(m, std::move(org));
  }
  m.Lock({TreeLockKey(storage::TenantOfId(org.parent_id()))});
  ASSIGN_OR_RETURN(auto parent, access_.LoadOrg(caller, org.parent_id(), "organization.parent_id"));
  RETURN_IF_ERROR(Access::RequireManage(caller, parent, "creating an organization"));
  if (parent.archived()) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                            "organization.parent_id", "parent organization is archived");
  }
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(parent.id())));
  int64_t now = clock_.NowMicros();
  v1::Organization created;
  created.set_id(id);
  created.set_parent_id(parent.id());
  *created.mutable_ancestor_ids() = parent.ancestor_ids();
  created.add_ancestor_ids(parent.id());
  created.set_tenant_id(parent.tenant_id());
  created.set_name(std::string(TrimAscii(org.name())));
  created.set_kind(org.kind());
  created.set_utc_offset_minutes(org.has_utc_offset_minutes() ? org.utc_offset_minutes()
                                                              : parent.utc_offset_minutes());
  *created.mutable_create_time() = ToTimestamp(now);
  *created.mutable_update_time() = ToTimestamp(now);
  m.writes().PutMessage(storage::Cf::kOrganizations, storage::RecordKey(id), created);
  StageIndexes(m.writes(), created);
  RecordChange(m.writes(), kKind, id, id, "created");
  return created;
}

absl::StatusOr<v1::Organization> OrgTree::Create(const Caller& caller,
                                                 const v1::CreateOrganizationRequest& request) {
  return RunIdempotent<v1::Organization>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateOrganization"},
      request, clock_.NowMicros(),
      [&](Mutation& m) { return StageCreate(m, caller, request.organization()); });
}

absl::StatusOr<v1::Organization> OrgTree::Get(const Caller& caller,
                                              const v1::GetOrganizationRequest& request) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.id(), "id"));
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_PEOPLE_READ)) {
    return org;
  }
  // Members may read their own organisation and its ancestors (service accounts only what
  // their scopes allow).
  if (caller.service_account) return Denied("reading organization " + std::to_string(org.id()));
  if (caller.organization_id == org.id()) return org;
  auto own = access_.LoadOrg(caller, caller.organization_id, "caller");
  if (own.ok() && Access::InSubtree(*own, org.id())) return org;
  return Denied("reading organization " + std::to_string(org.id()));
}

absl::StatusOr<v1::ListOrganizationsResponse> OrgTree::List(
    const Caller& caller, const v1::ListOrganizationsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto parent, access_.LoadOrg(caller, request.parent_id(), "parent_id"));
  if (!Access::Manages(caller, parent) &&
      !Access::ServiceMay(caller, parent, v1::SCOPE_PEOPLE_READ)) {
    return Denied("listing organizations below " + std::to_string(parent.id()));
  }
  std::string prefix = request.include_descendants() ? storage::OrgDescendantPrefix(parent.id())
                                                     : storage::OrgChildPrefix(parent.id());
  v1::ListOrganizationsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::Organization org;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kOrganizations,
                                       storage::RecordKey(storage::TrailingId(key)), &org));
                 if (!found || (org.archived() && !request.show_archived())) return false;
                 *response.add_organizations() = std::move(org);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::Organization> OrgTree::Update(const Caller& caller,
                                                 const v1::UpdateOrganizationRequest& request) {
  return RunIdempotent<v1::Organization>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateOrganization"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Organization> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(CheckUpdateMask(mask, {"name", "kind", "utc_offset_minutes"}));
        const auto& in = request.organization();
        m.Lock({storage::RecordKey(in.id())});
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, in.id(), "organization.id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "updating an organization"));
        if (MaskHas(mask, "name")) org.set_name(std::string(TrimAscii(in.name())));
        if (MaskHas(mask, "kind")) org.set_kind(in.kind());
        if (MaskHas(mask, "utc_offset_minutes")) {
          if (!in.has_utc_offset_minutes()) {
            return InvalidField("organization.utc_offset_minutes", "is required by update_mask");
          }
          org.set_utc_offset_minutes(in.utc_offset_minutes());
        }
        RETURN_IF_ERROR(ValidateOrganization(org, "organization."));
        *org.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kOrganizations, storage::RecordKey(org.id()), org);
        RecordChange(m.writes(), kKind, org.id(), org.id(), "updated");
        return org;
      });
}

absl::StatusOr<v1::Organization> OrgTree::Move(const Caller& caller,
                                               const v1::MoveOrganizationRequest& request) {
  return RunIdempotent<v1::Organization>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "MoveOrganization"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Organization> {
        if (request.id() == 0) return InvalidField("id", "is required");
        m.Lock({TreeLockKey(storage::TenantOfId(request.id()))});
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto parent,
                         access_.LoadOrg(caller, request.new_parent_id(), "new_parent_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "moving an organization"));
        RETURN_IF_ERROR(Access::RequireManage(caller, parent, "moving an organization here"));
        if (org.parent_id() == 0) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kTenantRootFixed,
                                  "id", "a tenant root cannot be moved");
        }
        if (parent.tenant_id() != org.tenant_id()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                  reasons::kParentInOtherTenant, "new_parent_id",
                                  "is in another tenant");
        }
        if (Access::InSubtree(parent, org.id())) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                  reasons::kMoveIntoOwnSubtree, "new_parent_id",
                                  "lies inside the organization being moved");
        }
        if (parent.archived()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                  reasons::kOrganizationArchived, "new_parent_id", "is archived");
        }
        if (parent.id() == org.parent_id()) return org;

        // Collect the subtree first: index writes below must not disturb the scan.
        std::vector<v1::Organization> subtree;
        absl::Status inner;
        RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(org.id()), "",
                                    [&](std::string_view key, std::string_view) {
                                      v1::Organization d;
                                      auto found = store_.GetMessage(
                                          storage::Cf::kOrganizations,
                                          storage::RecordKey(storage::TrailingId(key)), &d);
                                      if (!found.ok()) {
                                        inner = found.status();
                                        return false;
                                      }
                                      if (*found) subtree.push_back(std::move(d));
                                      return true;
                                    }));
        RETURN_IF_ERROR(inner);

        auto& w = m.writes();
        int64_t now = clock_.NowMicros();
        const int old_depth = org.ancestor_ids_size();
        google::protobuf::RepeatedField<uint64_t> new_prefix = parent.ancestor_ids();
        new_prefix.Add(parent.id());
        auto rebase = [&](v1::Organization& o) {
          DeleteIndexes(w, o);
          google::protobuf::RepeatedField<uint64_t> ancestors = new_prefix;
          for (int i = old_depth; i < o.ancestor_ids_size(); ++i) ancestors.Add(o.ancestor_ids(i));
          *o.mutable_ancestor_ids() = ancestors;
        };
        rebase(org);
        org.set_parent_id(parent.id());
        *org.mutable_update_time() = ToTimestamp(now);
        StageIndexes(w, org);
        w.PutMessage(storage::Cf::kOrganizations, storage::RecordKey(org.id()), org);
        RecordChange(w, kKind, org.id(), org.id(), "moved");
        for (auto& d : subtree) {
          rebase(d);
          *d.mutable_update_time() = ToTimestamp(now);
          StageIndexes(w, d);
          w.PutMessage(storage::Cf::kOrganizations, storage::RecordKey(d.id()), d);
          RecordChange(w, kKind, d.id(), d.id(), "moved");
        }
        return org;
      });
}

absl::StatusOr<v1::Organization> OrgTree::Archive(const Caller& caller,
                                                  const v1::ArchiveOrganizationRequest& request) {
  return RunIdempotent<v1::Organization>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ArchiveOrganization"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Organization> {
        if (request.id() == 0) return InvalidField("id", "is required");
        m.Lock({TreeLockKey(storage::TenantOfId(request.id()))});
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "archiving an organization"));
        if (org.parent_id() == 0) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kTenantRootFixed,
                                  "id", "a tenant root cannot be archived");
        }
        if (org.archived()) return org;
        bool active_child = false;
        absl::Status inner;
        RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgChildPrefix(org.id()), "",
                                    [&](std::string_view key, std::string_view) {
                                      v1::Organization child;
                                      auto found = store_.GetMessage(
                                          storage::Cf::kOrganizations,
                                          storage::RecordKey(storage::TrailingId(key)), &child);
                                      if (!found.ok()) inner = found.status();
                                      active_child = found.ok() && *found && !child.archived();
                                      return found.ok() && !active_child;
                                    }));
        RETURN_IF_ERROR(inner);
        if (active_child) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                  reasons::kOrganizationHasActiveChildren, "id",
                                  "has organizations below it that are not archived");
        }
        org.set_archived(true);
        *org.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kOrganizations, storage::RecordKey(org.id()), org);
        RecordChange(m.writes(), kKind, org.id(), org.id(), "archived");
        return org;
      });
}

}  // namespace branchline
