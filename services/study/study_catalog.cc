#include "services/study/study_catalog.h"

#include <optional>
#include <set>

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/study/study_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr int kMaxPlanItems = 200;
constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;

bool ValidKind(v1::MaterialKind kind) {
  return v1::MaterialKind_IsValid(kind) && kind != v1::MATERIAL_KIND_UNSPECIFIED;
}

// An item as one person of its audience sees it: a list of people shows them alone (the
// others' ids are not theirs to know).
v1::StudyPlanItem ItemAsSeenBy(v1::StudyPlanItem item, uint64_t person_id) {
  if (item.audience().person_ids_size() > 0) {
    item.mutable_audience()->clear_person_ids();
    item.mutable_audience()->add_person_ids(person_id);
  }
  return item;
}

// A plan as a member who does not manage or report on its organisation sees it: only the items
// meant for them, as ItemAsSeenBy shows them.
v1::StudyPlan PlanAsSeenBy(const v1::StudyPlan& plan, uint64_t person_id, v1::Role role,
                           const v1::Organization& person_org) {
  v1::StudyPlan seen = plan;
  seen.clear_items();
  for (const auto& item : plan.items()) {
    if (Access::InAudience(item.audience(), person_id, role, person_org)) {
      *seen.add_items() = ItemAsSeenBy(item, person_id);
    }
  }
  return seen;
}

// Whom a plan's changes reach through ListChanges: the audiences of its items (an item for
// the whole organisation: every member). A plan whose items are all for listed people is
// theirs alone.
Addressees PlanAddressees(const v1::StudyPlan& plan) {
  Addressees to;
  for (const auto& item : plan.items()) to.Add(item.audience(), plan.organization_id());
  return to;
}

void StageMaterialIndexes(storage::WriteSet& w, const v1::Material& m, bool remove,
                          const v1::Organization& owner) {
  auto kind = static_cast<uint8_t>(m.kind());
  auto put = [&](std::string key) {
    if (remove) {
      w.Delete(storage::Cf::kIndex, std::move(key));
    } else {
      w.Put(storage::Cf::kIndex, std::move(key), "");
    }
  };
  put(storage::MaterialByOrgKey(owner.id(), kind, m.id()));
  for (uint64_t org : StudyData::SelfAndAncestors(owner)) {
    put(storage::MaterialBySubtreeKey(org, kind, m.id()));
  }
}

// The current local year of an organisation.
int32_t CurrentYear(int64_t now, const v1::Organization& org) {
  return YearOfDay(LocalDay(now, org.utc_offset_minutes()));
}
}  // namespace

absl::Status StudyCatalog::ValidateMaterial(const v1::Material& m) const {
  if (!ValidKind(m.kind())) {
    return InvalidField("material.kind", "must be one of DOCUMENT, VIDEO, LECTURE, BOOK");
  }
  RETURN_IF_ERROR(CheckText("material.title", TrimAscii(m.title()), 1, 200));
  RETURN_IF_ERROR(CheckText("material.body", m.body(), 0, 100'000, /*multiline=*/true));
  if (!m.link().empty()) {
    RETURN_IF_ERROR(CheckText("material.link", m.link(), 1, 2000));
    if (m.link().rfind("http://", 0) != 0 && m.link().rfind("https://", 0) != 0) {
      return InvalidField("material.link", "must start with http:// or https://");
    }
  }
  if (m.body().empty() && m.link().empty()) {
    return InvalidField("material.body", "a body or a link is required");
  }
  if (m.estimated_minutes() < 0 || m.estimated_minutes() > 6000) {
    return InvalidField("material.estimated_minutes", "must be 0..6000");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Material> StudyCatalog::CreateMaterial(
    const Caller& caller, const v1::CreateMaterialRequest& request) {
  // Only client-settable fields are copied: ids, flags and times are server-owned.
  v1::Material m;
  const auto& in = request.material();
  m.set_organization_id(in.organization_id());
  m.set_kind(in.kind());
  m.set_title(std::string(TrimAscii(in.title())));
  m.set_body(in.body());
  m.set_link(in.link());
  m.set_estimated_minutes(in.estimated_minutes());
  RETURN_IF_ERROR(ValidateMaterial(m));
  return RunIdempotent<v1::Material>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateMaterial"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::Material> {
        ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, m.organization_id(),
                                                          "material.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating a material"));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
        v1::Material created = m;
        created.set_id(id);
        int64_t now = clock_.NowMicros();
        *created.mutable_create_time() = ToTimestamp(now);
        *created.mutable_update_time() = ToTimestamp(now);
        mu.writes().PutMessage(storage::Cf::kMaterials, storage::RecordKey(id), created);
        StageMaterialIndexes(mu.writes(), created, /*remove=*/false, org);
        RecordChange(mu.writes(), "material", id, org.id(), "created");
        return created;
      });
}

