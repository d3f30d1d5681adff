#include "services/calendar/recurring_meetings.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/attendance/check_in_rules.h"
#include "services/calendar/calendar_access.h"
#include "services/calendar/recurrence.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_walk.h"
#include "services/common/text.h"
#include "spdlog/spdlog.h"
#include "storage/keys.h"

namespace branchline {

namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;
constexpr int64_t kNoBound = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxOffsetShift = 26 * 3600LL * 1'000'000;

// Who a series' later occurrences are created as: its creator, within its tenant. The right
// to schedule was checked when the series was created; a pass has no caller of its own.
Caller SeriesCaller(const v1::MeetingSeries& series) {
  Caller caller;
  caller.person_id = series.created_by();
  caller.tenant = storage::TenantOfId(series.id());
  return caller;
}

// Whether `meeting_id` has a check-in (present, late or remote; a leave or an absence mark is
// none): such an occurrence is kept when its series ends.
absl::StatusOr<bool> HasCheckIn(const storage::Store& store, uint64_t meeting_id) {
  bool found = false;
  absl::Status inner;
  RETURN_IF_ERROR(
      store.Scan(storage::Cf::kAttendance, storage::AttendancePrefix(meeting_id), "",
                 [&](std::string_view, std::string_view value) {
                   v1::AttendanceRecord record;
                   if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                     inner = absl::DataLossError("attendance record does not parse");
                     return false;
                   }
                   found = Attended(record.status());
                   return !found;
                 }));
  RETURN_IF_ERROR(inner);
  return found;
}

// One kSeriesOccurrence entry: [series][local day] -> [meeting u64][fingerprint u64]. The
// fingerprint is that of the fields the series set when it last wrote the meeting
// (Fingerprint), or kDetached once the meeting belongs to itself; entries written before
// fingerprints existed have none.
struct OccurrenceEntry {
  int64_t day = 0;
  uint64_t meeting_id = 0;
  std::optional<uint64_t> fingerprint;
};

constexpr uint64_t kDetached = 0;

std::string OccurrenceValue(uint64_t meeting_id, uint64_t fingerprint) {
  return storage::KeyBuilder().U64(meeting_id).U64(fingerprint).key();
}

absl::StatusOr<OccurrenceEntry> ParseOccurrence(std::string_view prefix, std::string_view key,
                                                std::string_view value) {
  auto day = storage::KeyReader(key.substr(prefix.size())).I64();
  storage::KeyReader reader(value);
  auto meeting = reader.U64();
  if (!day || !meeting) return absl::DataLossError("corrupt occurrence entry");
  OccurrenceEntry entry{*day, *meeting, std::nullopt};
  if (!reader.done()) {
    entry.fingerprint = reader.U64();
    if (!entry.fingerprint) return absl::DataLossError("corrupt occurrence entry");
  }
  return entry;
}

// Every created occurrence of a series, by date.
absl::StatusOr<std::vector<OccurrenceEntry>> ReadOccurrences(const storage::Store& store,
                                                             uint64_t series_id) {
  std::vector<OccurrenceEntry> out;
  const std::string prefix = storage::SeriesOccurrencePrefix(series_id);
  absl::Status inner;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kIndex, prefix, "",
                             [&](std::string_view key, std::string_view value) {
                               auto occurrence = ParseOccurrence(prefix, key, value);
                               if (!occurrence.ok()) inner = occurrence.status();
                               if (!inner.ok()) return false;
                               out.push_back(*occurrence);
                               return true;
                             }));
  RETURN_IF_ERROR(inner);
  return out;
}

// A fingerprint (FNV-1a 64 of the serialised message) of the fields of an occurrence its
// series sets; never kDetached.
uint64_t Fingerprint(const v1::Meeting& meeting) {
  v1::Meeting fields;
  fields.set_organization_id(meeting.organization_id());
  fields.set_type(meeting.type());
  fields.set_title(meeting.title());
  *fields.mutable_audience() = meeting.audience();
  fields.set_host_id(meeting.host_id());
  *fields.mutable_start_time() = meeting.start_time();
  *fields.mutable_end_time() = meeting.end_time();
  *fields.mutable_window() = meeting.window();
  if (meeting.has_place()) *fields.mutable_place() = meeting.place();
  fields.set_remote_allowed(meeting.remote_allowed());
  fields.set_agenda(meeting.agenda());
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : fields.SerializeAsString()) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash == kDetached ? 1 : hash;
}

