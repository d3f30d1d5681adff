#include "services/attendance/attendance_reports.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "services/attendance/absence_lookup.h"
#include "services/attendance/attendance_csv.h"
#include "services/attendance/meeting_index.h"
#include "services/attendance/schedule_periods.h"
#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr int64_t kMaxPeriodMicros = 400LL * 24 * 3600 * 1'000'000;

struct Period {
  int64_t from = 0;
  int64_t to = 0;
};

absl::StatusOr<Period> CheckPeriod(const google::protobuf::Timestamp* from,
                                   const google::protobuf::Timestamp* to) {
  if (!from) return InvalidField("start_time_from", "is required");
  if (!to) return InvalidField("start_time_to", "is required");
  Period p{ToMicros(*from), ToMicros(*to)};
  if (p.to <= p.from) return InvalidField("start_time_to", "must be after start_time_from");
  if (p.to - p.from > kMaxPeriodMicros) {
    return InvalidField("start_time_to", "the period may be at most 400 days");
  }
  return p;
}

void AddCounts(const v1::StatusCounts& c, v1::StatusCounts* into) {
  into->set_expected(into->expected() + c.expected());
  into->set_present(into->present() + c.present());
  into->set_late(into->late() + c.late());
  into->set_remote(into->remote() + c.remote());
  into->set_excused(into->excused() + c.excused());
  into->set_made_up(into->made_up() + c.made_up());
  into->set_absent(into->absent() + c.absent());
}

v1::ScheduleRule Rule(v1::MeetingType type, v1::ScheduleFrequency f) {
  v1::ScheduleRule r;
  r.set_type(type);
  r.set_frequency(f);
  r.set_min_count(1);
  return r;
}

bool Held(const v1::Meeting& m, int64_t now) {
  return !m.cancelled() && ToMicros(m.start_time()) <= now;
}

// The team of each person for a report's by_team: the child of the report's root whose
// subtree holds their organisation (on the meeting's date, for the people a meeting expects),
// or the root. The subtree's people on rosters now are looked up once through the organisation
// index; anyone else (off rosters, or moved out of the subtree after a check-in) once by
// reading their record. An audience organisation's memberships are read once per report and
// kept; who a meeting expects is then the memberships that cover its date. Not thread-safe:
// one per report.
class TeamIndex {
 public:
  // Who a meeting expects (its audience's people on rosters on its date, or its listed people)
  // with their team, and how many of them each team has.
  struct Audience {
    absl::flat_hash_map<uint64_t, uint64_t> people;  // person -> team
    std::map<uint64_t, int> by_team;
  };

  TeamIndex(const storage::Store& store, const PeopleDirectory& people,
            const v1::Organization& root, const std::vector<v1::Organization>& orgs,
            int64_t first_day)
      : store_(store), people_(people), root_(root.id()), first_day_(first_day) {
    for (const auto& o : orgs) team_of_org_[o.id()] = TeamOfOrg(root, o);
  }

  // The child of `root` on the path to `org` (an organisation of its subtree), or the root.
  static uint64_t TeamOfOrg(const v1::Organization& root, const v1::Organization& org) {
    const int depth = root.ancestor_ids_size();
    return org.id() == root.id()                 ? root.id()
           : org.ancestor_ids_size() > depth + 1 ? org.ancestor_ids(depth + 1)
                                                 : org.id();
  }

  // The team of every current membership of the subtree on rosters.
  absl::Status Load() {
    return people_.ForEachRosterSpanInSubtree(
        root_, std::nullopt, [&](const PeopleDirectory::RosterSpan& span) {
          team_of_person_.emplace(span.person_id, TeamOfOrg(span));
          return true;
        });
  }

  absl::StatusOr<uint64_t> TeamOf(uint64_t person_id) {
    auto it = team_of_person_.find(person_id);
    if (it != team_of_person_.end()) return it->second;
    v1::Person person;
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kPeople,
                                                   storage::RecordKey(person_id), &person));
    uint64_t team = root_;
    if (found) {
      auto org = team_of_org_.find(person.organization_id());
      if (org != team_of_org_.end()) team = org->second;
    }
    team_of_person_.emplace(person_id, team);
    return team;
  }

  // The audience of `meeting` on its local day `day`; valid until the next call.
  absl::StatusOr<const Audience*> AudienceOf(const v1::Meeting& meeting, int64_t day) {
    if (meeting.audience().person_ids_size() > 0) {
      audience_ = Audience();
      audience_key_.reset();
      for (uint64_t id : meeting.audience().person_ids()) {
        ASSIGN_OR_RETURN(uint64_t team, TeamOf(id));
        if (audience_.people.emplace(id, team).second) ++audience_.by_team[team];
      }
      return &audience_;
    }
    const uint64_t org = meeting.audience().organization_id();
    const bool members_only = meeting.audience().members_only();
    const auto key = std::make_tuple(org, members_only, day);
    if (audience_key_ == key) return &audience_;
    auto spans = spans_of_org_.find(org);
    if (spans == spans_of_org_.end()) {
      std::vector<PeopleDirectory::RosterSpan> loaded;
      RETURN_IF_ERROR(people_.ForEachRosterSpanInSubtree(
          org, first_day_, [&](const PeopleDirectory::RosterSpan& span) {
            loaded.push_back(span);
            return true;
          }));
      spans = spans_of_org_.emplace(org, std::move(loaded)).first;
    }
    audience_ = Audience();
    for (const auto& span : spans->second) {
      if (!span.Covers(day, members_only)) continue;
      const uint64_t team = TeamOfOrg(span);
      if (audience_.people.emplace(span.person_id, team).second) ++audience_.by_team[team];
    }
    audience_key_ = key;
    return &audience_;
  }

 private:
  uint64_t TeamOfOrg(const PeopleDirectory::RosterSpan& span) const {
    auto it = team_of_org_.find(span.organization_id);
    return it == team_of_org_.end() ? root_ : it->second;
  }

  const storage::Store& store_;
  const PeopleDirectory& people_;
  const uint64_t root_;
  const int64_t first_day_;  // of the report's period: older ended memberships are not read
  absl::flat_hash_map<uint64_t, uint64_t> team_of_org_;
  absl::flat_hash_map<uint64_t, uint64_t> team_of_person_;
  // The memberships of each audience organisation's subtree (a handful of organisations).
  absl::flat_hash_map<uint64_t, std::vector<PeopleDirectory::RosterSpan>> spans_of_org_;
  // The last audience: a report's meetings come organisation by organisation in date order.
  std::optional<std::tuple<uint64_t, bool, int64_t>> audience_key_;
  Audience audience_;
};
}  // namespace

