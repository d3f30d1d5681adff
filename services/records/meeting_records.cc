#include "services/records/meeting_records.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/records/records_access.h"
#include "storage/keys.h"

namespace branchline {

namespace {

// The client fields of a problem, under `prefix` ("record.problems[2]", "problem").
absl::Status CheckProblem(const v1::Problem& p, const std::string& prefix) {
  RETURN_IF_ERROR(CheckText(prefix + ".description", TrimAscii(p.description()), 1, 500, true));
  if (p.owner_id() == 0) return InvalidField(prefix + ".owner_id", "is required");
  if (!p.has_due_date()) return InvalidField(prefix + ".due_date", "is required");
  return DayOfDate(p.due_date(), prefix + ".due_date").status();
}

int64_t DueDay(const v1::Problem& p) {
  auto day = DayOfDate(p.due_date(), "due_date");
  return day.ok() ? *day : 0;
}

v1::Problem* FindProblem(v1::MeetingRecord& record, uint32_t id) {
  for (auto& p : *record.mutable_problems()) {
    if (p.id() == id) return &p;
  }
  return nullptr;
}

bool SameClientFields(const v1::Problem& a, const v1::Problem& b) {
  return TrimAscii(a.description()) == b.description() && a.owner_id() == b.owner_id() &&
         a.due_date().SerializeAsString() == b.due_date().SerializeAsString();
}

absl::Status RequireHeld(const v1::Meeting& meeting, int64_t now, std::string_view field) {
  if (meeting.cancelled()) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kMeetingNotHeld, field,
                            "the meeting was cancelled, so it has no record");
  }
  if (ToMicros(meeting.start_time()) > now) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kMeetingNotHeld, field,
                            "the meeting has not started yet, so it cannot have a record");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<v1::MeetingRecord>> MeetingRecords::LoadRecord(
    uint64_t meeting_id) const {
  v1::MeetingRecord record;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kRecords,
                                                 storage::MeetingRecordKey(meeting_id), &record));
  if (!found) return std::nullopt;
  return record;
}

absl::StatusOr<MeetingRecords::Editable> MeetingRecords::LoadForEdit(const Caller& caller,
                                                                     uint64_t meeting_id,
                                                                     std::string_view field) const {
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, meeting_id, field));
  RETURN_IF_ERROR(meetings_.RequireRun(caller, stored.meeting(), "changing a meeting record"));
  ASSIGN_OR_RETURN(auto record, LoadRecord(meeting_id));
  if (!record) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      "meeting " + std::to_string(meeting_id) + " has no record yet");
  }
  return Editable{stored.meeting(), *std::move(record)};
}

absl::Status MeetingRecords::Advance(v1::MeetingRecord& record, const Caller& caller, int64_t now,
                                     std::string_view reason, bool reason_needed) const {
  if (record.locked()) {
    if (reason_needed && reason.empty()) {
      return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kReasonRequired,
                              "reason",
                              "is required: the record is locked, so a change is a new revision "
                              "that says why");
    }
    record.set_revision(record.revision() + 1);
    record.set_reason(std::string(reason));
  } else {
    record.set_revision(std::max<uint32_t>(1, record.revision()));
    record.clear_reason();
  }
  record.set_version(record.version() + 1);
  record.set_recorded_by(caller.person_id);
  *record.mutable_record_time() = ToTimestamp(now);
  return absl::OkStatus();
}