// Whether an occurrence is still as its series last wrote it: not cancelled, nor edited
// alone. (An entry from before fingerprints: the meeting was never changed.)
bool Attached(const OccurrenceEntry& entry, const v1::Meeting& meeting) {
  if (meeting.cancelled()) return false;
  if (!entry.fingerprint) {
    return ToMicros(meeting.update_time()) == ToMicros(meeting.create_time());
  }
  return *entry.fingerprint != kDetached && *entry.fingerprint == Fingerprint(meeting);
}

// The occurrence of `series` on local day `day` as the series writes it over `meeting` (an
// existing occurrence: its id, creator, recording and history stay): the template's fields
// and its time of day and length on that day.
v1::Meeting OccurrenceOf(const v1::MeetingSeries& series, int64_t day, int32_t offset,
                         const v1::Meeting& meeting) {
  const v1::Meeting& t = series.meeting();
  const int64_t start = ToMicros(t.start_time());
  const int64_t length = ToMicros(t.end_time()) - start;
  const int64_t time_of_day = start - LocalDayStartMicros(LocalDay(start, offset), offset);
  const int64_t at = LocalDayStartMicros(day, offset) + time_of_day;
  v1::Meeting out = meeting;
  out.set_organization_id(t.organization_id());
  out.set_type(t.type());
  out.set_title(t.title());
  *out.mutable_audience() = t.audience();
  out.set_host_id(t.host_id());
  *out.mutable_start_time() = ToTimestamp(at);
  *out.mutable_end_time() = ToTimestamp(at + length);
  *out.mutable_window() = t.window();
  if (t.has_place()) {
    *out.mutable_place() = t.place();
  } else {
    out.clear_place();
  }
  out.set_remote_allowed(t.remote_allowed());
  out.set_agenda(t.agenda());
  return out;
}

// The last local day a series may have an occurrence on (its end, UNTIL or COUNT), or none.
absl::StatusOr<std::optional<int64_t>> LastDay(const v1::MeetingSeries& series,
                                               const calendar::RecurrenceRule& rule,
                                               int32_t offset) {
  std::optional<int64_t> last;
  if (series.ended()) {
    ASSIGN_OR_RETURN(last, DayOfDate(series.last_date(), "id"));
  }
  if (rule.count || rule.until_day || rule.until_micros) {
    std::optional<int64_t> rule_last;
    calendar::Expand(rule, ToMicros(series.meeting().start_time()), offset, kNoBound,
                     [&](const calendar::Occurrence& o) {
                       rule_last = o.day;
                       return true;
                     });
    if (rule_last) last = last ? std::min(*last, *rule_last) : *rule_last;
  }
  return last;
}

std::string DateString(int64_t day) {
  const CivilDate d = DayToCivil(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year, d.month, d.day);
  return text;
}

}  // namespace

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::Load(const Caller& caller, uint64_t id,
                                                          std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  v1::MeetingSeries series;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kMeetings, storage::SeriesKey(id), &series));
    if (found) return series;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "meeting series " + std::to_string(id) + " does not exist");
}