std::vector<v1::ScheduleRule> DefaultScheduleRules() {
  return {Rule(v1::MEETING_TYPE_GENERAL_MEETING, v1::SCHEDULE_FREQUENCY_QUARTERLY),
          Rule(v1::MEETING_TYPE_COMMITTEE_MEETING, v1::SCHEDULE_FREQUENCY_MONTHLY),
          Rule(v1::MEETING_TYPE_GROUP_MEETING, v1::SCHEDULE_FREQUENCY_MONTHLY),
          Rule(v1::MEETING_TYPE_PARTY_LECTURE, v1::SCHEDULE_FREQUENCY_QUARTERLY),
          Rule(v1::MEETING_TYPE_THEME_PARTY_DAY, v1::SCHEDULE_FREQUENCY_MONTHLY),
          Rule(v1::MEETING_TYPE_ORGANIZATIONAL_LIFE, v1::SCHEDULE_FREQUENCY_YEARLY)};
}

void CountStatus(v1::AttendanceStatus status, v1::StatusCounts* c) {
  switch (status) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      c->set_present(c->present() + 1);
      break;
    case v1::ATTENDANCE_STATUS_LATE:
      c->set_late(c->late() + 1);
      break;
    case v1::ATTENDANCE_STATUS_REMOTE:
      c->set_remote(c->remote() + 1);
      break;
    case v1::ATTENDANCE_STATUS_EXCUSED:
      c->set_excused(c->excused() + 1);
      break;
    case v1::ATTENDANCE_STATUS_MADE_UP:
      c->set_made_up(c->made_up() + 1);
      break;
    default:
      c->set_absent(c->absent() + 1);
  }
}

void FillRates(v1::AttendanceRates* rates) {
  const auto& c = rates->counts();
  if (c.expected() == 0) {
    rates->set_attendance_rate(0);
    rates->set_completion_rate(0);
    return;
  }
  double attended = c.present() + c.late() + c.remote();
  rates->set_attendance_rate(attended / c.expected());
  rates->set_completion_rate((attended + c.excused() + c.made_up()) / c.expected());
}

