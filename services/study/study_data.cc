#include "services/study/study_data.h"

#include <algorithm>

#include "services/common/status_macros.h"
#include "services/study/study_rules.h"
#include "storage/keys.h"

namespace branchline {

bool StudyData::MayRead(const Caller& caller, const v1::Organization& org) const {
  if (MayReport(caller, org)) return true;
  if (caller.service_account || !Access::SameTenant(caller, org.id())) return false;
  if (caller.organization_id == org.id()) return true;
  auto own = access_.LoadOrg(caller, caller.organization_id, "caller");
  return own.ok() && Access::InSubtree(*own, org.id());
}

bool StudyData::MayReadPersonStudy(const Caller& caller, const v1::Person& person,
                                   const v1::Organization& person_org) {
  return person.id() == caller.person_id || MayReport(caller, person_org);
}

bool StudyData::MayReport(const Caller& caller, const v1::Organization& org) {
  return Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_STUDY_READ);
}

absl::StatusOr<v1::StudySettings> StudyData::EffectiveSettings(const v1::Organization& org) const {
  // Nearest first: the organisation itself, then its parent, up to the root; read at once.
  auto chain = SelfAndAncestors(org);
  std::reverse(chain.begin(), chain.end());
  std::vector<std::string> keys;
  for (uint64_t id : chain) keys.push_back(storage::StudySettingsKey(id));
  v1::StudySettings own;
  ASSIGN_OR_RETURN(auto nearest, store_.GetFirstMessage(storage::Cf::kStudyPlans, keys, &own));
  if (nearest) {
    own.set_organization_id(org.id());
    own.set_inherited_from(chain[*nearest]);
    return WithDefaults(std::move(own));
  }
  v1::StudySettings defaults;
  defaults.set_organization_id(org.id());
  return WithDefaults(std::move(defaults));
}

absl::StatusOr<internal::v1::StudyProgressRecord> StudyData::LoadProgress(uint64_t person,
                                                                          int32_t year) const {
  internal::v1::StudyProgressRecord progress;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kStudyRecords,
                                     storage::StudyProgressKey(person, year), &progress));
  if (!found) {
    progress.set_person_id(person);
    progress.set_year(year);
  }
  return progress;
}

std::vector<uint64_t> StudyData::SelfAndAncestors(const v1::Organization& org) {
  std::vector<uint64_t> chain(org.ancestor_ids().begin(), org.ancestor_ids().end());
  chain.push_back(org.id());
  return chain;
}

absl::Status StudyData::AppendPlans(std::string_view prefix,
                                    std::vector<v1::StudyPlan>& out) const {
  absl::Status inner;
  RETURN_IF_ERROR(
      store_.Scan(storage::Cf::kIndex, prefix, "", [&](std::string_view key, std::string_view) {
        v1::StudyPlan plan;
        auto found = store_.GetMessage(storage::Cf::kStudyPlans,
                                       storage::RecordKey(storage::TrailingId(key)), &plan);
        if (!found.ok()) inner = found.status();
        if (found.ok() && *found) out.push_back(std::move(plan));
        return found.ok();
      }));
  return inner;
}

absl::StatusOr<std::vector<v1::StudyPlan>> StudyData::PlansAbove(const v1::Organization& org,
                                                                 int32_t year) const {
  std::vector<v1::StudyPlan> plans;
  for (uint64_t id : SelfAndAncestors(org)) {
    RETURN_IF_ERROR(
        AppendPlans(storage::StudyPlanPrefix(storage::Index::kStudyPlanByOrg, id, year), plans));
  }
  return plans;
}

absl::StatusOr<std::vector<v1::StudyPlan>> StudyData::PlansAroundSubtree(
    const v1::Organization& org, int32_t year) const {
  std::vector<v1::StudyPlan> plans;
  for (uint64_t id : org.ancestor_ids()) {
    RETURN_IF_ERROR(
        AppendPlans(storage::StudyPlanPrefix(storage::Index::kStudyPlanByOrg, id, year), plans));
  }
  // The organisation and its descendants as the organisation tree knows them now (not the
  // subtree index written when each plan was created), so a moved organisation's plans
  // follow it.
  RETURN_IF_ERROR(AppendPlans(
      storage::StudyPlanPrefix(storage::Index::kStudyPlanByOrg, org.id(), year), plans));
  absl::Status inner;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(org.id()), "",
                              [&](std::string_view key, std::string_view) {
                                inner = AppendPlans(
                                    storage::StudyPlanPrefix(storage::Index::kStudyPlanByOrg,
                                                             storage::TrailingId(key), year),
                                    plans);
                                return inner.ok();
                              }));
  RETURN_IF_ERROR(inner);
  return plans;
}

}  // namespace branchline