absl::StatusOr<int> RecurringMeetings::StageOccurrences(Mutation& m, const Caller& caller,
                                                        v1::MeetingSeries& series,
                                                        const v1::Organization& org,
                                                        const std::set<int64_t>* taken) {
  ASSIGN_OR_RETURN(auto rule, calendar::ParseRecurrenceRule(series.rule(), "series.rule"));
  const int32_t offset = org.utc_offset_minutes();
  const int32_t horizon =
      series.horizon_days() > 0 ? series.horizon_days() : options_.default_horizon_days;
  int64_t bound = clock_.NowMicros() + horizon * kMicrosPerDay;
  std::optional<int64_t> last_day;
  if (series.ended()) {
    ASSIGN_OR_RETURN(last_day, DayOfDate(series.last_date(), "series.last_date"));
    bound = std::min(bound, LocalDayStartMicros(*last_day + 1, offset));
  }
  // Dates up to a day before the cursor are looked at again: an organisation whose UTC offset
  // changed (by at most 26 hours, -12:00 to +14:00) moves its local dates' instants across
  // the cursor, and the occurrence entries, not the cursor, say which dates exist.
  const int64_t from = series.has_materialized_until()
                           ? ToMicros(series.materialized_until()) - kMaxOffsetShift
                           : std::numeric_limits<int64_t>::min();
  if (series.has_materialized_until() && bound <= ToMicros(series.materialized_until())) return 0;
  ASSIGN_OR_RETURN(auto skipped, holidays_.SkippedDays(org));
  const int64_t start = ToMicros(series.meeting().start_time());
  const int64_t length = ToMicros(series.meeting().end_time()) - start;
  int created = 0;
  absl::Status inner;
  calendar::Expand(rule, start, offset, bound, [&](const calendar::Occurrence& o) {
    if (o.start_micros < from || skipped.count(o.day) > 0) return true;
    if (taken != nullptr && taken->count(o.day) > 0) return true;
    std::string key = storage::SeriesOccurrenceKey(series.id(), o.day);
    auto existing = store_.Get(storage::Cf::kIndex, key);
    if (!existing.ok()) {
      inner = existing.status();
      return false;
    }
    if (existing->has_value()) return true;  // created before: never again, never overwritten
    v1::Meeting meeting = series.meeting();
    *meeting.mutable_start_time() = ToTimestamp(o.start_micros);
    *meeting.mutable_end_time() = ToTimestamp(o.start_micros + length);
    auto made = meetings_.StageCreate(m, caller, std::move(meeting), org);
    if (!made.ok()) {
      inner = made.status();
      return false;
    }
    m.writes().Put(storage::Cf::kIndex, std::move(key),
                   OccurrenceValue(made->id(), Fingerprint(*made)));
    ++created;
    return true;
  });
  RETURN_IF_ERROR(inner);
  *series.mutable_materialized_until() = ToTimestamp(bound);
  // A series whose rule (COUNT, UNTIL) or end has nothing left after the bound leaves the
  // pass's index: the pass then never reads it again.
  bool more = false;
  calendar::Expand(rule, start, offset, kNoBound, [&](const calendar::Occurrence& o) {
    if (o.start_micros < bound) return true;
    more = !last_day || o.day <= *last_day;
    return false;
  });
  if (!more) m.writes().Delete(storage::Cf::kIndex, storage::ActiveSeriesKey(series.id()));
  return created;
}

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::DraftSeries(
    const Caller& caller, const v1::MeetingSeries& in) const {
  v1::Meeting meeting = ClientMeetingFields(in.meeting());
  if (!meeting.has_window()) *meeting.mutable_window() = attendance::DefaultWindow(meeting.type());
  if (meeting.host_id() == 0 && !caller.service_account) meeting.set_host_id(caller.person_id);
  RETURN_IF_ERROR(ValidateMeeting(meeting, "series.meeting."));
  RETURN_IF_ERROR(calendar::ParseRecurrenceRule(in.rule(), "series.rule").status());
  if (in.horizon_days() < 0 || in.horizon_days() > kMaxHorizonDays) {
    return InvalidField("series.horizon_days", "must be 0..." + std::to_string(kMaxHorizonDays));
  }
  v1::MeetingSeries draft;
  *draft.mutable_meeting() = std::move(meeting);
  draft.set_rule(std::string(TrimAscii(in.rule())));
  draft.set_horizon_days(in.horizon_days());
  return draft;
}

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::StageNewSeries(
    Mutation& m, const Caller& caller, v1::MeetingSeries series,
    const v1::Organization& org) const {
  ASSIGN_OR_RETURN(auto rule, calendar::ParseRecurrenceRule(series.rule(), "series.rule"));
  const int64_t now = clock_.NowMicros();
  const int64_t start = ToMicros(series.meeting().start_time());
  if (start < now) return InvalidField("series.meeting.start_time", "is in the past");
  const int64_t start_day = LocalDay(start, org.utc_offset_minutes());
  if (!calendar::Selects(rule, start_day, start_day)) {
    return InvalidField("series.meeting.start_time",
                        "must fall on a day the rule selects (it is the first occurrence)");
  }
  bool any = false;
  calendar::Expand(rule, start, org.utc_offset_minutes(), kNoBound,
                   [&](const calendar::Occurrence&) {
                     any = true;
                     return false;
                   });
  if (!any) return InvalidField("series.rule", "UNTIL is before start_time");
  ASSIGN_OR_RETURN(*series.mutable_meeting(),
                   meetings_.CheckReferences(caller, series.meeting(), org));
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
  series.set_id(id);
  series.set_organization_id(org.id());
  series.set_created_by(caller.person_id);
  *series.mutable_create_time() = ToTimestamp(now);
  *series.mutable_update_time() = ToTimestamp(now);
  m.writes().Put(storage::Cf::kIndex, storage::SeriesByOrgKey(org.id(), id), "");
  m.writes().Put(storage::Cf::kIndex, storage::ActiveSeriesKey(id), "");  // before Stage
  return series;
}

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::Create(
    const Caller& caller, const v1::CreateMeetingSeriesRequest& request) {
  return RunIdempotent<v1::MeetingSeries>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateMeetingSeries"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::MeetingSeries> {
        ASSIGN_OR_RETURN(auto draft, DraftSeries(caller, request.series()));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, draft.meeting().organization_id(),
                                                   "series.meeting.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating a meeting series"));
        if (org.archived()) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                         "series.meeting.organization_id");
        }
        ASSIGN_OR_RETURN(auto series, StageNewSeries(m, caller, std::move(draft), org));
        RETURN_IF_ERROR(StageOccurrences(m, caller, series, org).status());
        m.writes().PutMessage(storage::Cf::kMeetings, storage::SeriesKey(series.id()), series);
        return series;
      });
}

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::Get(
    const Caller& caller, const v1::GetMeetingSeriesRequest& request) const {
  ASSIGN_OR_RETURN(auto series, Load(caller, request.id(), "id"));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, series.organization_id(), "id"));
  RETURN_IF_ERROR(calendar::RequireCalendarRead(access_, caller, org, "reading the series"));
  return series;
}