absl::Status AttendanceReports::BuildRoster(const Caller& caller, const v1::Meeting& meeting,
                                            uint64_t offset, uint64_t limit,
                                            std::vector<v1::RosterEntry>* entries,
                                            v1::StatusCounts* counts,
                                            std::vector<v1::Person>* people) const {
  // Every record of the meeting is needed for the counts but only the page's in full: keep
  // each one's status and raw bytes (parsed into one reused message), and parse the page's
  // records again at the end. Flat hash containers: a map of 10,000 parsed records spent
  // most of a roster's time in malloc and free (bench/ profile).
  struct StoredRecord {
    v1::AttendanceStatus status;
    uint32_t offset;  // into `raw`
    uint32_t size;
  };
  std::string raw;
  absl::flat_hash_map<uint64_t, StoredRecord> records;
  absl::Status inner;
  v1::AttendanceRecord scratch;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kAttendance, storage::AttendancePrefix(meeting.id()), "",
                              [&](std::string_view, std::string_view value) {
                                inner = CancellationCheckpoint();
                                if (!inner.ok()) return false;
                                if (!scratch.ParseFromArray(value.data(), value.size())) {
                                  inner = absl::DataLossError("attendance record does not parse");
                                  return false;
                                }
                                records[scratch.person_id()] = {
                                    scratch.status(), static_cast<uint32_t>(raw.size()),
                                    static_cast<uint32_t>(value.size())};
                                raw.append(value);
                                return true;
                              }));
  RETURN_IF_ERROR(inner);
  // Who an approved absence excuses: one scan of the meeting's local date (its organisation's
  // UTC offset) in the absence day index, read now so meetings scheduled after the approval
  // are covered too.
  ASSIGN_OR_RETURN(auto holder, access_.LoadOrg(caller, meeting.organization_id(), "meeting_id"));
  const int64_t meeting_day = LocalDay(ToMicros(meeting.start_time()), holder.utc_offset_minutes());
  ASSIGN_OR_RETURN(auto away,
                   attendance::AbsentOnDay(store_, storage::TenantOfId(meeting.id()), meeting_day));
  auto status_of = [&](uint64_t id) {
    auto it = records.find(id);
    return attendance::WithAbsence(
        it == records.end() ? v1::ATTENDANCE_STATUS_ABSENT : it->second.status, away.contains(id));
  };
  // First pass: walk the roster in order by person id only, counting every entry and keeping
  // the ids of the requested slice. Only the slice's people are read afterwards: reading and
  // copying every person of a 10,000-person audience for each page of 1,000 cost ~30 ms.
  absl::flat_hash_set<uint64_t> listed;
  listed.reserve(records.size() + 1024);
  std::vector<uint64_t> slice;
  const uint64_t end = limit > std::numeric_limits<uint64_t>::max() - offset
                           ? std::numeric_limits<uint64_t>::max()
                           : offset + limit;
  uint64_t position = 0;
  auto add = [&](uint64_t id) {
    if (!listed.insert(id).second) return;
    CountStatus(status_of(id), counts);
    counts->set_expected(counts->expected() + 1);
    if (position >= offset && position < end) slice.push_back(id);
    ++position;
  };
  // The organisation of each expected person on the meeting's date, when they have left it
  // since (the others are in their current one).
  absl::flat_hash_map<uint64_t, uint64_t> org_then;
  // A person named in a list audience (or with a record) appears when their record exists.
  auto add_if_exists = [&](uint64_t id) -> absl::Status {
    if (listed.count(id)) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto found, store_.Get(storage::Cf::kPeople, storage::RecordKey(id)));
    if (found) add(id);
    return absl::OkStatus();
  };
  if (meeting.audience().person_ids_size() > 0) {
    for (uint64_t id : meeting.audience().person_ids()) RETURN_IF_ERROR(add_if_exists(id));
  } else {
    // Who belonged to the audience on the meeting's date (memberships with dates), and where.
    RETURN_IF_ERROR(people_.ForEachRosterSpanInSubtree(
        meeting.audience().organization_id(), meeting_day,
        [&](const PeopleDirectory::RosterSpan& span) {
          if (span.Covers(meeting_day, meeting.audience().members_only())) {
            add(span.person_id);
            if (span.to_day != kCurrent) org_then[span.person_id] = span.organization_id;
          }
          return true;
        }));
  }
  // People with a record who are no longer in the audience still appear (their check-in
  // happened).
  std::vector<uint64_t> departed;  // in id order, as before, so the roster order is stable
  for (const auto& [id, record] : records) {
    if (!listed.count(id)) departed.push_back(id);
  }
  std::sort(departed.begin(), departed.end());
  for (uint64_t id : departed) RETURN_IF_ERROR(add_if_exists(id));

  // Second pass: the entries of the slice.
  entries->reserve(slice.size());
  for (uint64_t id : slice) {
    v1::Person p;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &p));
    if (!found) {
      // Counted a moment ago; a person record is never deleted, so this is damage.
      return absl::DataLossError("person " + std::to_string(id) + " of the roster is missing");
    }
    v1::RosterEntry e;
    e.set_person_id(p.id());
    e.set_display_name(p.display_name());
    auto then = org_then.find(id);
    e.set_organization_id(then != org_then.end() ? then->second : p.organization_id());
    auto it = records.find(id);
    e.set_status(status_of(id));
    if (auto a = away.find(id); a != away.end() && e.status() == v1::ATTENDANCE_STATUS_EXCUSED &&
                                (it == records.end() || it->second.status != e.status())) {
      e.set_absence_id(a->second.absence_id);
      e.set_absence_label(
          attendance::AbsenceLabel(a->second.type, a->second.from_day, a->second.to_day));
    }
    if (it != records.end() &&
        !e.mutable_record()->ParseFromArray(raw.data() + it->second.offset, it->second.size)) {
      return absl::DataLossError("attendance record does not parse");
    }
    entries->push_back(std::move(e));
    if (people) people->push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Roster> AttendanceReports::Roster(const Caller& caller,
                                                     const v1::GetRosterRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
  RETURN_IF_ERROR(meetings_.RequireRunOrRead(caller, stored.meeting(), "reading the roster"));
  std::string query = storage::KeyBuilder(storage::TenantOfId(request.meeting_id()))
                          .Str("roster")
                          .U64(request.meeting_id())
                          .key();
  uint64_t offset = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string key, DecodePageToken(request.page_token(), query));
    storage::KeyReader r(std::string_view(key).substr(query.size()));
    auto o = r.U64();
    if (!o || !r.done()) return InvalidField("page_token", "is not a token of this query");
    offset = *o;
  }
  v1::Roster roster;
  *roster.mutable_meeting() = stored.meeting();
  std::vector<v1::RosterEntry> entries;
  RETURN_IF_ERROR(
      BuildRoster(caller, stored.meeting(), offset, page_size, &entries, roster.mutable_counts()));
  for (auto& e : entries) *roster.add_entries() = std::move(e);
  uint64_t end = offset + entries.size();
  if (end < static_cast<uint64_t>(roster.counts().expected())) {
    roster.set_next_page_token(EncodePageToken(query + storage::KeyBuilder().U64(end).key()));
  }
  return roster;
}