absl::StatusOr<v1::Material> StudyCatalog::GetMaterial(
    const Caller& caller, const v1::GetMaterialRequest& request) const {
  ASSIGN_OR_RETURN(auto m, data_.Load<v1::Material>(caller, storage::Cf::kMaterials, request.id(),
                                                    "id", "material"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, m.organization_id(), "id"));
  if (!data_.MayRead(caller, org)) return Denied("reading material " + std::to_string(m.id()));
  return m;
}

absl::StatusOr<v1::ListMaterialsResponse> StudyCatalog::ListMaterials(
    const Caller& caller, const v1::ListMaterialsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.kind() != v1::MATERIAL_KIND_UNSPECIFIED && !ValidKind(request.kind())) {
    return InvalidField("kind", "is not a known kind");
  }
  ASSIGN_OR_RETURN(auto org,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  bool allowed = request.include_descendants() ? StudyData::MayReport(caller, org)
                                               : data_.MayRead(caller, org);
  if (!allowed) return Denied("listing materials of organization " + std::to_string(org.id()));
  auto index = request.include_descendants() ? storage::Index::kMaterialBySubtree
                                             : storage::Index::kMaterialByOrg;
  std::string prefix =
      storage::MaterialPrefix(index, org.id(), static_cast<uint8_t>(request.kind()));
  v1::ListMaterialsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::Material m;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kMaterials,
                                       storage::RecordKey(storage::TrailingId(key)), &m));
                 if (!found || (m.archived() && !request.show_archived())) return false;
                 *response.add_materials() = std::move(m);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::Material> StudyCatalog::UpdateMaterial(
    const Caller& caller, const v1::UpdateMaterialRequest& request) {
  const auto& mask = request.update_mask();
  RETURN_IF_ERROR(CheckUpdateMask(mask, {"kind", "title", "body", "link", "estimated_minutes"}));
  const auto& in = request.material();
  return RunIdempotent<v1::Material>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateMaterial"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::Material> {
        mu.Lock({storage::RecordKey(in.id())});
        ASSIGN_OR_RETURN(auto current,
                         data_.Load<v1::Material>(caller, storage::Cf::kMaterials, in.id(),
                                                  "material.id", "material"));
        ASSIGN_OR_RETURN(auto org,
                         data_.access().LoadOrg(caller, current.organization_id(), "material.id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "updating a material"));
        v1::Material m = current;
        if (MaskHas(mask, "kind")) m.set_kind(in.kind());
        if (MaskHas(mask, "title")) m.set_title(std::string(TrimAscii(in.title())));
        if (MaskHas(mask, "body")) m.set_body(in.body());
        if (MaskHas(mask, "link")) m.set_link(in.link());
        if (MaskHas(mask, "estimated_minutes")) m.set_estimated_minutes(in.estimated_minutes());
        RETURN_IF_ERROR(ValidateMaterial(m));
        *m.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        if (m.kind() != current.kind()) {
          StageMaterialIndexes(mu.writes(), current, /*remove=*/true, org);
          StageMaterialIndexes(mu.writes(), m, /*remove=*/false, org);
        }
        mu.writes().PutMessage(storage::Cf::kMaterials, storage::RecordKey(m.id()), m);
        RecordChange(mu.writes(), "material", m.id(), org.id(), "updated");
        return m;
      });
}

