#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/v1/study.pb.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/study/study_data.h"

namespace branchline {

// Reports over an organisation's subtree: completion per plan and per sub-organisation,
// people behind schedule, notes quota status, and the points leaderboard. Both read one
// progress record per active person of the subtree (no scan of study records), with the
// figures computed by SummarizeProgress exactly as GetStudyProgress does. Readers: managers
// of the organisation and service accounts with SCOPE_STUDY_READ over it. Thread-safe.
class StudyReports {
 public:
  StudyReports(const StudyData& data, const Clock& clock) : data_(data), clock_(clock) {}

  absl::StatusOr<v1::StudyReport> Report(const Caller& caller,
                                         const v1::GetStudyReportRequest& request) const;
  // Ranked by points, then minutes (descending), then person id; equal points and minutes
  // share a rank. The page token is bound to the organisation and year.
  absl::StatusOr<v1::GetLeaderboardResponse> Leaderboard(
      const Caller& caller, const v1::GetLeaderboardRequest& request) const;

 private:
  struct PersonFigures {
    v1::Person person;
    v1::Organization org;
    v1::StudyProgress progress;
  };
  // Loads and summarises every active human of the subtree of `root` in `year`.
  absl::Status ForEachPerson(const Caller& caller, const v1::Organization& root, int32_t year,
                             const std::vector<v1::StudyPlan>& plans,
                             const std::function<void(const PersonFigures&)>& visit) const;

  const StudyData& data_;
  const Clock& clock_;
};

}  // namespace branchline