absl::Status MeetingRecords::StageWrite(Mutation& m, const Caller& caller,
                                        const v1::Meeting& meeting,
                                        const v1::MeetingRecord* previous,
                                        const v1::MeetingRecord& next) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(), "meeting_id"));
  std::vector<uint64_t> orgs(org.ancestor_ids().begin(), org.ancestor_ids().end());
  orgs.push_back(org.id());
  auto open_keys = [&](const v1::MeetingRecord& r) {
    std::set<std::string> keys;
    for (const auto& p : r.problems()) {
      if (p.status() != v1::PROBLEM_STATUS_OPEN) continue;
      const int64_t day = DueDay(p);
      for (uint64_t o : orgs) {
        keys.insert(storage::OpenProblemBySubtreeKey(o, day, meeting.id(), p.id()));
      }
      keys.insert(storage::OpenProblemByOwnerKey(p.owner_id(), day, meeting.id(), p.id()));
    }
    return keys;
  };
  const std::set<std::string> before = previous ? open_keys(*previous) : std::set<std::string>{};
  const std::set<std::string> after = open_keys(next);
  for (const auto& key : before) {
    if (!after.count(key)) m.writes().Delete(storage::Cf::kIndex, key);
  }
  for (const auto& key : after) {
    if (!before.count(key)) m.writes().Put(storage::Cf::kIndex, key, "");
  }
  m.writes().PutMessage(storage::Cf::kRecords, storage::MeetingRecordKey(meeting.id()), next);
  m.writes().PutMessage(storage::Cf::kRecords,
                        storage::MeetingRecordRevisionKey(meeting.id(), next.revision()), next);
  // A phone pulls "a problem was assigned to me": addressed to its new owners only, who may
  // read the record (RequireRecordRead lets owners in).
  std::map<uint32_t, uint64_t> owner_before;
  if (previous) {
    for (const auto& p : previous->problems()) owner_before[p.id()] = p.owner_id();
  }
  std::set<uint64_t> assigned;
  for (const auto& p : next.problems()) {
    if (p.status() != v1::PROBLEM_STATUS_OPEN) continue;
    auto it = owner_before.find(p.id());
    if (it == owner_before.end() || it->second != p.owner_id()) assigned.insert(p.owner_id());
  }
  if (!assigned.empty()) {
    RecordChange(m.writes(), "meeting_problem", meeting.id(), org.id(), "assigned", assigned);
  }
  return absl::OkStatus();
}

void MeetingRecords::StageRecordChange(Mutation& m, const v1::Meeting& meeting,
                                       const v1::MeetingRecord& next,
                                       std::string_view action) const {
  if (!next.locked()) {
    // A draft concerns its editors: the organisation's feed (managers, integration) only.
    RecordChange(m.writes(), "meeting_record_draft", meeting.id(), meeting.organization_id(),
                 action);
    return;
  }
  // Signed-off minutes and their revisions reach the phones of those who read them: the
  // meeting's audience and its host.
  Addressees to;
  to.Add(meeting.audience(), meeting.organization_id());
  to.AddPerson(meeting.host_id());
  RecordAudienceChange(m.writes(), "meeting_record", meeting.id(), meeting.organization_id(),
                       action, to);
}