absl::StatusOr<v1::ListMeetingSeriesResponse> RecurringMeetings::List(
    const Caller& caller, const v1::ListMeetingSeriesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(calendar::RequireCalendarRead(access_, caller, org, "listing the series"));
  v1::ListMeetingSeriesResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, storage::SeriesByOrgPrefix(org.id()),
               request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::MeetingSeries series;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kMeetings,
                                       storage::SeriesKey(storage::TrailingId(key)), &series));
                 if (!found || (series.ended() && !request.show_ended())) return false;
                 *response.add_series() = std::move(series);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::ListSeriesOccurrencesResponse> RecurringMeetings::ListOccurrences(
    const Caller& caller, const v1::ListSeriesOccurrencesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto series, Load(caller, request.series_id(), "series_id"));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, series.organization_id(), "series_id"));
  RETURN_IF_ERROR(calendar::RequireCalendarRead(access_, caller, org, "listing the occurrences"));
  const std::string prefix = storage::SeriesOccurrencePrefix(series.id());
  v1::ListSeriesOccurrencesResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view value) -> absl::StatusOr<bool> {
                 ASSIGN_OR_RETURN(auto parsed, ParseOccurrence(prefix, key, value));
                 auto* occurrence = response.add_occurrences();
                 *occurrence->mutable_date() = DateOfDay(parsed.day);
                 occurrence->set_meeting_id(parsed.meeting_id);
                 // Detached: edited or cancelled alone since the series last wrote it (one
                 // point read per occurrence listed).
                 internal::v1::MeetingRecord record;
                 ASSIGN_OR_RETURN(
                     bool found, store_.GetMessage(storage::Cf::kMeetings,
                                                   storage::RecordKey(parsed.meeting_id), &record));
                 if (found) {
                   occurrence->set_cancelled(record.meeting().cancelled());
                   occurrence->set_detached(!Attached(parsed, record.meeting()));
                 }
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::EndMeetingSeriesResponse> RecurringMeetings::End(
    const Caller& caller, const v1::EndMeetingSeriesRequest& request) {
  return RunIdempotent<v1::EndMeetingSeriesResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "EndMeetingSeries"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::EndMeetingSeriesResponse> {
        const std::string_view reason = TrimAscii(request.reason());
        RETURN_IF_ERROR(CheckText("reason", reason, 1, 200));
        std::optional<int64_t> asked_last_day;
        if (request.has_last_date()) {
          ASSIGN_OR_RETURN(asked_last_day, DayOfDate(request.last_date(), "last_date"));
        }
        // No occurrence of an existing series appears while this runs: the pass, their only
        // writer, holds pass_mu_. So they are read first and locked together with the series
        // in one Lock call (KeyLocks stripes are not reentrant: a second call could wait on a
        // stripe this call already holds).
        std::lock_guard pass_lock(pass_mu_);
        RETURN_IF_ERROR(Load(caller, request.id(), "id").status());
        ASSIGN_OR_RETURN(auto occurrences, ReadOccurrences(store_, request.id()));
        const std::string series_key = storage::SeriesKey(request.id());
        std::vector<std::string> keys = {series_key};
        for (const auto& o : occurrences) keys.push_back(storage::RecordKey(o.meeting_id));
        m.Lock(std::vector<std::string_view>(keys.begin(), keys.end()));
        ASSIGN_OR_RETURN(auto series, Load(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, series.organization_id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "ending a meeting series"));
        v1::EndMeetingSeriesResponse response;
        if (series.ended()) {
          *response.mutable_series() = std::move(series);
          return response;
        }
        const int64_t now = clock_.NowMicros();
        const int32_t offset = org.utc_offset_minutes();
        const int64_t last_day = asked_last_day.value_or(LocalDay(now, offset));
        // The occurrences to look at: after last_date, or (ending now) every one.
        std::vector<uint64_t> later;
        for (const auto& o : occurrences) {
          if (!asked_last_day || o.day > last_day) later.push_back(o.meeting_id);
        }
        for (uint64_t id : later) {
          internal::v1::MeetingRecord record;
          ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kMeetings,
                                                         storage::RecordKey(id), &record));
          if (!found || record.meeting().cancelled()) continue;
          if (ToMicros(record.meeting().start_time()) <= now) continue;  // started: history
          ASSIGN_OR_RETURN(bool checked_in, HasCheckIn(store_, id));
          if (checked_in) {
            response.add_kept_meeting_ids(id);
            continue;
          }
          meetings_.StageCancel(m.writes(), record, reason);
          response.add_cancelled_meeting_ids(id);
        }
        series.set_ended(true);
        *series.mutable_last_date() = DateOfDay(last_day);
        *series.mutable_update_time() = ToTimestamp(now);
        // Ending at a later date keeps the pass creating occurrences up to it.
        const int64_t end_bound = LocalDayStartMicros(last_day + 1, offset);
        if (!asked_last_day || !series.has_materialized_until() ||
            ToMicros(series.materialized_until()) >= end_bound) {
          m.writes().Delete(storage::Cf::kIndex, storage::ActiveSeriesKey(series.id()));
        }
        m.writes().PutMessage(storage::Cf::kMeetings, series_key, series);
        *response.mutable_series() = std::move(series);
        return response;
      });
}

