#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/study.pb.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/study/study_data.h"
#include "storage/store.h"

namespace branchline {

// Materials, yearly study plans and study settings: what an organisation publishes for its
// members to study. Managers of the owning organisation write; readers are as in
// StudyData::MayRead. Every write goes through RunIdempotent and records a change addressed
// to the owning organisation. Thread-safe.
class StudyCatalog {
 public:
  StudyCatalog(storage::Store& store, const StudyData& data, const Clock& clock)
      : store_(store), data_(data), clock_(clock) {}

  absl::StatusOr<v1::Material> CreateMaterial(const Caller& caller,
                                              const v1::CreateMaterialRequest& request);
  absl::StatusOr<v1::Material> GetMaterial(const Caller& caller,
                                           const v1::GetMaterialRequest& request) const;
  absl::StatusOr<v1::ListMaterialsResponse> ListMaterials(
      const Caller& caller, const v1::ListMaterialsRequest& request) const;
  absl::StatusOr<v1::Material> UpdateMaterial(const Caller& caller,
                                              const v1::UpdateMaterialRequest& request);
  absl::StatusOr<v1::Material> ArchiveMaterial(const Caller& caller,
                                               const v1::ArchiveMaterialRequest& request);

  // One plan per organisation and year (ALREADY_EXISTS naming "plan.year" for a second).
  absl::StatusOr<v1::StudyPlan> CreatePlan(const Caller& caller,
                                           const v1::CreateStudyPlanRequest& request);
  absl::StatusOr<v1::StudyPlan> GetPlan(const Caller& caller,
                                        const v1::GetStudyPlanRequest& request) const;
  absl::StatusOr<v1::ListStudyPlansResponse> ListPlans(
      const Caller& caller, const v1::ListStudyPlansRequest& request) const;
  // Replaces title and/or items; items sent with their id keep it (and their progress).
  absl::StatusOr<v1::StudyPlan> UpdatePlan(const Caller& caller,
                                           const v1::UpdateStudyPlanRequest& request);
  // The items of the caller's year that apply to them (plans of their organisation and its
  // ancestors whose audience includes them).
  absl::StatusOr<v1::ListMyPlanItemsResponse> ListMyPlanItems(
      const Caller& caller, const v1::ListMyPlanItemsRequest& request) const;

  absl::StatusOr<v1::StudySettings> GetSettings(const Caller& caller,
                                                const v1::GetStudySettingsRequest& request) const;
  absl::StatusOr<v1::StudySettings> SetSettings(const Caller& caller,
                                                const v1::SetStudySettingsRequest& request);

 private:
  absl::Status ValidateMaterial(const v1::Material& material) const;
  // Validates and normalises the items of `plan` (owned by `owner`): material or topic,
  // minutes, due date within the year, audience; assigns ids to new items, keeping the
  // ids of `previous` items. Reads materials and audience people.
  absl::Status CheckItems(const Caller& caller, const v1::Organization& owner, v1::StudyPlan& plan,
                          const v1::StudyPlan* previous);

  storage::Store& store_;
  const StudyData& data_;
  const Clock& clock_;
};

}  // namespace branchline