absl::StatusOr<std::vector<v1::Meeting>> AttendanceReports::MeetingsExpecting(
    const Caller& caller, const v1::Person& person, const v1::Organization& org, int64_t from,
    int64_t to, const std::function<bool(const v1::Meeting&)>& accept) const {
  // The meetings listing the person, then, for each of their memberships in the period (the
  // current one while they are active, and the ended ones), the meetings of the membership's
  // organisation and its ancestors held while it lasted (members-only ones while they were a
  // party member). Merged in (start, id) order, each once.
  ASSIGN_OR_RETURN(auto meetings, attendance::MergeMeetingIndexes(
                                      store_, {storage::MeetingByPersonPrefix(person.id())}, from,
                                      to, std::nullopt, 0, accept));
  std::vector<v1::Membership> memberships;
  // A person deactivated before memberships had dates has no ended membership to show where
  // they were: their last one counts as before (a deactivation since then dates it).
  if (person.active() || !person.has_membership_since()) {
    auto& current = memberships.emplace_back();
    current.set_organization_id(person.organization_id());
    current.set_role(person.role());
    if (person.has_membership_since()) *current.mutable_from_date() = person.membership_since();
  }
  ASSIGN_OR_RETURN(auto ended, EndedMemberships(store_, person.id()));
  for (auto& m : ended) memberships.push_back(std::move(m));
  for (const auto& membership : memberships) {
    v1::Organization held = org;
    if (membership.organization_id() != org.id()) {
      auto loaded = access_.LoadOrg(caller, membership.organization_id(), "person_id");
      if (absl::IsNotFound(loaded.status())) continue;  // never deleted; damage is not ours
      RETURN_IF_ERROR(loaded.status());
      held = *std::move(loaded);
    }
    int64_t window_from = from, window_to = to;
    if (membership.has_from_date()) {
      ASSIGN_OR_RETURN(int64_t day, DayOfDate(membership.from_date(), "person_id"));
      window_from = std::max(from, LocalDayStartMicros(day, held.utc_offset_minutes()));
    }
    if (membership.has_to_date()) {
      ASSIGN_OR_RETURN(int64_t day, DayOfDate(membership.to_date(), "person_id"));
      window_to = std::min(to, LocalDayStartMicros(day + 1, held.utc_offset_minutes()));
    }
    if (window_from >= window_to) continue;
    std::vector<std::string> prefixes = {storage::MeetingByAudienceOrgPrefix(held.id())};
    for (uint64_t a : held.ancestor_ids()) {
      prefixes.push_back(storage::MeetingByAudienceOrgPrefix(a));
    }
    const bool party_member = Access::IsPartyMember(membership.role());
    ASSIGN_OR_RETURN(
        auto found,
        attendance::MergeMeetingIndexes(
            store_, prefixes, window_from, window_to, std::nullopt, 0, [&](const v1::Meeting& m) {
              return (party_member || !m.audience().members_only()) && accept(m);
            }));
    for (auto& m : found) meetings.push_back(std::move(m));
  }
  auto order = [](const v1::Meeting& a, const v1::Meeting& b) {
    return std::make_pair(ToMicros(a.start_time()), a.id()) <
           std::make_pair(ToMicros(b.start_time()), b.id());
  };
  std::sort(meetings.begin(), meetings.end(), order);
  meetings.erase(
      std::unique(meetings.begin(), meetings.end(),
                  [](const v1::Meeting& a, const v1::Meeting& b) { return a.id() == b.id(); }),
      meetings.end());
  return meetings;
}

absl::StatusOr<v1::AttendanceHistory> AttendanceReports::History(
    const Caller& caller, const v1::GetAttendanceHistoryRequest& request) const {
  uint64_t person_id = request.person_id() ? request.person_id() : caller.person_id;
  if (caller.service_account && request.person_id() == 0) {
    return InvalidField("person_id", "is required");
  }
  ASSIGN_OR_RETURN(auto person, people_.Load(caller, person_id, "person_id"));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, person.organization_id(), "person_id"));
  bool self = !caller.service_account && caller.person_id == person.id();
  if (!self && !Access::Manages(caller, org) &&
      !Access::ServiceMay(caller, org, v1::SCOPE_ATTENDANCE_READ)) {
    return Denied("reading the attendance of person " + std::to_string(person.id()));
  }
  ASSIGN_OR_RETURN(auto period,
                   CheckPeriod(request.has_start_time_from() ? &request.start_time_from() : nullptr,
                               request.has_start_time_to() ? &request.start_time_to() : nullptr));
  int64_t now = clock_.NowMicros();
  ASSIGN_OR_RETURN(auto meetings,
                   MeetingsExpecting(caller, person, org, period.from, period.to,
                                     [&](const v1::Meeting& m) { return Held(m, now); }));
  // The person's approved absences (a handful), matched against each meeting's local date in
  // its holding organisation's UTC offset (organisations read once each).
  ASSIGN_OR_RETURN(auto absences, attendance::ApprovedAbsencesOf(store_, person.id()));
  absl::flat_hash_map<uint64_t, int32_t> offsets = {{org.id(), org.utc_offset_minutes()}};
  absl::Status offset_error;
  auto covering_of = [&](const v1::Meeting& m) -> const attendance::ApprovedRange* {
    if (absences.empty()) return nullptr;
    auto it = offsets.find(m.organization_id());
    if (it == offsets.end()) {
      auto holder = access_.LoadOrg(caller, m.organization_id(), "person_id");
      if (!holder.ok()) {
        offset_error = holder.status();
        return nullptr;
      }
      it = offsets.emplace(m.organization_id(), holder->utc_offset_minutes()).first;
    }
    const int64_t day = LocalDay(ToMicros(m.start_time()), it->second);
    for (const auto& a : absences) {
      if (a.from_day <= day && day <= a.to_day) return &a;
    }
    return nullptr;
  };
  v1::AttendanceHistory history;
  history.set_person_id(person.id());
  auto* counts = history.mutable_rates()->mutable_counts();
  for (auto& m : meetings) {
    RETURN_IF_ERROR(CancellationCheckpoint());
    v1::AttendanceRecord record;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kAttendance,
                                       storage::AttendanceKey(m.id(), person.id()), &record));
    auto* e = history.add_entries();
    const v1::AttendanceStatus recorded = found ? record.status() : v1::ATTENDANCE_STATUS_ABSENT;
    const attendance::ApprovedRange* covering = covering_of(m);
    RETURN_IF_ERROR(offset_error);
    e->set_status(attendance::WithAbsence(recorded, covering != nullptr));
    if (covering && e->status() != recorded) {
      e->set_absence_id(covering->id);
      e->set_absence_label(covering->label);
    }
    CountStatus(e->status(), counts);
    counts->set_expected(counts->expected() + 1);
    *e->mutable_meeting() = std::move(m);
  }
  FillRates(history.mutable_rates());
  return history;
}