absl::StatusOr<v1::UpdateMeetingSeriesResponse> RecurringMeetings::Update(
    const Caller& caller, const v1::UpdateMeetingSeriesRequest& request) {
  return RunIdempotent<v1::UpdateMeetingSeriesResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateMeetingSeries"},
      request, clock_.NowMicros(),
      [&](Mutation& m) -> absl::StatusOr<v1::UpdateMeetingSeriesResponse> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(CheckUpdateMask(
            mask, {"meeting.title", "meeting.type", "meeting.audience", "meeting.host_id",
                   "meeting.start_time", "meeting.end_time", "meeting.window", "meeting.place",
                   "meeting.remote_allowed", "meeting.agenda", "horizon_days"}));
        const uint64_t id = request.series().id();
        const v1::Meeting in = ClientMeetingFields(request.series().meeting());
        // As in End: the occurrences are read first and locked with the series in one call,
        // under pass_mu_ (the pass, their only other writer, holds it).
        std::lock_guard pass_lock(pass_mu_);
        RETURN_IF_ERROR(Load(caller, id, "series.id").status());
        ASSIGN_OR_RETURN(auto occurrences, ReadOccurrences(store_, id));
        const std::string series_key = storage::SeriesKey(id);
        std::vector<std::string> keys = {series_key};
        for (const auto& o : occurrences) keys.push_back(storage::RecordKey(o.meeting_id));
        m.Lock(std::vector<std::string_view>(keys.begin(), keys.end()));
        ASSIGN_OR_RETURN(auto series, Load(caller, id, "series.id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, series.organization_id(), "series.id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "updating a meeting series"));
        const int32_t offset = org.utc_offset_minutes();
        v1::Meeting t = series.meeting();
        if (MaskHas(mask, "meeting.title")) t.set_title(in.title());
        if (MaskHas(mask, "meeting.type")) t.set_type(in.type());
        if (MaskHas(mask, "meeting.audience")) *t.mutable_audience() = in.audience();
        if (MaskHas(mask, "meeting.host_id")) t.set_host_id(in.host_id());
        if (MaskHas(mask, "meeting.start_time")) {
          const int64_t first_day = LocalDay(ToMicros(t.start_time()), offset);
          t.clear_start_time();
          if (in.has_start_time()) {
            if (LocalDay(ToMicros(in.start_time()), offset) != first_day) {
              return InvalidField("series.meeting.start_time",
                                  "must stay on the series' first date " + DateString(first_day) +
                                      " (its time of day is what changes); "
                                      "SplitMeetingSeries changes the dates");
            }
            *t.mutable_start_time() = in.start_time();
          }
        }
        if (MaskHas(mask, "meeting.end_time")) {
          t.clear_end_time();
          if (in.has_end_time()) *t.mutable_end_time() = in.end_time();
        }
        if (MaskHas(mask, "meeting.window")) {
          *t.mutable_window() = in.has_window() ? in.window() : attendance::DefaultWindow(t.type());
        }
        if (MaskHas(mask, "meeting.place")) {
          if (in.has_place()) {
            *t.mutable_place() = in.place();
          } else {
            t.clear_place();
          }
        }
        if (MaskHas(mask, "meeting.remote_allowed")) t.set_remote_allowed(in.remote_allowed());
        if (MaskHas(mask, "meeting.agenda")) t.set_agenda(in.agenda());
        if (MaskHas(mask, "horizon_days")) {
          const int32_t horizon = request.series().horizon_days();
          if (horizon < 0 || horizon > kMaxHorizonDays) {
            return InvalidField("series.horizon_days",
                                "must be 0..." + std::to_string(kMaxHorizonDays));
          }
          series.set_horizon_days(horizon);
        }
        RETURN_IF_ERROR(ValidateMeeting(t, "series.meeting."));
        ASSIGN_OR_RETURN(*series.mutable_meeting(),
                         meetings_.CheckReferences(caller, std::move(t), org));
        const int64_t now = clock_.NowMicros();
        v1::UpdateMeetingSeriesResponse response;
        for (const auto& o : occurrences) {
          internal::v1::MeetingRecord record;
          ASSIGN_OR_RETURN(
              bool found,
              store_.GetMessage(storage::Cf::kMeetings, storage::RecordKey(o.meeting_id), &record));
          if (!found || ToMicros(record.meeting().start_time()) <= now) continue;  // history
          ASSIGN_OR_RETURN(bool checked_in, HasCheckIn(store_, o.meeting_id));
          if (!Attached(o, record.meeting()) || checked_in) {
            response.add_kept_meeting_ids(o.meeting_id);
            continue;
          }
          v1::Meeting next = OccurrenceOf(series, o.day, offset, record.meeting());
          const uint64_t fingerprint = Fingerprint(next);
          meetings_.StageReplace(m.writes(), record, std::move(next));
          m.writes().Put(storage::Cf::kIndex, storage::SeriesOccurrenceKey(id, o.day),
                         OccurrenceValue(o.meeting_id, fingerprint));
          response.add_updated_meeting_ids(o.meeting_id);
        }
        *series.mutable_update_time() = ToTimestamp(now);
        // A longer horizon takes effect at once (the pass would reach it within the hour).
        if (!org.archived()) RETURN_IF_ERROR(StageOccurrences(m, caller, series, org).status());
        m.writes().PutMessage(storage::Cf::kMeetings, series_key, series);
        *response.mutable_series() = std::move(series);
        return response;
      });
}

