#include "services/attendance/meetings.h"

#include <cmath>
#include <limits>

#include "services/attendance/check_in_code.h"
#include "services/attendance/check_in_rules.h"
#include "services/attendance/meeting_index.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/people/memberships.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr std::string_view kKind = "meeting";
constexpr int64_t kMaxMeetingMicros = 24 * 3600 * 1'000'000LL;
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();

// Whom a meeting's changes reach through ListChanges: its audience and its host, who can read
// it; never every member of its organisation (a meeting for two people, or for one group).
Addressees MeetingAddressees(const v1::Meeting& meeting) {
  Addressees to;
  to.Add(meeting.audience(), meeting.organization_id());
  to.AddPerson(meeting.host_id());
  return to;
}

void StageIndexes(storage::WriteSet& w, const v1::Meeting& m, bool remove) {
  int64_t start = ToMicros(m.start_time());
  const std::string value = attendance::MeetingIndexValue(m);
  auto put = [&](std::string key) {
    if (remove) {
      w.Delete(storage::Cf::kIndex, std::move(key));
    } else {
      w.Put(storage::Cf::kIndex, std::move(key), value);
    }
  };
  put(storage::MeetingByOrgKey(m.organization_id(), start, m.id()));
  if (m.audience().person_ids_size() > 0) {
    for (uint64_t p : m.audience().person_ids()) {
      put(storage::MeetingByPersonKey(p, start, m.id()));
    }
  } else {
    put(storage::MeetingByAudienceOrgKey(m.audience().organization_id(), start, m.id()));
  }
}

bool Finite(double v) { return std::isfinite(v); }
}  // namespace

v1::Meeting ClientMeetingFields(const v1::Meeting& in) {
  v1::Meeting m;
  m.set_organization_id(in.organization_id());
  m.set_type(in.type());
  m.set_title(std::string(TrimAscii(in.title())));
  *m.mutable_audience() = in.audience();
  m.set_host_id(in.host_id());
  if (in.has_start_time()) *m.mutable_start_time() = in.start_time();
  if (in.has_end_time()) *m.mutable_end_time() = in.end_time();
  if (in.has_window()) *m.mutable_window() = in.window();
  if (in.has_place()) *m.mutable_place() = in.place();
  m.set_remote_allowed(in.remote_allowed());
  m.set_agenda(in.agenda());
  m.set_recording(in.recording());
  return m;
}

bool Attended(v1::AttendanceStatus status) {
  return status == v1::ATTENDANCE_STATUS_PRESENT || status == v1::ATTENDANCE_STATUS_LATE ||
         status == v1::ATTENDANCE_STATUS_REMOTE;
}

absl::Status ValidateMeeting(const v1::Meeting& m, std::string_view prefix) {
  std::string p(prefix);
  if (!v1::MeetingType_IsValid(m.type()) || m.type() == v1::MEETING_TYPE_UNSPECIFIED) {
    return InvalidField(p + "type", "must be a known meeting type");
  }
  RETURN_IF_ERROR(CheckText(p + "title", m.title(), 1, 100));
  if (!m.has_start_time()) return InvalidField(p + "start_time", "is required");
  if (!m.has_end_time()) return InvalidField(p + "end_time", "is required");
  int64_t start = ToMicros(m.start_time()), end = ToMicros(m.end_time());
  if (end <= start) return InvalidField(p + "end_time", "must be after start_time");
  if (end - start > kMaxMeetingMicros) {
    return InvalidField(p + "end_time", "must be at most 24 hours after start_time");
  }
  const auto& w = m.window();
  if (w.opens_minutes_before() < 0 || w.opens_minutes_before() > 1440) {
    return InvalidField(p + "window.opens_minutes_before", "must be 0..1440");
  }
  if (w.closes_minutes_after() < 1 || w.closes_minutes_after() > 1440) {
    return InvalidField(p + "window.closes_minutes_after", "must be 1..1440");
  }
  if (w.late_after_minutes() < 0 || w.late_after_minutes() > w.closes_minutes_after()) {
    return InvalidField(p + "window.late_after_minutes", "must be 0..closes_minutes_after");
  }
  if (m.has_place()) {
    const auto& pl = m.place();
    if (!Finite(pl.latitude()) || pl.latitude() < -90 || pl.latitude() > 90) {
      return InvalidField(p + "place.latitude", "must be between -90 and 90");
    }
    if (!Finite(pl.longitude()) || pl.longitude() < -180 || pl.longitude() > 180) {
      return InvalidField(p + "place.longitude", "must be between -180 and 180");
    }
    if (!Finite(pl.radius_m()) || pl.radius_m() <= 0 || pl.radius_m() > 100'000) {
      return InvalidField(p + "place.radius_m", "must be more than 0 and at most 100000 metres");
    }
    RETURN_IF_ERROR(CheckText(p + "place.name", pl.name(), 0, 100));
  }
  RETURN_IF_ERROR(CheckText(p + "agenda", m.agenda(), 0, 2000, /*multiline=*/true));
  RETURN_IF_ERROR(CheckText(p + "recording", m.recording(), 0, 500));
  return absl::OkStatus();
}