absl::StatusOr<v1::AttendanceReport> AttendanceReports::Report(
    const Caller& caller, const v1::GetAttendanceReportRequest& request) const {
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, root) &&
      !Access::ServiceMay(caller, root, v1::SCOPE_ATTENDANCE_READ)) {
    return Denied("reading the attendance report of organization " + std::to_string(root.id()));
  }
  ASSIGN_OR_RETURN(auto period,
                   CheckPeriod(request.has_start_time_from() ? &request.start_time_from() : nullptr,
                               request.has_start_time_to() ? &request.start_time_to() : nullptr));
  int64_t now = clock_.NowMicros();
  std::vector<v1::Organization> orgs = {root};
  absl::Status inner;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(root.id()), "",
                              [&](std::string_view key, std::string_view) {
                                v1::Organization o;
                                auto found = store_.GetMessage(
                                    storage::Cf::kOrganizations,
                                    storage::RecordKey(storage::TrailingId(key)), &o);
                                if (!found.ok()) inner = found.status();
                                if (found.ok() && *found) orgs.push_back(std::move(o));
                                return found.ok();
                              }));
  RETURN_IF_ERROR(inner);
  std::map<uint64_t, std::string> names;
  for (const auto& o : orgs) names[o.id()] = o.name();
  // Ended memberships matter from the period's first day (a day early or two: the
  // organisations' offsets may differ).
  TeamIndex teams(store_, people_, root, orgs,
                  LocalDay(period.from, root.utc_offset_minutes()) - 2);
  RETURN_IF_ERROR(teams.Load());

  v1::AttendanceReport report;
  report.set_organization_id(root.id());
  std::map<int, v1::TypeRates> by_type;
  std::map<uint64_t, v1::OrganizationRates> by_org;
  std::map<uint64_t, v1::OrganizationRates> by_team;
  auto row = [&](std::map<uint64_t, v1::OrganizationRates>& rows,
                 uint64_t id) -> v1::OrganizationRates& {
    auto& r = rows[id];
    r.set_organization_id(id);
    r.set_name(names[id]);
    r.set_meetings(r.meetings() + 1);
    return r;
  };
  absl::flat_hash_map<int64_t, absl::flat_hash_map<uint64_t, attendance::Away>> away_by_day;
  for (const auto& o : orgs) {
    // The sub-organisation a meeting is reported under: the root's child on the path to it.
    const uint64_t sub = TeamIndex::TeamOfOrg(root, o);
    ASSIGN_OR_RETURN(auto meetings,
                     attendance::MergeMeetingIndexes(
                         store_, {storage::MeetingByOrgPrefix(o.id())}, period.from, period.to,
                         std::nullopt, 0, [&](const v1::Meeting& m) { return Held(m, now); }));
    for (const auto& m : meetings) {
      RETURN_IF_ERROR(CancellationCheckpoint());
      absl::flat_hash_map<uint64_t, v1::AttendanceStatus> recorded;
      RETURN_IF_ERROR(store_.Scan(storage::Cf::kAttendance, storage::AttendancePrefix(m.id()), "",
                                  [&](std::string_view, std::string_view value) {
                                    inner = CancellationCheckpoint();
                                    if (!inner.ok()) return false;
                                    v1::AttendanceRecord r;
                                    if (!r.ParseFromArray(value.data(), value.size())) {
                                      inner = absl::DataLossError("attendance does not parse");
                                      return false;
                                    }
                                    recorded[r.person_id()] = r.status();
                                    return true;
                                  }));
      RETURN_IF_ERROR(inner);
      // Approved absences of the meeting's local date: each day's index scanned once per
      // report.
      const int64_t day = LocalDay(ToMicros(m.start_time()), o.utc_offset_minutes());
      ASSIGN_OR_RETURN(const TeamIndex::Audience* audience, teams.AudienceOf(m, day));
      auto away_it = away_by_day.find(day);
      if (away_it == away_by_day.end()) {
        ASSIGN_OR_RETURN(auto away,
                         attendance::AbsentOnDay(store_, storage::TenantOfId(m.id()), day));
        away_it = away_by_day.emplace(day, std::move(away)).first;
      }
      const auto& away = away_it->second;
      // The roster's counts, by team: everyone with a record (those who left the audience
      // too: their check-in happened), the people away that day among the expected ones, and
      // the other expected people as absent. O(records + people away), not O(audience).
      std::map<uint64_t, v1::StatusCounts> counts;
      std::map<uint64_t, int> unrecorded = audience->by_team;
      auto count = [&](uint64_t person, v1::AttendanceStatus status) -> absl::Status {
        auto expected_as = audience->people.find(person);
        const bool expected = expected_as != audience->people.end();
        uint64_t team = expected ? expected_as->second : 0;
        if (!expected) {
          ASSIGN_OR_RETURN(team, teams.TeamOf(person));
        }
        auto& c = counts[team];
        CountStatus(attendance::WithAbsence(status, expected && away.contains(person)), &c);
        c.set_expected(c.expected() + 1);
        if (expected) --unrecorded[team];
        return absl::OkStatus();
      };
      for (const auto& [person, status] : recorded) RETURN_IF_ERROR(count(person, status));
      for (const auto& entry : away) {
        if (!recorded.contains(entry.first) && audience->people.contains(entry.first)) {
          RETURN_IF_ERROR(count(entry.first, v1::ATTENDANCE_STATUS_ABSENT));
        }
      }
      for (const auto& [team, n] : unrecorded) {
        auto& c = counts[team];
        c.set_absent(c.absent() + n);
        c.set_expected(c.expected() + n);
      }
      v1::StatusCounts c;
      for (const auto& [team, team_counts] : counts) {
        if (team_counts.expected() == 0) continue;  // nobody of this team was expected
        AddCounts(team_counts, &c);
        AddCounts(team_counts, row(by_team, team).mutable_rates()->mutable_counts());
      }
      report.set_meetings(report.meetings() + 1);
      AddCounts(c, report.mutable_total()->mutable_counts());
      auto& t = by_type[m.type()];
      t.set_type(m.type());
      t.set_meetings(t.meetings() + 1);
      AddCounts(c, t.mutable_rates()->mutable_counts());
      AddCounts(c, row(by_org, sub).mutable_rates()->mutable_counts());
    }
  }
  FillRates(report.mutable_total());
  for (auto& [type, t] : by_type) {
    FillRates(t.mutable_rates());
    *report.add_by_type() = std::move(t);
  }
  for (auto& [id, s] : by_org) {
    FillRates(s.mutable_rates());
    *report.add_by_organization() = std::move(s);
  }
  for (auto& [id, s] : by_team) {
    FillRates(s.mutable_rates());
    *report.add_by_team() = std::move(s);
  }
  return report;
}