absl::StatusOr<v1::MeetingRecord> MeetingRecords::Save(
    const Caller& caller, const v1::SaveMeetingRecordRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::MeetingRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SaveMeetingRecord"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::MeetingRecord> {
        const auto& in = request.record();
        if (in.meeting_id() == 0) return InvalidField("record.meeting_id", "is required");
        RETURN_IF_ERROR(CheckText("record.minutes", in.minutes(), 1, kMaxMinutesChars, true));
        if (in.resolutions_size() > kMaxResolutions) {
          return InvalidField("record.resolutions",
                              "at most " + std::to_string(kMaxResolutions) + " resolutions");
        }
        for (int i = 0; i < in.resolutions_size(); ++i) {
          RETURN_IF_ERROR(CheckText("record.resolutions[" + std::to_string(i) + "]",
                                    TrimAscii(in.resolutions(i)), 1, 500, true));
        }
        if (in.speakers_size() > kMaxSpeakers) {
          return InvalidField("record.speakers",
                              "at most " + std::to_string(kMaxSpeakers) + " speakers");
        }
        for (int i = 0; i < in.speakers_size(); ++i) {
          const auto& s = in.speakers(i);
          const std::string field = "record.speakers[" + std::to_string(i) + "]";
          if ((s.person_id() == 0) == TrimAscii(s.name()).empty()) {
            return InvalidField(field, "set exactly one of person_id or name");
          }
          if (s.person_id() == 0) {
            RETURN_IF_ERROR(CheckText(field + ".name", TrimAscii(s.name()), 1, 50));
          }
        }
        if (in.problems_size() > kMaxProblems) {
          return InvalidField("record.problems",
                              "at most " + std::to_string(kMaxProblems) + " problems");
        }
        std::set<uint32_t> ids;
        for (int i = 0; i < in.problems_size(); ++i) {
          const std::string field = "record.problems[" + std::to_string(i) + "]";
          RETURN_IF_ERROR(CheckProblem(in.problems(i), field));
          if (in.problems(i).id() != 0 && !ids.insert(in.problems(i).id()).second) {
            return InvalidField(field + ".id", "repeats an earlier problem");
          }
        }
        const std::string reason(TrimAscii(request.reason()));
        RETURN_IF_ERROR(CheckText("reason", reason, 0, 500, true));

        m.Lock({storage::MeetingRecordKey(in.meeting_id())});
        ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, in.meeting_id(), "record.meeting_id"));
        const v1::Meeting& meeting = stored.meeting();
        RETURN_IF_ERROR(meetings_.RequireRun(caller, meeting, "writing the record of a meeting"));
        RETURN_IF_ERROR(RequireHeld(meeting, now, "record.meeting_id"));
        ASSIGN_OR_RETURN(auto previous, LoadRecord(meeting.id()));
        RETURN_IF_ERROR(records::CheckVersion(request.expected_version(),
                                              previous ? previous->version() : 0, "record"));
        for (int i = 0; i < in.speakers_size(); ++i) {
          if (in.speakers(i).person_id() == 0) continue;
          RETURN_IF_ERROR(people_
                              .Load(caller, in.speakers(i).person_id(),
                                    "record.speakers[" + std::to_string(i) + "].person_id")
                              .status());
        }

        v1::MeetingRecord next = previous ? *previous : v1::MeetingRecord();
        if (!previous) {
          next.set_meeting_id(meeting.id());
          next.set_created_by(caller.person_id);
          *next.mutable_create_time() = ToTimestamp(now);
        }
        next.set_organization_id(meeting.organization_id());
        next.set_minutes(in.minutes());
        next.clear_resolutions();
        for (const auto& r : in.resolutions()) next.add_resolutions(std::string(TrimAscii(r)));
        next.clear_speakers();
        for (const auto& s : in.speakers()) {
          auto* out = next.add_speakers();
          out->set_person_id(s.person_id());
          if (s.person_id() == 0) out->set_name(std::string(TrimAscii(s.name())));
        }
        uint32_t next_id = 1;
        std::map<uint32_t, v1::Problem> before;
        if (previous) {
          for (const auto& p : previous->problems()) {
            next_id = std::max(next_id, p.id() + 1);
            before[p.id()] = p;
          }
        }
        next.clear_problems();
        for (int i = 0; i < in.problems_size(); ++i) {
          const auto& p = in.problems(i);
          const std::string field = "record.problems[" + std::to_string(i) + "]";
          RETURN_IF_ERROR(people_.Load(caller, p.owner_id(), field + ".owner_id").status());
          v1::Problem out;
          if (p.id() == 0) {
            out.set_id(next_id++);
            out.set_status(v1::PROBLEM_STATUS_OPEN);
          } else {
            auto it = before.find(p.id());
            if (it == before.end()) {
              return FieldError(absl::StatusCode::kNotFound, field + ".id",
                                "problem " + std::to_string(p.id()) + " is not in the record");
            }
            if (it->second.status() == v1::PROBLEM_STATUS_FIXED) {
              if (!SameClientFields(p, it->second)) {
                return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                        reasons::kProblemFixed, field,
                                        "problem " + std::to_string(p.id()) +
                                            " is fixed: its description, owner and due date stay");
              }
              *next.add_problems() = it->second;
              continue;
            }
            out = it->second;
          }
          out.set_description(std::string(TrimAscii(p.description())));
          out.set_owner_id(p.owner_id());
          *out.mutable_due_date() = p.due_date();
          *next.add_problems() = std::move(out);
        }
        // A fixed problem is a fact on the record: a save that leaves it out keeps it.
        for (const auto& [id, p] : before) {
          if (p.status() == v1::PROBLEM_STATUS_FIXED && !ids.count(id)) *next.add_problems() = p;
        }
        RETURN_IF_ERROR(Advance(next, caller, now, reason, /*reason_needed=*/true));
        RETURN_IF_ERROR(StageWrite(m, caller, meeting, previous ? &*previous : nullptr, next));
        StageRecordChange(m, meeting, next,
                          !previous ? "created" : (previous->locked() ? "revised" : "saved"));
        return next;
      });
}