absl::StatusOr<internal::v1::MeetingRecord> Meetings::Load(const Caller& caller, uint64_t id,
                                                           std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  internal::v1::MeetingRecord record;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kMeetings, storage::RecordKey(id), &record));
    if (found) return record;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "meeting " + std::to_string(id) + " does not exist");
}

absl::Status Meetings::RequireRun(const Caller& caller, const v1::Meeting& meeting,
                                  std::string_view what) const {
  if (!caller.service_account && caller.person_id == meeting.host_id()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(), "meeting"));
  if (Access::Manages(caller, org)) return absl::OkStatus();
  return Denied(std::string(what) + " needs the host or a manager of organization " +
                std::to_string(org.id()));
}

absl::Status Meetings::RequireRunOrRead(const Caller& caller, const v1::Meeting& meeting,
                                        std::string_view what) const {
  if (caller.service_account) {
    ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(), "meeting"));
    if (Access::ServiceMay(caller, org, v1::SCOPE_ATTENDANCE_READ)) return absl::OkStatus();
  }
  return RequireRun(caller, meeting, what);
}

absl::StatusOr<bool> Meetings::Expects(const Caller& caller, const v1::Meeting& meeting,
                                       uint64_t person_id, v1::Role role,
                                       uint64_t person_org_id) const {
  v1::Organization org;
  if (meeting.audience().person_ids_size() == 0) {  // the organisation matters only then
    ASSIGN_OR_RETURN(org, access_.LoadOrg(caller, person_org_id, "person"));
  }
  return Access::InAudience(meeting.audience(), person_id, role, org);
}

absl::StatusOr<bool> Meetings::ExpectedOnItsDate(const Caller& caller, const v1::Meeting& meeting,
                                                 const v1::Person& person) const {
  if (meeting.audience().person_ids_size() > 0) {
    return Expects(caller, meeting, person.id(), person.role(), person.organization_id());
  }
  ASSIGN_OR_RETURN(auto holder, access_.LoadOrg(caller, meeting.organization_id(), "meeting_id"));
  const int64_t day = LocalDay(ToMicros(meeting.start_time()), holder.utc_offset_minutes());
  if (day >= MembershipSince(person)) {
    return Expects(caller, meeting, person.id(), person.role(), person.organization_id());
  }
  ASSIGN_OR_RETURN(auto ended, EndedMemberships(store_, person.id()));
  for (const auto& membership : ended) {
    int64_t from = kSinceEver;
    if (membership.has_from_date()) {
      ASSIGN_OR_RETURN(from, DayOfDate(membership.from_date(), "person_id"));
    }
    ASSIGN_OR_RETURN(int64_t to, DayOfDate(membership.to_date(), "person_id"));
    if (from <= day && day <= to) {
      return Expects(caller, meeting, person.id(), membership.role(), membership.organization_id());
    }
  }
  return false;
}

absl::StatusOr<v1::Meeting> Meetings::CheckReferences(const Caller& caller, v1::Meeting meeting,
                                                      const v1::Organization& org) const {
  ASSIGN_OR_RETURN(*meeting.mutable_audience(),
                   access_.CheckAudience(caller, meeting.audience(), org, "meeting.audience"));
  ASSIGN_OR_RETURN(auto host, people_.Load(caller, meeting.host_id(), "meeting.host_id"));
  if (!host.active() || host.kind() == v1::PERSON_KIND_SERVICE) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kHostNotActive,
                            "meeting.host_id", "the host must be an active person");
  }
  return meeting;
}

