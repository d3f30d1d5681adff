#pragma once

#include <cstdint>
#include <vector>

#include "branchline/internal/v1/study_progress.pb.h"
#include "branchline/v1/organizations.pb.h"
#include "branchline/v1/study.pb.h"

namespace branchline {

// Turns a person's running totals into the progress the API reports. Pure: the caller
// loads the records. Used by GetStudyProgress, reports and the leaderboard, so all of them
// agree on every figure.
struct ProgressInputs {
  uint64_t person_id = 0;
  v1::Role role = v1::ROLE_UNSPECIFIED;          // for members-only audiences
  const v1::Organization* person_org = nullptr;  // for audiences
  int32_t year = 0;
  const std::vector<v1::StudyPlan>* plans = nullptr;  // candidates; audiences decide
  const internal::v1::StudyProgressRecord* record = nullptr;
  // Study days of the previous year, so a streak running over New Year continues.
  std::vector<int64_t> previous_year_days;
  const v1::StudySettings* settings = nullptr;  // effective (defaults filled)
  int64_t today = 0;                            // local day number of "now"
};

v1::StudyProgress SummarizeProgress(const ProgressInputs& in);

// Adds (sign +1) or removes (sign -1) one record's minutes and notes to the running totals;
// days and items that drop to zero are erased, so streaks never count a deleted day.
void ApplyRecord(internal::v1::StudyProgressRecord& progress, const v1::StudyRecord& record,
                 int64_t day, int sign);

}  // namespace branchline