absl::StatusOr<v1::SplitMeetingSeriesResponse> RecurringMeetings::Split(
    const Caller& caller, const v1::SplitMeetingSeriesRequest& request) {
  return RunIdempotent<v1::SplitMeetingSeriesResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SplitMeetingSeries"},
      request, clock_.NowMicros(),
      [&](Mutation& m) -> absl::StatusOr<v1::SplitMeetingSeriesResponse> {
        if (!request.has_from_date()) return InvalidField("from_date", "is required");
        ASSIGN_OR_RETURN(const int64_t from_day, DayOfDate(request.from_date(), "from_date"));
        std::lock_guard pass_lock(pass_mu_);
        RETURN_IF_ERROR(Load(caller, request.id(), "id").status());
        ASSIGN_OR_RETURN(auto occurrences, ReadOccurrences(store_, request.id()));
        const std::string series_key = storage::SeriesKey(request.id());
        std::vector<std::string> keys = {series_key};
        for (const auto& o : occurrences) keys.push_back(storage::RecordKey(o.meeting_id));
        m.Lock(std::vector<std::string_view>(keys.begin(), keys.end()));
        ASSIGN_OR_RETURN(auto old_series, Load(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, old_series.organization_id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "splitting a meeting series"));
        if (org.archived()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                  reasons::kOrganizationArchived, "id",
                                  "the series' organization is archived");
        }
        const int32_t offset = org.utc_offset_minutes();
        const int64_t now = clock_.NowMicros();
        ASSIGN_OR_RETURN(auto old_rule, calendar::ParseRecurrenceRule(old_series.rule(), "id"));
        const int64_t first_day = LocalDay(ToMicros(old_series.meeting().start_time()), offset);
        if (from_day < first_day) {
          return InvalidField("from_date",
                              "is before the series' first date " + DateString(first_day));
        }
        ASSIGN_OR_RETURN(auto last_day, LastDay(old_series, old_rule, offset));
        if (last_day && from_day > *last_day) {
          return InvalidField("from_date",
                              "is after the series' last date " + DateString(*last_day));
        }
        if (from_day < LocalDay(now, offset)) {
          return InvalidField("from_date", "is in the past: past occurrences are history");
        }
        // The new series: as CreateMeetingSeries, held by the same organisation, from from_date.
        v1::MeetingSeries in = request.series();
        if (in.meeting().organization_id() == 0) {
          in.mutable_meeting()->set_organization_id(org.id());
        } else if (in.meeting().organization_id() != org.id()) {
          return InvalidField("series.meeting.organization_id",
                              "must be the organization of the series split");
        }
        ASSIGN_OR_RETURN(auto draft, DraftSeries(caller, in));
        if (LocalDay(ToMicros(draft.meeting().start_time()), offset) < from_day) {
          return InvalidField("series.meeting.start_time",
                              "must be on or after from_date (it is the new series' first "
                              "occurrence)");
        }
        ASSIGN_OR_RETURN(auto new_series, StageNewSeries(m, caller, std::move(draft), org));
        ASSIGN_OR_RETURN(auto new_rule,
                         calendar::ParseRecurrenceRule(new_series.rule(), "series.rule"));
        // The days of the new series up to the old series' last created occurrence.
        int64_t last_created = from_day;
        for (const auto& o : occurrences) last_created = std::max(last_created, o.day);
        ASSIGN_OR_RETURN(auto skipped, holidays_.SkippedDays(org));
        std::set<int64_t> new_days;
        calendar::Expand(new_rule, ToMicros(new_series.meeting().start_time()), offset,
                         LocalDayStartMicros(last_created + 1, offset),
                         [&](const calendar::Occurrence& o) {
                           if (skipped.count(o.day) == 0) new_days.insert(o.day);
                           return true;
                         });
        const std::string reason = "会议系列自 " + DateString(from_day) + " 起调整";
        v1::SplitMeetingSeriesResponse response;
        std::set<int64_t> taken;  // days of the new series given an existing meeting
        for (const auto& o : occurrences) {
          if (o.day < from_day) continue;
          internal::v1::MeetingRecord record;
          ASSIGN_OR_RETURN(
              bool found,
              store_.GetMessage(storage::Cf::kMeetings, storage::RecordKey(o.meeting_id), &record));
          if (!found) continue;
          const v1::Meeting& meeting = record.meeting();
          const bool selected = new_days.count(o.day) > 0;
          const bool started = ToMicros(meeting.start_time()) <= now;
          ASSIGN_OR_RETURN(bool checked_in, HasCheckIn(store_, o.meeting_id));
          if (started || (checked_in && !meeting.cancelled())) {
            // Kept in the old series as it is; it is still that day's meeting, so the new
            // series lists it (detached) instead of creating a second one.
            response.add_kept_meeting_ids(o.meeting_id);
            if (selected) {
              m.writes().Put(storage::Cf::kIndex,
                             storage::SeriesOccurrenceKey(new_series.id(), o.day),
                             OccurrenceValue(o.meeting_id, kDetached));
              taken.insert(o.day);
            }
            continue;
          }
          if (!selected) {
            if (meeting.cancelled()) continue;  // cancelled alone before: stays in the old one
            meetings_.StageCancel(m.writes(), record, reason);
            response.add_cancelled_meeting_ids(o.meeting_id);
            continue;
          }
          // Moves to the new series: with its template while attached; an occurrence edited
          // or cancelled alone keeps its own values (a cancelled day stays cancelled).
          uint64_t fingerprint = kDetached;
          if (Attached(o, meeting)) {
            v1::Meeting next = OccurrenceOf(new_series, o.day, offset, meeting);
            fingerprint = Fingerprint(next);
            meetings_.StageReplace(m.writes(), record, std::move(next));
          }
          m.writes().Delete(storage::Cf::kIndex,
                            storage::SeriesOccurrenceKey(old_series.id(), o.day));
          m.writes().Put(storage::Cf::kIndex, storage::SeriesOccurrenceKey(new_series.id(), o.day),
                         OccurrenceValue(o.meeting_id, fingerprint));
          taken.insert(o.day);
          response.add_moved_meeting_ids(o.meeting_id);
        }
        // The old series ends the day before from_date.
        old_series.set_ended(true);
        *old_series.mutable_last_date() = DateOfDay(from_day - 1);
        *old_series.mutable_update_time() = ToTimestamp(now);
        if (!old_series.has_materialized_until() ||
            ToMicros(old_series.materialized_until()) >= LocalDayStartMicros(from_day, offset)) {
          m.writes().Delete(storage::Cf::kIndex, storage::ActiveSeriesKey(old_series.id()));
        }
        m.writes().PutMessage(storage::Cf::kMeetings, series_key, old_series);
        RETURN_IF_ERROR(StageOccurrences(m, caller, new_series, org, &taken).status());
        m.writes().PutMessage(storage::Cf::kMeetings, storage::SeriesKey(new_series.id()),
                              new_series);
        *response.mutable_old_series() = std::move(old_series);
        *response.mutable_new_series() = std::move(new_series);
        return response;
      });
}