absl::StatusOr<v1::Meeting> Meetings::Create(const Caller& caller,
                                             const v1::CreateMeetingRequest& request) {
  return RunIdempotent<v1::Meeting>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateMeeting"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Meeting> {
        v1::Meeting meeting = ClientMeetingFields(request.meeting());
        if (!meeting.has_window())
          *meeting.mutable_window() = attendance::DefaultWindow(meeting.type());
        if (meeting.host_id() == 0 && !caller.service_account)
          meeting.set_host_id(caller.person_id);
        RETURN_IF_ERROR(ValidateMeeting(meeting, "meeting."));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(),
                                                   "meeting.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "scheduling a meeting"));
        if (org.archived()) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                         "meeting.organization_id");
        }
        return StageCreate(m, caller, std::move(meeting), org);
      });
}

absl::StatusOr<v1::Meeting> Meetings::StageCreate(Mutation& m, const Caller& caller,
                                                  v1::Meeting meeting,
                                                  const v1::Organization& org) const {
  ASSIGN_OR_RETURN(meeting, CheckReferences(caller, std::move(meeting), org));
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
  int64_t now = clock_.NowMicros();
  meeting.set_id(id);
  meeting.set_created_by(caller.person_id);
  *meeting.mutable_create_time() = ToTimestamp(now);
  *meeting.mutable_update_time() = ToTimestamp(now);
  internal::v1::MeetingRecord record;
  *record.mutable_meeting() = meeting;
  record.set_code_secret(attendance::NewCodeSecret());
  m.writes().PutMessage(storage::Cf::kMeetings, storage::RecordKey(id), record);
  StageIndexes(m.writes(), meeting, /*remove=*/false);
  RecordAudienceChange(m.writes(), kKind, id, org.id(), "created", MeetingAddressees(meeting));
  return meeting;
}

void Meetings::StageCancel(storage::WriteSet& writes, internal::v1::MeetingRecord& record,
                           std::string_view reason) const {
  auto& meeting = *record.mutable_meeting();
  meeting.set_cancelled(true);
  meeting.set_cancel_reason(std::string(reason));
  *meeting.mutable_update_time() = ToTimestamp(clock_.NowMicros());
  writes.PutMessage(storage::Cf::kMeetings, storage::RecordKey(meeting.id()), record);
  StageIndexes(writes, meeting, /*remove=*/false);  // the entries carry `cancelled`
  RecordAudienceChange(writes, kKind, meeting.id(), meeting.organization_id(), "cancelled",
                       MeetingAddressees(meeting));
}

absl::StatusOr<v1::Meeting> Meetings::Get(const Caller& caller,
                                          const v1::GetMeetingRequest& request) const {
  ASSIGN_OR_RETURN(auto record, Load(caller, request.id(), "id"));
  const auto& meeting = record.meeting();
  if (!caller.service_account) {
    ASSIGN_OR_RETURN(bool expected, Expects(caller, meeting, caller.person_id, caller.role,
                                            caller.organization_id));
    if (expected) return meeting;
  }
  RETURN_IF_ERROR(RequireRunOrRead(caller, meeting, "reading a meeting"));
  return meeting;
}

// A page of at most `page_size` meetings from `meetings` (read with one extra to tell whether
// another page follows), with the token to continue `query` after the last one.
static v1::ListMeetingsResponse MeetingPage(const std::string& query,
                                            std::vector<v1::Meeting> meetings, int page_size) {
  v1::ListMeetingsResponse response;
  for (int i = 0; i < static_cast<int>(meetings.size()) && i < page_size; ++i) {
    *response.add_meetings() = std::move(meetings[i]);
  }
  if (static_cast<int>(meetings.size()) > page_size) {
    const auto& last = response.meetings(page_size - 1);
    response.set_next_page_token(
        attendance::EncodeMeetingPageToken(query, {ToMicros(last.start_time()), last.id()}));
  }
  return response;
}