absl::StatusOr<v1::Material> StudyCatalog::ArchiveMaterial(
    const Caller& caller, const v1::ArchiveMaterialRequest& request) {
  return RunIdempotent<v1::Material>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ArchiveMaterial"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::Material> {
        mu.Lock({storage::RecordKey(request.id())});
        ASSIGN_OR_RETURN(auto m, data_.Load<v1::Material>(caller, storage::Cf::kMaterials,
                                                          request.id(), "id", "material"));
        ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, m.organization_id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "archiving a material"));
        if (m.archived()) return m;
        m.set_archived(true);
        *m.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        mu.writes().PutMessage(storage::Cf::kMaterials, storage::RecordKey(m.id()), m);
        RecordChange(mu.writes(), "material", m.id(), org.id(), "archived");
        return m;
      });
}

absl::Status StudyCatalog::CheckItems(const Caller& caller, const v1::Organization& owner,
                                      v1::StudyPlan& plan, const v1::StudyPlan* previous) {
  if (plan.items_size() < 1 || plan.items_size() > kMaxPlanItems) {
    return InvalidField("plan.items", "must list 1..200 items");
  }
  std::set<uint64_t> old_ids;
  if (previous) {
    for (const auto& item : previous->items()) old_ids.insert(item.id());
  }
  std::set<uint64_t> seen;
  int64_t first_day = CivilToDay(plan.year(), 1, 1);
  int64_t last_day = CivilToDay(plan.year(), 12, 31);
  for (int i = 0; i < plan.items_size(); ++i) {
    auto* item = plan.mutable_items(i);
    std::string f = "plan.items[" + std::to_string(i) + "]";
    if (item->id() != 0 && (!old_ids.count(item->id()) || !seen.insert(item->id()).second)) {
      return InvalidField(f + ".id", "is not an item of this plan (send 0 for a new item)");
    }
    if (item->material_id() != 0) {
      ASSIGN_OR_RETURN(
          auto m, data_.Load<v1::Material>(caller, storage::Cf::kMaterials, item->material_id(),
                                           f + ".material_id", "material"));
      ASSIGN_OR_RETURN(auto morg,
                       data_.access().LoadOrg(caller, m.organization_id(), f + ".material_id"));
      // A plan may use its own organisation's materials and those published above it.
      if (!Access::InSubtree(owner, morg.id())) {
        return InvalidField(f + ".material_id",
                            "must belong to the plan's organization or one above it");
      }
      if (m.archived()) {
        return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kMaterialArchived,
                       f + ".material_id");
      }
      if (!item->topic().empty()) RETURN_IF_ERROR(CheckText(f + ".topic", item->topic(), 1, 200));
    } else {
      RETURN_IF_ERROR(CheckText(f + ".topic", TrimAscii(item->topic()), 1, 200));
      item->set_topic(std::string(TrimAscii(item->topic())));
    }
    if (item->required_minutes() < 1 || item->required_minutes() > 6000) {
      return InvalidField(f + ".required_minutes", "must be 1..6000");
    }
    auto due = ParseLocalDate(item->due_date());
    if (!due) return InvalidField(f + ".due_date", "must be a date YYYY-MM-DD");
    if (*due < first_day || *due > last_day) {
      return InvalidField(f + ".due_date", "must lie in the plan's year");
    }
    ASSIGN_OR_RETURN(
        *item->mutable_audience(),
        data_.access().CheckAudience(caller, item->audience(), owner, f + ".audience"));
    if (item->id() == 0) {
      ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(owner.id())));
      item->set_id(id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StudyPlan> StudyCatalog::CreatePlan(const Caller& caller,
                                                       const v1::CreateStudyPlanRequest& request) {
  const auto& in = request.plan();
  if (in.year() < kMinYear || in.year() > kMaxYear) {
    return InvalidField("plan.year", "must be 2000..2100");
  }
  RETURN_IF_ERROR(CheckText("plan.title", TrimAscii(in.title()), 1, 200));
  return RunIdempotent<v1::StudyPlan>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateStudyPlan"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::StudyPlan> {
        ASSIGN_OR_RETURN(
            auto org, data_.access().LoadOrg(caller, in.organization_id(), "plan.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating a study plan"));
        // One plan per organisation and year: the index prefix is the uniqueness lock.
        std::string unique = storage::StudyPlanPrefix(storage::Index::kStudyPlanByOrg, org.id(),
                                                      static_cast<uint32_t>(in.year()));
        mu.Lock({unique});
        bool exists = false;
        RETURN_IF_ERROR(
            store_.Scan(storage::Cf::kIndex, unique, "", [&](std::string_view, std::string_view) {
              exists = true;
              return false;
            }));
        if (exists) {
          return Refusal(absl::StatusCode::kAlreadyExists, reasons::kStudyPlanExists, "plan.year");
        }
        v1::StudyPlan plan;
        plan.set_organization_id(org.id());
        plan.set_year(in.year());
        plan.set_title(std::string(TrimAscii(in.title())));
        *plan.mutable_items() = in.items();
        for (auto& item : *plan.mutable_items()) item.set_id(0);  // server-owned
        RETURN_IF_ERROR(CheckItems(caller, org, plan, nullptr));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
        plan.set_id(id);
        int64_t now = clock_.NowMicros();
        *plan.mutable_create_time() = ToTimestamp(now);
        *plan.mutable_update_time() = ToTimestamp(now);
        auto& w = mu.writes();
        w.PutMessage(storage::Cf::kStudyPlans, storage::RecordKey(id), plan);
        auto year = static_cast<uint32_t>(plan.year());
        w.Put(storage::Cf::kIndex,
              storage::StudyPlanKey(storage::Index::kStudyPlanByOrg, org.id(), year, id), "");
        for (uint64_t a : StudyData::SelfAndAncestors(org)) {
          w.Put(storage::Cf::kIndex,
                storage::StudyPlanKey(storage::Index::kStudyPlanBySubtree, a, year, id), "");
        }
        RecordAudienceChange(w, "study_plan", id, org.id(), "created", PlanAddressees(plan));
        return plan;
      });
}

