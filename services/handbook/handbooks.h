#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/handbook.pb.h"
#include "services/attendance/attendance_reports.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/evaluation/commitments.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/evaluation/honours.h"
#include "services/feedback/mailbox.h"
#include "services/files/file_library.h"
#include "services/people/people_directory.h"
#include "services/records/ledger.h"
#include "services/records/meeting_records.h"
#include "services/study/study_journal.h"
#include "services/study/study_reports.h"

namespace branchline {

// Where each section of a handbook comes from: the services that keep the data.
struct HandbookSources {
  const Access& access;
  const PeopleDirectory& people;
  const Meetings& meetings;
  const AttendanceReports& attendance;
  const MeetingRecords& minutes;
  const FileLibrary& files;
  const StudyReports& study_reports;
  const StudyJournal& study_journal;
  const Ledger& ledger;
  const Mailbox& mailbox;
  const EvaluationRounds& rounds;
  const Commitments& commitments;
  const Honours& honours;
  const Clock& clock;
};

// Assembles the two handbooks (HandbookService, docs/handbook.md): Branch() in
// branch_handbook.cc, Member() in member_handbook.cc, the files in handbooks.cc. Each section is
// read through the service that keeps it, with the caller's own rights, so a handbook shows no more
// than the caller may read elsewhere; a section refused with PERMISSION_DENIED is named in
// withheld_sections instead. Thread-safe (the sources are).
class Handbooks {
 public:
  explicit Handbooks(HandbookSources sources) : s_(sources) {}

  absl::StatusOr<v1::BranchHandbook> Branch(const Caller& caller,
                                            const v1::GetBranchHandbookRequest& request) const;
  absl::StatusOr<v1::MemberHandbook> Member(const Caller& caller,
                                            const v1::GetMemberHandbookRequest& request) const;

  // The handbooks as files in the requested format (INVALID_ARGUMENT naming `format` when
  // unset).
  absl::StatusOr<std::string> BranchFile(const Caller& caller,
                                         const v1::ExportBranchHandbookRequest& request) const;
  absl::StatusOr<std::string> MemberFile(const Caller& caller,
                                         const v1::ExportMemberHandbookRequest& request) const;

 private:
  HandbookSources s_;
};

}  // namespace branchline