absl::StatusOr<v1::MeetingRecord> MeetingRecords::Get(
    const Caller& caller, const v1::GetMeetingRecordRequest& request) const {
  if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
  ASSIGN_OR_RETURN(auto record, LoadRecord(request.meeting_id()));
  RETURN_IF_ERROR(records::RequireRecordRead(meetings_, access_, caller, stored.meeting(),
                                             record ? &*record : nullptr, "reading the record"));
  if (!record) {
    return FieldError(absl::StatusCode::kNotFound, "meeting_id",
                      "meeting " + std::to_string(request.meeting_id()) + " has no record yet");
  }
  if (request.revision() == 0 || request.revision() == record->revision()) return *record;
  v1::MeetingRecord revision;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kRecords,
                                                 storage::MeetingRecordRevisionKey(
                                                     request.meeting_id(), request.revision()),
                                                 &revision));
  if (!found) {
    return FieldError(absl::StatusCode::kNotFound, "revision",
                      "the record has revisions 1.." + std::to_string(record->revision()));
  }
  return revision;
}

absl::StatusOr<v1::ListMeetingRecordRevisionsResponse> MeetingRecords::ListRevisions(
    const Caller& caller, const v1::ListMeetingRecordRevisionsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
  ASSIGN_OR_RETURN(auto record, LoadRecord(request.meeting_id()));
  RETURN_IF_ERROR(records::RequireRecordRead(meetings_, access_, caller, stored.meeting(),
                                             record ? &*record : nullptr, "reading the revisions"));
  v1::ListMeetingRecordRevisionsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kRecords,
               storage::MeetingRecordRevisionPrefix(request.meeting_id()), request.page_token(),
               page_size, [&](std::string_view, std::string_view value) -> absl::StatusOr<bool> {
                 v1::MeetingRecord r;
                 if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                   return absl::DataLossError("a stored revision does not parse");
                 }
                 auto* out = response.add_revisions();
                 out->set_revision(r.revision());
                 out->set_recorded_by(r.recorded_by());
                 *out->mutable_record_time() = r.record_time();
                 out->set_reason(r.reason());
                 out->set_locked(r.locked());
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::MeetingRecord> MeetingRecords::Lock(
    const Caller& caller, const v1::LockMeetingRecordRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::MeetingRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "LockMeetingRecord"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::MeetingRecord> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        m.Lock({storage::MeetingRecordKey(request.meeting_id())});
        ASSIGN_OR_RETURN(auto edit, LoadForEdit(caller, request.meeting_id(), "meeting_id"));
        if (edit.record.locked()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kAlreadyLocked,
                                  "meeting_id", "the record is already locked");
        }
        RETURN_IF_ERROR(
            records::CheckVersion(request.expected_version(), edit.record.version(), "record"));
        const v1::MeetingRecord previous = edit.record;
        v1::MeetingRecord& next = edit.record;
        // Signing off is the last in-place write of revision 1: it changes no text, so the
        // revision signed is exactly what the signer read.
        next.set_locked(true);
        next.set_locked_by(caller.person_id);
        *next.mutable_lock_time() = ToTimestamp(now);
        next.set_version(next.version() + 1);
        RETURN_IF_ERROR(StageWrite(m, caller, edit.meeting, &previous, next));
        StageRecordChange(m, edit.meeting, next, "locked");
        return next;
      });
}