absl::StatusOr<v1::MeetingSchedule> AttendanceReports::EffectiveSchedule(
    const v1::Organization& org) const {
  v1::MeetingSchedule schedule;
  schedule.set_organization_id(org.id());
  std::vector<uint64_t> chain = {org.id()};
  for (int i = org.ancestor_ids_size() - 1; i >= 0; --i) chain.push_back(org.ancestor_ids(i));
  for (uint64_t id : chain) {
    internal::v1::ScheduleRecord record;
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kMeetings,
                                                   storage::MeetingScheduleKey(id), &record));
    if (found) {
      *schedule.mutable_rules() = record.rules();
      schedule.set_source_organization_id(id);
      return schedule;
    }
  }
  for (auto& r : DefaultScheduleRules()) *schedule.add_rules() = std::move(r);
  return schedule;
}

absl::StatusOr<v1::MeetingSchedule> AttendanceReports::GetSchedule(
    const Caller& caller, const v1::GetMeetingScheduleRequest& request) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, org) &&
      !Access::ServiceMay(caller, org, v1::SCOPE_ATTENDANCE_READ)) {
    return Denied("reading the meeting schedule of organization " + std::to_string(org.id()));
  }
  return EffectiveSchedule(org);
}

absl::StatusOr<v1::MeetingSchedule> AttendanceReports::SetSchedule(
    const Caller& caller, const v1::SetMeetingScheduleRequest& request) {
  return RunIdempotent<v1::MeetingSchedule>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SetMeetingSchedule"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::MeetingSchedule> {
        const auto& in = request.schedule();
        std::set<int> types;
        for (const auto& r : in.rules()) {
          if (!v1::MeetingType_IsValid(r.type()) || r.type() == v1::MEETING_TYPE_UNSPECIFIED) {
            return InvalidField("schedule.rules.type", "must be a known meeting type");
          }
          if (!v1::ScheduleFrequency_IsValid(r.frequency()) ||
              r.frequency() == v1::SCHEDULE_FREQUENCY_UNSPECIFIED) {
            return InvalidField("schedule.rules.frequency", "must be a known frequency");
          }
          if (r.min_count() < 0 || r.min_count() > 31) {
            return InvalidField("schedule.rules.min_count", "must be 0..31");
          }
          if (!types.insert(r.type()).second) {
            return InvalidField("schedule.rules", "names a meeting type twice");
          }
        }
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "schedule.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "setting the meeting schedule"));
        std::string key = storage::MeetingScheduleKey(org.id());
        m.Lock({key});
        v1::MeetingSchedule out;
        if (in.rules_size() == 0) {
          m.writes().Delete(storage::Cf::kMeetings, key);
          // Inherit again: what the ancestors say.
          v1::Organization parent_view = org;
          if (org.ancestor_ids_size() > 0) {
            ASSIGN_OR_RETURN(parent_view, access_.LoadOrg(caller, org.parent_id(), "schedule"));
            ASSIGN_OR_RETURN(out, EffectiveSchedule(parent_view));
          } else {
            for (auto& r : DefaultScheduleRules()) *out.add_rules() = std::move(r);
          }
        } else {
          internal::v1::ScheduleRecord record;
          record.set_organization_id(org.id());
          *record.mutable_rules() = in.rules();
          m.writes().PutMessage(storage::Cf::kMeetings, key, record);
          *out.mutable_rules() = in.rules();
          out.set_source_organization_id(org.id());
        }
        out.set_organization_id(org.id());
        RecordChange(m.writes(), "meeting_schedule", org.id(), org.id(), "updated");
        return out;
      });
}

