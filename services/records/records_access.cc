#include "services/records/records_access.h"

#include <string>

#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"

namespace branchline::records {

absl::Status CheckVersion(uint64_t expected, uint64_t current, std::string_view what) {
  if (expected == current) return absl::OkStatus();
  return DescribedRefusal(absl::StatusCode::kAborted, reasons::kStaleVersion, "expected_version",
                          "is " + std::to_string(expected) + " but the " + std::string(what) +
                              " is at version " + std::to_string(current) +
                              ": read it again and redo the change",
                          {{"expected_version", std::to_string(expected)},
                           {"current_version", std::to_string(current)}});
}

absl::Status RequireRecordRead(const Meetings& meetings, const Access& access, const Caller& caller,
                               const v1::Meeting& meeting, const v1::MeetingRecord* record,
                               std::string_view what) {
  ASSIGN_OR_RETURN(auto org, access.LoadOrg(caller, meeting.organization_id(), "meeting_id"));
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ)) {
    return absl::OkStatus();
  }
  if (!caller.service_account && caller.person_id != 0) {
    if (caller.person_id == meeting.host_id()) return absl::OkStatus();
    if (record != nullptr) {
      for (const auto& problem : record->problems()) {
        if (problem.owner_id() == caller.person_id) return absl::OkStatus();
      }
    }
    if (caller.organization_id != 0) {
      ASSIGN_OR_RETURN(bool expected, meetings.Expects(caller, meeting, caller.person_id,
                                                       caller.role, caller.organization_id));
      if (expected) return absl::OkStatus();
    }
  }
  return Denied(std::string(what) + " of meeting " + std::to_string(meeting.id()) +
                " needs a manager, its host, its audience or a records-scoped service");
}

absl::Status RequireLedgerRead(const Access& access, const Caller& caller,
                               const v1::Organization& org, std::string_view what) {
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ)) {
    return absl::OkStatus();
  }
  if (!caller.service_account && caller.organization_id != 0) {
    ASSIGN_OR_RETURN(auto own, access.LoadOrg(caller, caller.organization_id, "caller"));
    if (Access::InSubtree(own, org.id())) return absl::OkStatus();
  }
  return Denied(std::string(what) + " of organization " + std::to_string(org.id()) +
                " needs a person of it, a manager or a records-scoped service");
}

}  // namespace branchline::records