absl::StatusOr<v1::MeetingRecord> MeetingRecords::UpdateProblem(
    const Caller& caller, const v1::UpdateProblemRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::MeetingRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateProblem"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::MeetingRecord> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        const auto& in = request.problem();
        if (in.id() == 0) return InvalidField("problem.id", "is required");
        RETURN_IF_ERROR(CheckProblem(in, "problem"));
        const std::string reason(TrimAscii(request.reason()));
        RETURN_IF_ERROR(CheckText("reason", reason, 0, 500, true));
        m.Lock({storage::MeetingRecordKey(request.meeting_id())});
        ASSIGN_OR_RETURN(auto edit, LoadForEdit(caller, request.meeting_id(), "meeting_id"));
        RETURN_IF_ERROR(
            records::CheckVersion(request.expected_version(), edit.record.version(), "record"));
        const v1::MeetingRecord previous = edit.record;
        v1::Problem* problem = FindProblem(edit.record, in.id());
        if (problem == nullptr) {
          return FieldError(absl::StatusCode::kNotFound, "problem.id",
                            "problem " + std::to_string(in.id()) + " is not in the record");
        }
        if (problem->status() == v1::PROBLEM_STATUS_FIXED) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kProblemFixed,
                                  "problem.id", "the problem is already fixed");
        }
        RETURN_IF_ERROR(people_.Load(caller, in.owner_id(), "problem.owner_id").status());
        problem->set_description(std::string(TrimAscii(in.description())));
        problem->set_owner_id(in.owner_id());
        *problem->mutable_due_date() = in.due_date();
        RETURN_IF_ERROR(Advance(edit.record, caller, now, reason, /*reason_needed=*/true));
        RETURN_IF_ERROR(StageWrite(m, caller, edit.meeting, &previous, edit.record));
        StageRecordChange(m, edit.meeting, edit.record, previous.locked() ? "revised" : "saved");
        return edit.record;
      });
}

absl::StatusOr<v1::MeetingRecord> MeetingRecords::FixProblem(const Caller& caller,
                                                             const v1::FixProblemRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::MeetingRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "FixProblem"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::MeetingRecord> {
        if (request.meeting_id() == 0) return InvalidField("meeting_id", "is required");
        if (request.problem_id() == 0) return InvalidField("problem_id", "is required");
        const std::string text(TrimAscii(request.text()));
        RETURN_IF_ERROR(CheckText("text", text, 1, 1000, true));
        m.Lock({storage::MeetingRecordKey(request.meeting_id())});
        ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
        ASSIGN_OR_RETURN(auto record, LoadRecord(request.meeting_id()));
        if (!record) {
          RETURN_IF_ERROR(meetings_.RequireRun(caller, stored.meeting(), "fixing a problem"));
          return FieldError(
              absl::StatusCode::kNotFound, "meeting_id",
              "meeting " + std::to_string(request.meeting_id()) + " has no record yet");
        }
        const v1::MeetingRecord previous = *record;
        v1::Problem* problem = FindProblem(*record, request.problem_id());
        const bool owner = problem != nullptr && !caller.service_account &&
                           problem->owner_id() == caller.person_id;
        if (!owner) {
          RETURN_IF_ERROR(meetings_.RequireRun(caller, stored.meeting(), "fixing a problem"));
        }
        if (problem == nullptr) {
          return FieldError(
              absl::StatusCode::kNotFound, "problem_id",
              "problem " + std::to_string(request.problem_id()) + " is not in the record");
        }
        if (problem->status() == v1::PROBLEM_STATUS_FIXED) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kProblemFixed,
                                  "problem_id", "the problem is already fixed");
        }
        problem->set_status(v1::PROBLEM_STATUS_FIXED);
        problem->mutable_fix()->set_fixed_by(caller.person_id);
        *problem->mutable_fix()->mutable_fix_time() = ToTimestamp(now);
        problem->mutable_fix()->set_text(text);
        // A fix after the sign-off is a new revision whose reason is the fix itself.
        RETURN_IF_ERROR(Advance(*record, caller, now,
                                "problem " + std::to_string(request.problem_id()) + " fixed",
                                /*reason_needed=*/false));
        RETURN_IF_ERROR(StageWrite(m, caller, stored.meeting(), &previous, *record));
        StageRecordChange(m, stored.meeting(), *record, "problem_fixed");
        return *record;
      });
}

