#include "services/calendar/recurring_meetings.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/attendance/check_in_rules.h"
#include "services/calendar/calendar_access.h"
#include "services/calendar/calendar_dates.h"
#include "services/calendar/recurrence.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
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

// One kSeriesOccurrence entry under `prefix`: its local day and meeting id.
absl::StatusOr<std::pair<int64_t, uint64_t>> ParseOccurrence(std::string_view prefix,
                                                             std::string_view key,
                                                             std::string_view value) {
  auto day = storage::KeyReader(key.substr(prefix.size())).I64();
  auto meeting = storage::KeyReader(value).U64();
  if (!day || !meeting) return absl::DataLossError("corrupt occurrence entry");
  return std::make_pair(*day, *meeting);
}

// Every created occurrence of a series, by date.
absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> ReadOccurrences(
    const storage::Store& store, uint64_t series_id) {
  std::vector<std::pair<int64_t, uint64_t>> out;
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
                                                        const v1::Organization& org) {
  ASSIGN_OR_RETURN(auto rule, calendar::ParseRecurrenceRule(series.rule(), "series.rule"));
  const int32_t offset = org.utc_offset_minutes();
  const int32_t horizon =
      series.horizon_days() > 0 ? series.horizon_days() : options_.default_horizon_days;
  int64_t bound = clock_.NowMicros() + horizon * kMicrosPerDay;
  std::optional<int64_t> last_day;
  if (series.ended()) {
    ASSIGN_OR_RETURN(last_day, calendar::DayOfDate(series.last_date(), "series.last_date"));
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
                   storage::KeyBuilder().U64(made->id()).key());
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

absl::StatusOr<v1::MeetingSeries> RecurringMeetings::Create(
    const Caller& caller, const v1::CreateMeetingSeriesRequest& request) {
  return RunIdempotent<v1::MeetingSeries>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateMeetingSeries"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::MeetingSeries> {
        const auto& in = request.series();
        v1::Meeting meeting = ClientMeetingFields(in.meeting());
        if (!meeting.has_window()) {
          *meeting.mutable_window() = attendance::DefaultWindow(meeting.type());
        }
        if (meeting.host_id() == 0 && !caller.service_account) {
          meeting.set_host_id(caller.person_id);
        }
        RETURN_IF_ERROR(ValidateMeeting(meeting, "series.meeting."));
        ASSIGN_OR_RETURN(auto rule, calendar::ParseRecurrenceRule(in.rule(), "series.rule"));
        if (in.horizon_days() < 0 || in.horizon_days() > kMaxHorizonDays) {
          return InvalidField("series.horizon_days",
                              "must be 0..." + std::to_string(kMaxHorizonDays));
        }
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(),
                                                   "series.meeting.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating a meeting series"));
        if (org.archived()) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "series.meeting.organization_id",
                            "organization is archived");
        }
        const int64_t now = clock_.NowMicros();
        const int64_t start = ToMicros(meeting.start_time());
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
        ASSIGN_OR_RETURN(meeting, meetings_.CheckReferences(caller, std::move(meeting), org));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
        v1::MeetingSeries series;
        series.set_id(id);
        series.set_organization_id(org.id());
        *series.mutable_meeting() = std::move(meeting);
        series.set_rule(std::string(TrimAscii(in.rule())));
        series.set_horizon_days(in.horizon_days());
        series.set_created_by(caller.person_id);
        *series.mutable_create_time() = ToTimestamp(now);
        *series.mutable_update_time() = ToTimestamp(now);
        m.writes().Put(storage::Cf::kIndex, storage::SeriesByOrgKey(org.id(), id), "");
        m.writes().Put(storage::Cf::kIndex, storage::ActiveSeriesKey(id), "");  // before Stage
        RETURN_IF_ERROR(StageOccurrences(m, caller, series, org).status());
        m.writes().PutMessage(storage::Cf::kMeetings, storage::SeriesKey(id), series);
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
                 *occurrence->mutable_date() = calendar::DateOfDay(parsed.first);
                 occurrence->set_meeting_id(parsed.second);
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
          ASSIGN_OR_RETURN(asked_last_day, calendar::DayOfDate(request.last_date(), "last_date"));
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
        for (const auto& [day, id] : occurrences) keys.push_back(storage::RecordKey(id));
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
        for (const auto& [day, id] : occurrences) {
          if (!asked_last_day || day > last_day) later.push_back(id);
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
        *series.mutable_last_date() = calendar::DateOfDay(last_day);
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
    auto created = MaterializeDue();
    if (!created.ok()) {
      spdlog::warn("meeting series pass: {}", created.status().ToString());
    } else if (*created > 0) {
      spdlog::info("meeting series pass: created {} meetings", *created);
    }
  });
}

}  // namespace branchline