absl::StatusOr<v1::ComplianceReport> AttendanceReports::Compliance(
    const Caller& caller, const v1::GetComplianceReportRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.year() < 2000 || request.year() > 2100)
    return InvalidField("year", "must be 2000..2100");
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, root) &&
      !Access::ServiceMay(caller, root, v1::SCOPE_ATTENDANCE_READ)) {
    return Denied("reading the compliance of organization " + std::to_string(root.id()));
  }
  v1::ComplianceReport report;
  report.set_year(request.year());
  std::vector<v1::Organization> branches;
  if (root.kind() == v1::ORGANIZATION_KIND_BRANCH) {
    if (!request.page_token().empty())
      return InvalidField("page_token", "is not a token of this query");
    branches.push_back(root);
  } else {
    ASSIGN_OR_RETURN(
        *report.mutable_next_page_token(),
        ScanPage(store_, storage::Cf::kIndex, storage::OrgDescendantPrefix(root.id()),
                 request.page_token(), page_size,
                 [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                   v1::Organization o;
                   ASSIGN_OR_RETURN(
                       bool found,
                       store_.GetMessage(storage::Cf::kOrganizations,
                                         storage::RecordKey(storage::TrailingId(key)), &o));
                   if (!found || o.archived() || o.kind() != v1::ORGANIZATION_KIND_BRANCH) {
                     return false;
                   }
                   branches.push_back(std::move(o));
                   return true;
                 }));
  }
  int64_t now = clock_.NowMicros();
  for (const auto& branch : branches) {
    RETURN_IF_ERROR(CancellationCheckpoint());
    ASSIGN_OR_RETURN(auto schedule, EffectiveSchedule(branch));
    const int32_t offset = branch.utc_offset_minutes();
    // Each rule's periods; the meetings read cover all of them (ISO weeks may reach into the
    // neighbouring years).
    std::vector<std::vector<attendance::SchedulePeriod>> periods;
    int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
    for (const auto& rule : schedule.rules()) {
      periods.push_back(attendance::SchedulePeriods(rule.frequency(), request.year(), offset));
      first = std::min(first, periods.back().front().from);
      last = std::max(last, periods.back().back().to);
    }
    std::vector<std::string> prefixes = {storage::MeetingByOrgPrefix(branch.id())};
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(branch.id()), "",
                                [&](std::string_view key, std::string_view) {
                                  prefixes.push_back(
                                      storage::MeetingByOrgPrefix(storage::TrailingId(key)));
                                  return true;
                                }));
    ASSIGN_OR_RETURN(auto held, attendance::MergeMeetingIndexes(
                                    store_, prefixes, first, last, std::nullopt, 0,
                                    [&](const v1::Meeting& m) { return Held(m, now); }));
    auto* b = report.add_branches();
    b->set_organization_id(branch.id());
    b->set_name(branch.name());
    for (int r = 0; r < schedule.rules_size(); ++r) {
      const auto& rule = schedule.rules(r);
      for (const auto& period : periods[r]) {
        const int64_t from = period.from, to = period.to;
        int count = 0;
        for (const auto& m : held) {
          int64_t s = ToMicros(m.start_time());
          if (m.type() == rule.type() && s >= from && s < to) ++count;
        }
        v1::PeriodCompliance p;
        p.set_type(rule.type());
        p.set_period(period.label);
        *p.mutable_period_start() = ToTimestamp(from);
        *p.mutable_period_end() = ToTimestamp(to);
        p.set_required(std::max(1, rule.min_count()));
        p.set_held(count);
        p.set_state(count >= p.required() ? v1::PERIOD_STATE_MET
                    : to <= now           ? v1::PERIOD_STATE_MISSED
                                          : v1::PERIOD_STATE_DUE);
        if (p.state() == v1::PERIOD_STATE_MISSED) *b->add_missing() = p;
        *b->add_periods() = std::move(p);
      }
    }
    b->set_compliant(b->missing_size() == 0);
  }
  return report;
}

absl::StatusOr<absl::flat_hash_map<uint64_t, std::string>> AttendanceReports::LeaveReasons(
    uint64_t meeting) const {
  absl::flat_hash_map<uint64_t, std::string> reasons;
  absl::Status inner;
  v1::LeaveRequest leave;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kLeaveRequests, storage::LeaveRequestPrefix(meeting), "",
                              [&](std::string_view, std::string_view value) {
                                if (!leave.ParseFromArray(value.data(), value.size())) {
                                  inner = absl::DataLossError("leave request does not parse");
                                  return false;
                                }
                                std::string reason = leave.reason();
                                if (leave.state() == v1::LEAVE_STATE_PENDING) {
                                  reason += "（待审批）";
                                } else if (leave.state() == v1::LEAVE_STATE_REFUSED) {
                                  reason += "（未批准）";
                                }
                                reasons[leave.person_id()] = std::move(reason);
                                return true;
                              }));
  RETURN_IF_ERROR(inner);
  return reasons;
}