absl::StatusOr<v1::ListMeetingsResponse> Meetings::List(
    const Caller& caller, const v1::ListMeetingsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (!v1::MeetingType_IsValid(request.type())) return InvalidField("type", "is not a known type");
  int64_t from = request.has_start_time_from() ? ToMicros(request.start_time_from()) : kMinTime;
  int64_t to = request.has_start_time_to() ? ToMicros(request.start_time_to()) : kMaxTime;
  if (to < from) return InvalidField("start_time_to", "must not be before start_time_from");
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, root) &&
      !Access::ServiceMay(caller, root, v1::SCOPE_ATTENDANCE_READ)) {
    return Denied("listing the meetings of organization " + std::to_string(root.id()));
  }
  std::string query = storage::KeyBuilder(storage::TenantOfId(root.id()))
                          .Str("meetings")
                          .U64(root.id())
                          .I64(from)
                          .I64(to)
                          .U32(request.type())
                          .U8(request.show_cancelled())
                          .key();
  ASSIGN_OR_RETURN(auto after, attendance::DecodeMeetingPageToken(query, request.page_token()));
  std::vector<std::string> prefixes = {storage::MeetingByOrgPrefix(root.id())};
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(root.id()), "",
                              [&](std::string_view key, std::string_view) {
                                prefixes.push_back(
                                    storage::MeetingByOrgPrefix(storage::TrailingId(key)));
                                return true;
                              }));
  ASSIGN_OR_RETURN(
      auto meetings,
      attendance::MergeMeetingIndexes(
          store_, prefixes, from, to, after, page_size + 1, [&](const v1::Meeting& m) {
            return (request.show_cancelled() || !m.cancelled()) &&
                   (request.type() == v1::MEETING_TYPE_UNSPECIFIED || m.type() == request.type());
          }));
  return MeetingPage(query, std::move(meetings), page_size);
}

absl::StatusOr<v1::ListMeetingsResponse> Meetings::ListMine(
    const Caller& caller, const v1::ListMyMeetingsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (caller.service_account) return Denied("a service account attends no meetings");
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "caller"));
  int64_t now = clock_.NowMicros();
  std::string query =
      storage::KeyBuilder(caller.tenant).Str("my-meetings").U64(caller.person_id).key();
  ASSIGN_OR_RETURN(auto after, attendance::DecodeMeetingPageToken(query, request.page_token()));
  // A meeting lasts at most a day, so one that is still running started less than a day ago.
  std::vector<std::string> prefixes = {storage::MeetingByPersonPrefix(caller.person_id),
                                       storage::MeetingByAudienceOrgPrefix(own.id())};
  for (uint64_t a : own.ancestor_ids()) prefixes.push_back(storage::MeetingByAudienceOrgPrefix(a));
  ASSIGN_OR_RETURN(auto meetings, attendance::MergeMeetingIndexes(
                                      store_, prefixes, now - kMaxMeetingMicros, kMaxTime, after,
                                      page_size + 1, [&](const v1::Meeting& m) {
                                        return !m.cancelled() && ToMicros(m.end_time()) > now &&
                                               (!m.audience().members_only() ||
                                                Access::IsPartyMember(caller.role));
                                      }));
  return MeetingPage(query, std::move(meetings), page_size);
}

absl::StatusOr<v1::Meeting> Meetings::Update(const Caller& caller,
                                             const v1::UpdateMeetingRequest& request) {
  return RunIdempotent<v1::Meeting>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateMeeting"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Meeting> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(
            CheckUpdateMask(mask, {"title", "type", "audience", "host_id", "start_time", "end_time",
                                   "window", "place", "remote_allowed", "agenda", "recording"}));
        const v1::Meeting in = ClientMeetingFields(request.meeting());
        m.Lock({storage::RecordKey(request.meeting().id())});
        ASSIGN_OR_RETURN(auto record, Load(caller, request.meeting().id(), "meeting.id"));
        const v1::Meeting old = record.meeting();
        RETURN_IF_ERROR(RequireRun(caller, old, "updating a meeting"));
        if (old.cancelled()) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kMeetingCancelled,
                         "meeting.id");
        }
        v1::Meeting meeting = old;
        if (MaskHas(mask, "title")) meeting.set_title(in.title());
        if (MaskHas(mask, "type")) meeting.set_type(in.type());
        if (MaskHas(mask, "audience")) *meeting.mutable_audience() = in.audience();
        if (MaskHas(mask, "host_id")) meeting.set_host_id(in.host_id());
        if (MaskHas(mask, "start_time")) {
          meeting.clear_start_time();
          if (in.has_start_time()) *meeting.mutable_start_time() = in.start_time();
        }
        if (MaskHas(mask, "end_time")) {
          meeting.clear_end_time();
          if (in.has_end_time()) *meeting.mutable_end_time() = in.end_time();
        }
        if (MaskHas(mask, "window")) {
          *meeting.mutable_window() =
              in.has_window() ? in.window() : attendance::DefaultWindow(meeting.type());
        }
        if (MaskHas(mask, "place")) {
          if (in.has_place()) {
            *meeting.mutable_place() = in.place();
          } else {
            meeting.clear_place();
          }
        }
        if (MaskHas(mask, "remote_allowed")) meeting.set_remote_allowed(in.remote_allowed());
        if (MaskHas(mask, "agenda")) meeting.set_agenda(in.agenda());
        if (MaskHas(mask, "recording")) meeting.set_recording(in.recording());
        RETURN_IF_ERROR(ValidateMeeting(meeting, "meeting."));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(), "meeting"));
        ASSIGN_OR_RETURN(meeting, CheckReferences(caller, std::move(meeting), org));
        StageReplace(m.writes(), record, std::move(meeting));
        return record.meeting();
      });
}

