// The branch handbook: each section through the service that keeps it.
#include <algorithm>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "services/handbook/handbook_sections.h"
#include "services/handbook/handbooks.h"

namespace branchline {

using google::protobuf::util::TimeUtil;
using handbook::CheckPeriod;
using handbook::ForEachPage;
using handbook::MayReadRecordsOf;
using handbook::MemberOf;
using handbook::Period;
using handbook::Section;

absl::StatusOr<v1::BranchHandbook> Handbooks::Branch(
    const Caller& caller, const v1::GetBranchHandbookRequest& request) const {
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  ASSIGN_OR_RETURN(auto org,
                   s_.access.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!MayReadRecordsOf(caller, org)) {
    return Denied("reading the branch handbook of organization " + std::to_string(org.id()));
  }
  ASSIGN_OR_RETURN(Period period,
                   CheckPeriod(request.has_from_date(), request.from_date(), request.has_to_date(),
                               request.to_date(), org.utc_offset_minutes()));
  const int64_t now = s_.clock.NowMicros();

  v1::BranchHandbook h;
  h.set_organization_id(org.id());
  h.set_organization_name(org.name());
  h.set_utc_offset_minutes(org.utc_offset_minutes());
  *h.mutable_from_date() = period.from_date;
  *h.mutable_to_date() = period.to_date;
  *h.mutable_generate_time() = TimeUtil::MicrosecondsToTimestamp(now);
  auto* withheld = h.mutable_withheld_sections();

  RETURN_IF_ERROR(Section("members", withheld, [&] {
    v1::ListPeopleRequest list;
    list.set_organization_id(org.id());
    list.set_include_descendants(true);
    return ForEachPage(
        list, [&](const auto& r) { return s_.people.List(caller, r); },
        [&](const v1::ListPeopleResponse& page) {
          for (const auto& person : page.people()) *h.add_members() = MemberOf(person);
        });
  }));
  std::sort(h.mutable_members()->begin(), h.mutable_members()->end(),
            [](const auto& a, const auto& b) {
              if (a.display_name() != b.display_name()) return a.display_name() < b.display_name();
              return a.person_id() < b.person_id();
            });

  RETURN_IF_ERROR(Section("meetings", withheld, [&]() -> absl::Status {
    v1::ListMeetingsRequest list;
    list.set_organization_id(org.id());
    *list.mutable_start_time_from() = period.Start();
    *list.mutable_start_time_to() = period.End();
    std::vector<v1::Meeting> held;
    RETURN_IF_ERROR(ForEachPage(
        list, [&](const auto& r) { return s_.meetings.List(caller, r); },
        [&](const v1::ListMeetingsResponse& page) {
          for (const auto& m : page.meetings()) {
            if (TimeUtil::TimestampToMicroseconds(m.start_time()) <= now) held.push_back(m);
          }
        }));
    for (const auto& meeting : held) {
      auto* out = h.add_meetings();
      *out->mutable_meeting() = meeting;
      v1::GetRosterRequest roster;
      roster.set_meeting_id(meeting.id());
      roster.set_page_size(1);  // the counts are of the whole meeting
      ASSIGN_OR_RETURN(auto counted, s_.attendance.Roster(caller, roster));
      *out->mutable_attendance() = counted.counts();
      v1::GetMeetingRecordRequest minutes;
      minutes.set_meeting_id(meeting.id());
      auto record = s_.minutes.Get(caller, minutes);
      if (record.ok()) {
        *out->mutable_minutes() = *std::move(record);
      } else if (record.status().code() != absl::StatusCode::kNotFound) {
        return record.status();  // NOT_FOUND: no minutes were recorded
      }
      v1::ListAttachmentsRequest attachments;
      attachments.mutable_of()->set_target(v1::ATTACHMENT_TARGET_MEETING);
      attachments.mutable_of()->set_object_id(meeting.id());
      ASSIGN_OR_RETURN(auto files, s_.files.ListAttachments(caller, attachments));
      out->set_attachments(files.files_size());
      for (auto& file : *files.mutable_files()) {
        if (file.has_thumbnail()) *out->add_photos() = std::move(file);
      }
    }
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("attendance", withheld, [&]() -> absl::Status {
    v1::GetAttendanceReportRequest report;
    report.set_organization_id(org.id());
    *report.mutable_start_time_from() = period.Start();
    *report.mutable_start_time_to() = period.End();
    ASSIGN_OR_RETURN(*h.mutable_attendance(), s_.attendance.Report(caller, report));
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("compliance", withheld, [&] {
    v1::GetComplianceReportRequest compliance;
    compliance.set_organization_id(org.id());
    compliance.set_year(period.year);
    return ForEachPage(
        compliance, [&](const auto& r) { return s_.attendance.Compliance(caller, r); },
        [&](const v1::ComplianceReport& page) {
          for (const auto& branch : page.branches()) {
            if (branch.organization_id() == org.id()) *h.mutable_compliance() = branch;
          }
        });
  }));

  RETURN_IF_ERROR(Section("study", withheld, [&]() -> absl::Status {
    v1::GetStudyReportRequest study;
    study.set_organization_id(org.id());
    study.set_year(period.year);
    ASSIGN_OR_RETURN(*h.mutable_study(), s_.study_reports.Report(caller, study));
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("ledger", withheld, [&]() -> absl::Status {
    v1::GetLedgerReportRequest ledger;
    ledger.set_organization_id(org.id());
    *ledger.mutable_from_date() = period.from_date;
    *ledger.mutable_to_date() = period.to_date;
    ASSIGN_OR_RETURN(*h.mutable_ledger(), s_.ledger.Report(caller, ledger));
    v1::ListLedgerEntriesRequest list;
    list.set_organization_id(org.id());
    *list.mutable_from_date() = period.from_date;
    *list.mutable_to_date() = period.to_date;
    RETURN_IF_ERROR(ForEachPage(
        list, [&](const auto& r) { return s_.ledger.List(caller, r); },
        [&](const v1::ListLedgerEntriesResponse& page) {
          for (const auto& e : page.entries()) *h.add_ledger_entries() = e;
        }));
    std::reverse(h.mutable_ledger_entries()->begin(), h.mutable_ledger_entries()->end());
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("mailbox", withheld, [&]() -> absl::Status {
    v1::GetFeedbackFiguresRequest figures;
    figures.set_organization_id(org.id());
    *figures.mutable_start_time() = period.Start();
    *figures.mutable_end_time() = period.End();
    ASSIGN_OR_RETURN(*h.mutable_mailbox(), s_.mailbox.Figures(caller, figures));
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("evaluations", withheld, [&]() -> absl::Status {
    v1::ListRoundsRequest list;
    list.set_organization_id(org.id());
    std::vector<uint64_t> closed;
    RETURN_IF_ERROR(ForEachPage(
        list, [&](const auto& r) { return s_.rounds.List(caller, r); },
        [&](const v1::ListRoundsResponse& page) {
          for (const auto& round : page.rounds()) {
            if (round.has_closed_time() && period.Holds(round.closed_time())) {
              closed.push_back(round.id());
            }
          }
        }));
    std::reverse(closed.begin(), closed.end());  // listed newest first; filed oldest first
    for (uint64_t id : closed) {
      v1::GetRoundResultsRequest results;
      results.set_round_id(id);
      v1::RoundResults* out = nullptr;
      RETURN_IF_ERROR(ForEachPage(
          results, [&](const auto& r) { return s_.rounds.Results(caller, r); },
          [&](const v1::RoundResults& page) {
            if (!out) {
              out = h.add_evaluations();
              *out = page;
            } else {
              out->mutable_subjects()->MergeFrom(page.subjects());
            }
          }));
      if (out) out->clear_next_page_token();
    }
    return absl::OkStatus();
  }));
  return h;
}

}  // namespace branchline
