#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/study_progress.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "branchline/v1/people.pb.h"
#include "branchline/v1/study.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/errors.h"
#include "services/people/people_directory.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace branchline {

// Reads and authorization checks shared by the study classes (materials and plans, the
// journal of study records, reports, quizzes). Thread-safe; holds no state of its own.
class StudyData {
 public:
  StudyData(const storage::Store& store, const Access& access, const PeopleDirectory& people)
      : store_(store), access_(access), people_(people) {}

  const Access& access() const { return access_; }
  const PeopleDirectory& people() const { return people_; }
  const storage::Store& store() const { return store_; }

  // Loads a record of `cf` by id; NOT_FOUND naming `field` when absent or in another tenant.
  template <typename T>
  absl::StatusOr<T> Load(const Caller& caller, storage::Cf cf, uint64_t id, std::string_view field,
                         std::string_view what) const;

  // Whether the caller may read the study data (materials, plans, quizzes) owned by `org`:
  // its managers, service accounts with SCOPE_STUDY_READ over it, and people of `org`'s
  // subtree (members read what their organisation and its ancestors publish).
  bool MayRead(const Caller& caller, const v1::Organization& org) const;
  // Whether the caller may read a person's study (records, progress): the person, managers
  // of the person's organisation, service accounts with SCOPE_STUDY_READ over it.
  static bool MayReadPersonStudy(const Caller& caller, const v1::Person& person,
                                 const v1::Organization& person_org);
  // Managers or service accounts with SCOPE_STUDY_READ (reports, subtree listings).
  static bool MayReport(const Caller& caller, const v1::Organization& org);

  // The effective settings of `org`: its own, else the nearest ancestor's, else the
  // defaults; every unset field filled with its default. One point read per level.
  absl::StatusOr<v1::StudySettings> EffectiveSettings(const v1::Organization& org) const;

  // The running progress of a person in a year (empty when nothing was recorded).
  absl::StatusOr<internal::v1::StudyProgressRecord> LoadProgress(uint64_t person,
                                                                 int32_t year) const;

  // The plans of `year` owned by `org` and its ancestors (ancestors first): what may apply
  // to a person of `org`. One prefix scan per level.
  absl::StatusOr<std::vector<v1::StudyPlan>> PlansAbove(const v1::Organization& org,
                                                        int32_t year) const;
  // The plans of `year` owned by `org`, its ancestors and its descendants (one prefix scan
  // per organisation of the subtree: for reports, not for hot paths).
  absl::StatusOr<std::vector<v1::StudyPlan>> PlansAroundSubtree(const v1::Organization& org,
                                                                int32_t year) const;

  // `org` and its ancestors: every organisation a subtree index entry is written under.
  static std::vector<uint64_t> SelfAndAncestors(const v1::Organization& org);

 private:
  absl::Status AppendPlans(std::string_view prefix, std::vector<v1::StudyPlan>& out) const;

  const storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
};

template <typename T>
absl::StatusOr<T> StudyData::Load(const Caller& caller, storage::Cf cf, uint64_t id,
                                  std::string_view field, std::string_view what) const {
  if (id == 0) return InvalidField(field, "is required");
  T record;
  if (Access::SameTenant(caller, id)) {
    auto found = store_.GetMessage(cf, storage::RecordKey(id), &record);
    if (!found.ok()) return found.status();
    if (*found) return record;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    std::string(what) + " " + std::to_string(id) + " does not exist");
}

}  // namespace branchline