void Meetings::StageReplace(storage::WriteSet& writes, internal::v1::MeetingRecord& record,
                            v1::Meeting meeting) const {
  const v1::Meeting old = record.meeting();
  *meeting.mutable_update_time() = ToTimestamp(clock_.NowMicros());
  StageIndexes(writes, old, /*remove=*/true);
  StageIndexes(writes, meeting, /*remove=*/false);
  *record.mutable_meeting() = meeting;
  writes.PutMessage(storage::Cf::kMeetings, storage::RecordKey(meeting.id()), record);
  // Those taken off the audience are told too: their copy is stale, and the meeting's
  // Get now answers PERMISSION_DENIED, which tells their phone to drop it.
  auto to = MeetingAddressees(meeting);
  to.Merge(MeetingAddressees(old));
  RecordAudienceChange(writes, kKind, meeting.id(), meeting.organization_id(), "updated", to);
}

absl::StatusOr<v1::Meeting> Meetings::Cancel(const Caller& caller,
                                             const v1::CancelMeetingRequest& request) {
  return RunIdempotent<v1::Meeting>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CancelMeeting"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Meeting> {
        RETURN_IF_ERROR(CheckText("reason", TrimAscii(request.reason()), 1, 200));
        m.Lock({storage::RecordKey(request.id())});
        ASSIGN_OR_RETURN(auto record, Load(caller, request.id(), "id"));
        auto& meeting = *record.mutable_meeting();
        RETURN_IF_ERROR(RequireRun(caller, meeting, "cancelling a meeting"));
        if (meeting.cancelled()) return meeting;
        StageCancel(m.writes(), record, TrimAscii(request.reason()));
        return meeting;
      });
}

absl::StatusOr<v1::CheckInCode> Meetings::GetCode(const Caller& caller,
                                                  const v1::GetCheckInCodeRequest& request) const {
  ASSIGN_OR_RETURN(auto record, Load(caller, request.meeting_id(), "meeting_id"));
  const auto& meeting = record.meeting();
  RETURN_IF_ERROR(RequireRun(caller, meeting, "showing the check-in code"));
  if (meeting.cancelled()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kMeetingCancelled, "meeting_id");
  }
  int64_t now = clock_.NowMicros();
  auto phase = attendance::ClassifyInWindow(meeting.window(), ToMicros(meeting.start_time()), now);
  if (phase == attendance::WindowPhase::kNotOpen) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kCheckInNotOpen, "meeting_id");
  }
  if (phase == attendance::WindowPhase::kClosed) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kCheckInWindowClosed,
                   "meeting_id");
  }
  int64_t step = attendance::CodeStep(now);
  v1::CheckInCode code;
  code.set_meeting_id(meeting.id());
  code.set_code(attendance::CheckInCodeFor(record.code_secret(), meeting.id(), step));
  code.set_time_step(step);
  *code.mutable_valid_from() = ToTimestamp(attendance::CodeStepStartMicros(step));
  *code.mutable_expire_time() = ToTimestamp(attendance::CodeStepStartMicros(step + 1));
  code.set_qr_payload("branchline:checkin?meeting=" + std::to_string(meeting.id()) +
                      "&code=" + code.code() + "&step=" + std::to_string(step));
  code.set_qr_svg(attendance::QrSvg(code.qr_payload()));
  return code;
}

}  // namespace branchline
