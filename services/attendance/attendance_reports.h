#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "branchline/v1/attendance.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Reports of the attendance area: rosters, histories, period reports, the regular-meeting
// schedule and its compliance, and CSV exports. Read-only except SetSchedule.
//
// Cost: a roster is O(audience + check-ins of the meeting) but reads only the organisation
// index for the audience (its values say who is on rosters) and only the requested page's
// people records; a period report visits the
// subtree's organisations through the descendants index, seeks each one's meetings by start
// time and counts each held meeting's attendance prefix, a hash lookup per check-in for its
// person's team (the subtree's people are read once per report through the organisation
// index, each audience organisation's people once too). Thread-safe.
class AttendanceReports {
 public:
  AttendanceReports(storage::Store& store, const Access& access, const PeopleDirectory& people,
                    const Meetings& meetings, const Clock& clock)
      : store_(store), access_(access), people_(people), meetings_(meetings), clock_(clock) {}

  absl::StatusOr<v1::Roster> Roster(const Caller& caller,
                                    const v1::GetRosterRequest& request) const;
  absl::StatusOr<v1::AttendanceHistory> History(
      const Caller& caller, const v1::GetAttendanceHistoryRequest& request) const;
  absl::StatusOr<v1::AttendanceReport> Report(const Caller& caller,
                                              const v1::GetAttendanceReportRequest& request) const;
  absl::StatusOr<v1::MeetingSchedule> GetSchedule(
      const Caller& caller, const v1::GetMeetingScheduleRequest& request) const;
  absl::StatusOr<v1::MeetingSchedule> SetSchedule(const Caller& caller,
                                                  const v1::SetMeetingScheduleRequest& request);
  absl::StatusOr<v1::ComplianceReport> Compliance(
      const Caller& caller, const v1::GetComplianceReportRequest& request) const;

  // The whole roster / report as a CSV file (UTF-8 with BOM), same authorization as above.
  absl::StatusOr<std::string> RosterCsv(const Caller& caller,
                                        const v1::ExportRosterRequest& request) const;
  absl::StatusOr<std::string> ReportCsv(const Caller& caller,
                                        const v1::ExportAttendanceReportRequest& request) const;

 private:
  // The held meetings (by `accept`) starting in [from, to) that expected `person` (of `org`):
  // listing them, or for the organisations they belonged to at the time (memberships with
  // dates), in start order.
  absl::StatusOr<std::vector<v1::Meeting>> MeetingsExpecting(
      const Caller& caller, const v1::Person& person, const v1::Organization& org, int64_t from,
      int64_t to, const std::function<bool(const v1::Meeting&)>& accept) const;
  // Counts every expected person of a meeting (plus anyone with a record who left the
  // audience) into `counts` and builds the entries at positions [offset, offset + limit) of
  // the roster in audience order. Only those entries' people are read; with `people`, their
  // records are kept there too, in the entries' order.
  absl::Status BuildRoster(const Caller& caller, const v1::Meeting& meeting, uint64_t offset,
                           uint64_t limit, std::vector<v1::RosterEntry>* entries,
                           v1::StatusCounts* counts,
                           std::vector<v1::Person>* people = nullptr) const;
  // Each leave request's reason for the roster CSV by person, with its state when not approved.
  absl::StatusOr<absl::flat_hash_map<uint64_t, std::string>> LeaveReasons(uint64_t meeting) const;
  // Organisation names by id, for the teams of a roster's people.
  absl::StatusOr<absl::flat_hash_map<uint64_t, std::string>> OrganizationNames(
      const std::vector<v1::Person>& people) const;
  // The schedule in force for `org` (own, nearest ancestor's, or the regulation defaults).
  absl::StatusOr<v1::MeetingSchedule> EffectiveSchedule(const v1::Organization& org) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Meetings& meetings_;
  const Clock& clock_;
};

// The schedule of the branch work regulations: general meeting quarterly, committee and
// group meetings monthly, party lecture quarterly, theme party day monthly, organisational
// life meeting yearly.
std::vector<v1::ScheduleRule> DefaultScheduleRules();

// Adds one status to counts (not `expected`) and fills the rates of `rates` from its counts.
void CountStatus(v1::AttendanceStatus status, v1::StatusCounts* counts);
void FillRates(v1::AttendanceRates* rates);

}  // namespace branchline