absl::StatusOr<int> RecurringMeetings::MaterializeSeries(uint64_t series_id) {
  Mutation m(store_);
  const std::string key = storage::SeriesKey(series_id);
  m.Lock({key});
  v1::MeetingSeries series;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kMeetings, key, &series));
  if (!found) return absl::DataLossError("active series without a record");
  const Caller caller = SeriesCaller(series);
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, series.organization_id(), "series"));
  if (org.archived()) return 0;  // an archived organisation schedules nothing
  ASSIGN_OR_RETURN(int created, StageOccurrences(m, caller, series, org));
  m.writes().PutMessage(storage::Cf::kMeetings, key, series);
  RETURN_IF_ERROR(CommitMutation(m));
  return created;
}

absl::StatusOr<uint64_t> RecurringMeetings::MaterializeDue() {
  std::lock_guard pass_lock(pass_mu_);
  uint64_t total = 0;
  std::optional<uint32_t> tenant = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto next, NextTenant(store_, *tenant));
    if (!next) break;
    tenant = next;
    std::vector<uint64_t> ids;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::ActiveSeriesPrefix(*tenant), "",
                                [&](std::string_view key, std::string_view) {
                                  ids.push_back(storage::TrailingId(key));
                                  return true;
                                }));
    for (uint64_t id : ids) {
      if (timer_.Stopping()) return total;
      auto created = MaterializeSeries(id);
      if (!created.ok()) {
        spdlog::warn("meeting series {}: {}", id, created.status().ToString());
        continue;
      }
      total += static_cast<uint64_t>(*created);
    }
  }
  return total;
}

void RecurringMeetings::Start() {
  timer_.Start(options_.materialize_interval_micros, [this] {
    if (!store_.LeadsBackgroundWork()) return;  // another server of the database runs it
    auto created = MaterializeDue();
    if (!created.ok()) {
      spdlog::warn("meeting series pass: {}", created.status().ToString());
    } else if (*created > 0) {
      spdlog::info("meeting series pass: created {} meetings", *created);
    }
  });
}

}  // namespace branchline