absl::StatusOr<v1::ListOpenProblemsResponse> MeetingRecords::ListOpenProblems(
    const Caller& caller, const v1::ListOpenProblemsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  const int selectors = (request.organization_id() != 0) + (request.owner_id() != 0) +
                        static_cast<int>(request.mine());
  if (selectors != 1) {
    return InvalidField("organization_id", "set exactly one of organization_id, owner_id or mine");
  }
  std::string prefix;
  if (request.organization_id() != 0) {
    ASSIGN_OR_RETURN(auto org,
                     access_.LoadOrg(caller, request.organization_id(), "organization_id"));
    if (!Access::Manages(caller, org) && !Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ)) {
      return Denied("listing the open problems of organization " + std::to_string(org.id()));
    }
    prefix = storage::OpenProblemBySubtreePrefix(org.id());
  } else {
    uint64_t owner = request.owner_id();
    if (request.mine()) {
      if (caller.service_account || caller.person_id == 0) {
        return Denied("a service account owns no problems");
      }
      owner = caller.person_id;
    } else {
      ASSIGN_OR_RETURN(auto person, people_.Load(caller, owner, "owner_id"));
      if (caller.service_account || person.id() != caller.person_id) {
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, person.organization_id(), "owner_id"));
        if (!Access::Manages(caller, org) &&
            !Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ)) {
          return Denied("listing the open problems of person " + std::to_string(owner));
        }
      }
    }
    prefix = storage::OpenProblemByOwnerPrefix(owner);
  }
  const int64_t now = clock_.NowMicros();
  std::map<uint64_t, int64_t> today_of_org;  // a page's problems share few organisations
  v1::ListOpenProblemsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(
          store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
          [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
            auto ref = storage::DecodeOpenProblemKey(key);
            if (!ref) return false;
            ASSIGN_OR_RETURN(auto record, LoadRecord(ref->meeting));
            if (!record) return false;
            const v1::Problem* problem = FindProblem(*record, ref->problem);
            if (problem == nullptr || problem->status() != v1::PROBLEM_STATUS_OPEN) {
              return false;
            }
            auto it = today_of_org.find(record->organization_id());
            if (it == today_of_org.end()) {
              ASSIGN_OR_RETURN(auto org,
                               access_.LoadOrg(caller, record->organization_id(), "meeting"));
              it = today_of_org.emplace(org.id(), LocalDay(now, org.utc_offset_minutes())).first;
            }
            auto* out = response.add_problems();
            out->set_meeting_id(record->meeting_id());
            out->set_organization_id(record->organization_id());
            *out->mutable_problem() = *problem;
            out->set_overdue(DueDay(*problem) < it->second);
            return true;
          }));
  return response;
}

absl::Status MeetingRecords::RequireAttachmentRead(const Caller& caller, uint64_t meeting_id,
                                                   std::string_view field) const {
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, meeting_id, field));
  ASSIGN_OR_RETURN(auto record, LoadRecord(meeting_id));
  return records::RequireRecordRead(meetings_, access_, caller, stored.meeting(),
                                    record ? &*record : nullptr, "reading a meeting's files");
}

absl::Status MeetingRecords::RequireAttachmentChange(const Caller& caller, uint64_t meeting_id,
                                                     std::string_view field) const {
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, meeting_id, field));
  return meetings_.RequireRun(caller, stored.meeting(), "attaching files to a meeting");
}

}  // namespace branchline