absl::StatusOr<v1::StudyPlan> StudyCatalog::GetPlan(const Caller& caller,
                                                    const v1::GetStudyPlanRequest& request) const {
  ASSIGN_OR_RETURN(auto plan, data_.Load<v1::StudyPlan>(caller, storage::Cf::kStudyPlans,
                                                        request.id(), "id", "study plan"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, plan.organization_id(), "id"));
  if (!data_.MayRead(caller, org)) return Denied("reading study plan " + std::to_string(plan.id()));
  if (StudyData::MayReport(caller, org)) return plan;
  ASSIGN_OR_RETURN(auto own, data_.access().LoadOrg(caller, caller.organization_id, "caller"));
  return PlanAsSeenBy(plan, caller.person_id, caller.role, own);
}

absl::StatusOr<v1::ListStudyPlansResponse> StudyCatalog::ListPlans(
    const Caller& caller, const v1::ListStudyPlansRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.year() < kMinYear || request.year() > kMaxYear) {
    return InvalidField("year", "must be 2000..2100");
  }
  ASSIGN_OR_RETURN(auto org,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  bool allowed = request.include_descendants() ? StudyData::MayReport(caller, org)
                                               : data_.MayRead(caller, org);
  if (!allowed) return Denied("listing study plans of organization " + std::to_string(org.id()));
  // A member sees each plan's items meant for them only (as GetStudyPlan shows them).
  std::optional<v1::Organization> member_org;
  if (!StudyData::MayReport(caller, org)) {
    ASSIGN_OR_RETURN(member_org, data_.access().LoadOrg(caller, caller.organization_id, "caller"));
  }
  auto index = request.include_descendants() ? storage::Index::kStudyPlanBySubtree
                                             : storage::Index::kStudyPlanByOrg;
  std::string prefix =
      storage::StudyPlanPrefix(index, org.id(), static_cast<uint32_t>(request.year()));
  v1::ListStudyPlansResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::StudyPlan plan;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kStudyPlans,
                                       storage::RecordKey(storage::TrailingId(key)), &plan));
                 if (!found) return false;
                 *response.add_plans() =
                     member_org ? PlanAsSeenBy(plan, caller.person_id, caller.role, *member_org)
                                : std::move(plan);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::StudyPlan> StudyCatalog::UpdatePlan(const Caller& caller,
                                                       const v1::UpdateStudyPlanRequest& request) {
  const auto& mask = request.update_mask();
  RETURN_IF_ERROR(CheckUpdateMask(mask, {"title", "items"}));
  const auto& in = request.plan();
  return RunIdempotent<v1::StudyPlan>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateStudyPlan"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::StudyPlan> {
        mu.Lock({storage::RecordKey(in.id())});
        ASSIGN_OR_RETURN(auto current, data_.Load<v1::StudyPlan>(caller, storage::Cf::kStudyPlans,
                                                                 in.id(), "plan.id", "study plan"));
        ASSIGN_OR_RETURN(auto org,
                         data_.access().LoadOrg(caller, current.organization_id(), "plan.id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "updating a study plan"));
        v1::StudyPlan plan = current;
        if (MaskHas(mask, "title")) {
          RETURN_IF_ERROR(CheckText("plan.title", TrimAscii(in.title()), 1, 200));
          plan.set_title(std::string(TrimAscii(in.title())));
        }
        if (MaskHas(mask, "items")) {
          *plan.mutable_items() = in.items();
          RETURN_IF_ERROR(CheckItems(caller, org, plan, &current));
        }
        *plan.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        mu.writes().PutMessage(storage::Cf::kStudyPlans, storage::RecordKey(plan.id()), plan);
        // Those whose items were taken off are told too: their copy is stale.
        auto to = PlanAddressees(plan);
        to.Merge(PlanAddressees(current));
        RecordAudienceChange(mu.writes(), "study_plan", plan.id(), org.id(), "updated", to);
        return plan;
      });
}