absl::StatusOr<absl::flat_hash_map<uint64_t, std::string>> AttendanceReports::OrganizationNames(
    const std::vector<v1::Person>& people) const {
  absl::flat_hash_map<uint64_t, std::string> names;
  for (const auto& person : people) {
    if (names.contains(person.organization_id())) continue;
    // The roster already shows where each person is; a team's name says no more than its id.
    v1::Organization org;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kOrganizations,
                                       storage::RecordKey(person.organization_id()), &org));
    names[person.organization_id()] = found ? org.name() : "";
  }
  return names;
}

absl::StatusOr<std::string> AttendanceReports::RosterCsv(
    const Caller& caller, const v1::ExportRosterRequest& request) const {
  ASSIGN_OR_RETURN(auto stored, meetings_.Load(caller, request.meeting_id(), "meeting_id"));
  const auto& meeting = stored.meeting();
  RETURN_IF_ERROR(meetings_.RequireRunOrRead(caller, meeting, "exporting the roster"));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, meeting.organization_id(), "meeting_id"));
  std::vector<v1::RosterEntry> entries;
  std::vector<v1::Person> people;
  v1::StatusCounts counts;
  RETURN_IF_ERROR(BuildRoster(caller, meeting, 0, std::numeric_limits<uint64_t>::max(), &entries,
                              &counts, &people));
  ASSIGN_OR_RETURN(auto leave_reasons, LeaveReasons(meeting.id()));
  ASSIGN_OR_RETURN(auto teams, OrganizationNames(people));
  const int32_t offset = org.utc_offset_minutes();
  std::string csv(attendance::kUtf8Bom);
  csv += attendance::CsvLine({"会议", meeting.title(), attendance::TypeLabel(meeting.type()),
                              attendance::LocalTimeText(ToMicros(meeting.start_time()), offset)});
  // Headers in Chinese for people, with the API's field names for scripts.
  csv += attendance::CsvLine({"工号 employee_number", "姓名 display_name", "班组 organization",
                              "状态 status", "签到方式 method", "签到时间 server_time",
                              "设备时间 device_time", "请假事由 leave_reason", "备注 note",
                              "人员编号 person_id", "组织编号 organization_id"});
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const auto& r = e.record();
    std::string note = !r.remote_text().empty() ? r.remote_text()
                       : !r.mark_note().empty() ? r.mark_note()
                                                : r.make_up_note();
    auto leave = leave_reasons.find(e.person_id());
    std::string leave_text = leave == leave_reasons.end() ? "" : leave->second;
    if (e.absence_id() != 0) {
      // Excused by an absence over a date range: its type, dates and reason.
      ASSIGN_OR_RETURN(auto absence, attendance::LoadAbsence(store_, e.absence_id()));
      leave_text = "请假（" + e.absence_label() + "）";
      if (absence) leave_text += "：" + absence->reason();
    }
    csv += attendance::CsvLine(
        {people[i].employee_number(), e.display_name(), teams[e.organization_id()],
         attendance::StatusLabel(e.status()), attendance::MethodLabel(r.method()),
         attendance::LocalTimeText(r.has_server_time() ? ToMicros(r.server_time()) : 0, offset),
         attendance::LocalTimeText(r.has_device_time() ? ToMicros(r.device_time()) : 0, offset),
         leave_text, note, std::to_string(e.person_id()), std::to_string(e.organization_id())});
  }
  return csv;
}

absl::StatusOr<std::string> AttendanceReports::ReportCsv(
    const Caller& caller, const v1::ExportAttendanceReportRequest& request) const {
  v1::GetAttendanceReportRequest query;
  query.set_organization_id(request.organization_id());
  if (request.has_start_time_from()) *query.mutable_start_time_from() = request.start_time_from();
  if (request.has_start_time_to()) *query.mutable_start_time_to() = request.start_time_to();
  ASSIGN_OR_RETURN(auto report, Report(caller, query));
  std::string csv(attendance::kUtf8Bom);
  csv += attendance::CsvLine({"分类 kind", "名称 name", "会议数 meetings", "应到 expected",
                              "出席 present", "迟到 late", "远程 remote", "请假 excused",
                              "补课 made_up", "缺席 absent", "出勤率 attendance_rate",
                              "完成率 completion_rate"});
  auto row = [&](const std::string& kind, const std::string& name, int meetings,
                 const v1::AttendanceRates& r) {
    const auto& c = r.counts();
    csv += attendance::CsvLine({kind, name, std::to_string(meetings), std::to_string(c.expected()),
                                std::to_string(c.present()), std::to_string(c.late()),
                                std::to_string(c.remote()), std::to_string(c.excused()),
                                std::to_string(c.made_up()), std::to_string(c.absent()),
                                attendance::PercentText(r.attendance_rate()),
                                attendance::PercentText(r.completion_rate())});
  };
  row("合计", "", report.meetings(), report.total());
  for (const auto& t : report.by_type()) {
    row("会议类型", attendance::TypeLabel(t.type()), t.meetings(), t.rates());
  }
  for (const auto& o : report.by_organization()) {
    row("组织", o.name(), o.meetings(), o.rates());
  }
  for (const auto& o : report.by_team()) {
    row("班组", o.name(), o.meetings(), o.rates());
  }
  return csv;
}

}  // namespace branchline
