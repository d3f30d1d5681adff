// A member's handbook: their own records, each through the service that keeps it.
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
using handbook::Names;
using handbook::Period;
using handbook::Section;

absl::StatusOr<v1::MemberHandbook> Handbooks::Member(
    const Caller& caller, const v1::GetMemberHandbookRequest& request) const {
  if (request.person_id() == 0) return InvalidField("person_id", "is required");
  ASSIGN_OR_RETURN(auto person, s_.people.Load(caller, request.person_id(), "person_id"));
  ASSIGN_OR_RETURN(auto org, s_.access.LoadOrg(caller, person.organization_id(), "person_id"));
  const bool self = !caller.service_account && caller.person_id == person.id();
  if (!self && !MayReadRecordsOf(caller, org)) {
    return Denied("reading the member handbook of person " + std::to_string(person.id()));
  }
  ASSIGN_OR_RETURN(Period period,
                   CheckPeriod(request.has_from_date(), request.from_date(), request.has_to_date(),
                               request.to_date(), org.utc_offset_minutes()));

  // Records naming the member are kept by their branch as often as by their own group (a
  // branch secretary's talk with a driver of one of its groups): the lists start at the nearest
  // branch at or above the member's organisation when the caller reads there (the member
  // does: a branch's ledger is its people's), else at the member's organisation.
  uint64_t scope = org.id();
  if (org.kind() != v1::ORGANIZATION_KIND_BRANCH) {
    for (auto it = org.ancestor_ids().rbegin(); it != org.ancestor_ids().rend(); ++it) {
      auto above = s_.access.LoadOrg(caller, *it, "person_id");
      if (!above.ok()) return above.status();
      if (above->kind() != v1::ORGANIZATION_KIND_BRANCH) continue;
      if (self || MayReadRecordsOf(caller, *above)) scope = above->id();
      break;
    }
  }

  v1::MemberHandbook h;
  *h.mutable_member() = MemberOf(person);
  h.set_organization_name(org.name());
  h.set_utc_offset_minutes(org.utc_offset_minutes());
  *h.mutable_from_date() = period.from_date;
  *h.mutable_to_date() = period.to_date;
  *h.mutable_generate_time() = TimeUtil::MicrosecondsToTimestamp(s_.clock.NowMicros());
  auto* withheld = h.mutable_withheld_sections();

  RETURN_IF_ERROR(Section("attendance", withheld, [&]() -> absl::Status {
    v1::GetAttendanceHistoryRequest history;
    history.set_person_id(person.id());
    *history.mutable_start_time_from() = period.Start();
    *history.mutable_start_time_to() = period.End();
    ASSIGN_OR_RETURN(*h.mutable_attendance(), s_.attendance.History(caller, history));
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("study", withheld, [&]() -> absl::Status {
    v1::GetStudyProgressRequest progress;
    progress.set_person_id(person.id());
    progress.set_year(period.year);
    ASSIGN_OR_RETURN(*h.mutable_study(), s_.study_journal.Progress(caller, progress));
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("study_records", withheld, [&] {
    v1::ListStudyRecordsRequest list;
    list.set_person_id(person.id());
    const std::string from = Period::Text(period.from_date), to = Period::Text(period.to_date);
    return ForEachPage(
        list, [&](const auto& r) { return s_.study_journal.List(caller, r); },
        [&](const v1::ListStudyRecordsResponse& page) {
          for (const auto& record : page.records()) {
            if (record.local_date() >= from && record.local_date() <= to) {
              *h.add_study_records() = record;
            }
          }
        });
  }));

  RETURN_IF_ERROR(Section("commitments", withheld, [&] {
    v1::ListCommitmentsRequest list;
    if (self) {
      list.set_mine(true);
    } else {
      list.set_organization_id(org.id());
    }
    return ForEachPage(
        list, [&](const auto& r) { return s_.commitments.List(caller, r); },
        [&](const v1::ListCommitmentsResponse& page) {
          for (const auto& c : page.commitments()) {
            if (c.person_id() == person.id() && period.Holds(c.create_time())) {
              *h.add_commitments() = c;
            }
          }
        });
  }));

  RETURN_IF_ERROR(Section("ledger_entries", withheld, [&] {
    v1::ListLedgerEntriesRequest list;
    list.set_organization_id(scope);
    *list.mutable_from_date() = period.from_date;
    *list.mutable_to_date() = period.to_date;
    return ForEachPage(
        list, [&](const auto& r) { return s_.ledger.List(caller, r); },
        [&](const v1::ListLedgerEntriesResponse& page) {
          for (const auto& e : page.entries()) {
            if (Names(e.person_ids(), person.id())) *h.add_ledger_entries() = e;
          }
        });
  }));
  std::reverse(h.mutable_ledger_entries()->begin(), h.mutable_ledger_entries()->end());

  RETURN_IF_ERROR(Section("evaluations", withheld, [&]() -> absl::Status {
    v1::ListRoundsRequest list;
    if (self) {
      list.set_mine(true);
    } else {
      list.set_organization_id(scope);
    }
    std::vector<v1::EvaluationRound> rounds;
    RETURN_IF_ERROR(ForEachPage(
        list, [&](const auto& r) { return s_.rounds.List(caller, r); },
        [&](const v1::ListRoundsResponse& page) {
          for (const auto& round : page.rounds()) {
            if (round.has_closed_time() && period.Holds(round.closed_time()) &&
                Names(round.subject_ids(), person.id())) {
              rounds.push_back(round);
            }
          }
        }));
    std::reverse(rounds.begin(), rounds.end());
    for (const auto& round : rounds) {
      v1::GetRoundResultsRequest results;
      results.set_round_id(round.id());
      results.set_subject_id(person.id());
      ASSIGN_OR_RETURN(auto answer, s_.rounds.Results(caller, results));
      for (const auto& subject : answer.subjects()) {
        if (subject.subject_id() != person.id()) continue;
        auto* out = h.add_evaluations();
        *out->mutable_round() = round;
        *out->mutable_result() = subject;
      }
    }
    return absl::OkStatus();
  }));

  RETURN_IF_ERROR(Section("honours", withheld, [&] {
    v1::ListHonoursRequest list;
    list.set_organization_id(org.id());
    return ForEachPage(
        list, [&](const auto& r) { return s_.honours.List(caller, r); },
        [&](const v1::ListHonoursResponse& page) {
          for (const auto& c : page.commendations()) {
            if (Names(c.person_ids(), person.id()) && period.Holds(c.award_time())) {
              *h.add_honours() = c;
            }
          }
        });
  }));
  return h;
}

}  // namespace branchline
