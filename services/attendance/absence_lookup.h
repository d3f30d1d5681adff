#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"
#include "storage/store.h"

namespace branchline::attendance {

// The read side of absences over date ranges (CalendarService; written by
// services/calendar/absences.h). An APPROVED absence excuses its person from every meeting
// whose local start date lies in its range, computed when a roster or history is read, so a
// meeting scheduled after the approval is covered too and a withdrawal restores the status
// with nothing to rewrite. A recorded check-in (or make-up) wins: only a person with no record
// or an ABSENT one becomes EXCUSED, as approved single-meeting leave does.

// The status a person has at a meeting: `recorded` (ABSENT without a record), or EXCUSED when
// an approved absence covers the meeting and they did not attend or make up.
inline v1::AttendanceStatus WithAbsence(v1::AttendanceStatus recorded, bool covered) {
  return covered && recorded == v1::ATTENDANCE_STATUS_ABSENT ? v1::ATTENDANCE_STATUS_EXCUSED
                                                             : recorded;
}

// One approved absence covering a day, as its day-index entry says.
struct Away {
  uint64_t absence_id = 0;
  v1::AbsenceType type = v1::ABSENCE_TYPE_UNSPECIFIED;
  int64_t from_day = 0;
  int64_t to_day = 0;
};
// The people of `tenant` with an approved absence on local day `day`, each with one such
// absence (the first requested). One prefix scan of the day's kAbsenceByDay entries, whose
// values carry type and dates: O(people away that day in the tenant), whatever the audience,
// and no absence record is read.
absl::StatusOr<absl::flat_hash_map<uint64_t, Away>> AbsentOnDay(const storage::Store& store,
                                                                uint32_t tenant, int64_t day);

// An approved absence's day range, for a person's history.
struct ApprovedRange {
  uint64_t id = 0;
  int64_t from_day = 0;
  int64_t to_day = 0;
  std::string label;
};
// The approved absences of a person (one scan of their kAbsenceByPerson entries, a read of
// each absence).
absl::StatusOr<std::vector<ApprovedRange>> ApprovedAbsencesOf(const storage::Store& store,
                                                              uint64_t person);

// Loads an absence; nullopt when there is none.
absl::StatusOr<std::optional<v1::AbsenceRequest>> LoadAbsence(const storage::Store& store,
                                                              uint64_t id);

// The Chinese name of an absence type ("出差").
std::string AbsenceTypeLabel(v1::AbsenceType type);
// "出差 12-01 至 12-07" (with years when the range is not within one year).
std::string AbsenceLabel(v1::AbsenceType type, int64_t from_day, int64_t to_day);
std::string AbsenceLabel(const v1::AbsenceRequest& absence);

}  // namespace branchline::attendance