absl::StatusOr<v1::ListMyPlanItemsResponse> StudyCatalog::ListMyPlanItems(
    const Caller& caller, const v1::ListMyPlanItemsRequest& request) const {
  if (caller.service_account) return Denied("a service account has no study plan");
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, caller.organization_id, "caller"));
  int32_t year = request.year() ? request.year() : CurrentYear(clock_.NowMicros(), org);
  if (year < kMinYear || year > kMaxYear) return InvalidField("year", "must be 2000..2100");
  ASSIGN_OR_RETURN(auto plans, data_.PlansAbove(org, year));
  v1::ListMyPlanItemsResponse response;
  for (const auto& plan : plans) {
    for (const auto& item : plan.items()) {
      if (!Access::InAudience(item.audience(), caller.person_id, caller.role, org)) continue;
      auto* out = response.add_items();
      out->set_plan_id(plan.id());
      out->set_organization_id(plan.organization_id());
      out->set_plan_title(plan.title());
      *out->mutable_item() = ItemAsSeenBy(item, caller.person_id);
    }
  }
  return response;
}

absl::StatusOr<v1::StudySettings> StudyCatalog::GetSettings(
    const Caller& caller, const v1::GetStudySettingsRequest& request) const {
  ASSIGN_OR_RETURN(auto org,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!data_.MayRead(caller, org)) {
    return Denied("reading study settings of organization " + std::to_string(org.id()));
  }
  return data_.EffectiveSettings(org);
}

absl::StatusOr<v1::StudySettings> StudyCatalog::SetSettings(
    const Caller& caller, const v1::SetStudySettingsRequest& request) {
  const auto& mask = request.update_mask();
  RETURN_IF_ERROR(
      CheckUpdateMask(mask, {"yearly_notes_quota_chars", "max_notes_chars", "points_rule"}));
  const auto& in = request.settings();
  RETURN_IF_ERROR(ValidateSettings(in));
  return RunIdempotent<v1::StudySettings>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SetStudySettings"}, request,
      clock_.NowMicros(), [&](Mutation& mu) -> absl::StatusOr<v1::StudySettings> {
        ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, in.organization_id(),
                                                          "settings.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "setting study settings"));
        std::string key = storage::StudySettingsKey(org.id());
        mu.Lock({key});
        // Start from the effective settings so unnamed fields keep their inherited values.
        ASSIGN_OR_RETURN(auto settings, data_.EffectiveSettings(org));
        if (MaskHas(mask, "yearly_notes_quota_chars")) {
          settings.set_yearly_notes_quota_chars(in.yearly_notes_quota_chars());
        }
        if (MaskHas(mask, "max_notes_chars")) settings.set_max_notes_chars(in.max_notes_chars());
        if (MaskHas(mask, "points_rule")) *settings.mutable_points_rule() = in.points_rule();
        settings = WithDefaults(std::move(settings));
        settings.set_organization_id(org.id());
        settings.set_inherited_from(org.id());
        mu.writes().PutMessage(storage::Cf::kStudyPlans, key, settings);
        RecordChange(mu.writes(), "study_settings", org.id(), org.id(), "updated");
        return settings;
      });
}

}  // namespace branchline
