#include "services/notifications/reminder_rules.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "branchline/internal/v1/attendance_records.pb.h"
#include "branchline/internal/v1/feedback_records.pb.h"
#include "branchline/internal/v1/study_progress.pb.h"
#include "services/attendance/absence_lookup.h"
#include "services/attendance/meetings.h"
#include "services/common/local_day.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_walk.h"
#include "services/study/study_rules.h"
#include "spdlog/spdlog.h"
#include "storage/keys.h"

namespace branchline {

namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kHour = 60 * kMinute;
// Check-in opens at most 1440 minutes before the start and closes at most 1440 after it.
constexpr int64_t kWindowReach = 1441 * kMinute;
// Change-log entries read per batch.
constexpr int kChangeBatch = 1000;

// "12月07日 07:00" in the local time of `offset_minutes`.
std::string LocalTime(int64_t micros, int32_t offset_minutes, bool with_date) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000 + offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  if (!with_date) return absl::StrFormat("%02d:%02d", tm.tm_hour, tm.tm_min);
  return absl::StrFormat("%02d月%02d日 %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                         tm.tm_min);
}

// The attendance status recorded for each person of a meeting (absent ones have none).
absl::StatusOr<absl::flat_hash_map<uint64_t, v1::AttendanceStatus>> RecordedStatuses(
    storage::Store& store, uint64_t meeting) {
  absl::flat_hash_map<uint64_t, v1::AttendanceStatus> status;
  absl::Status inner;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kAttendance, storage::AttendancePrefix(meeting), "",
                             [&](std::string_view, std::string_view value) {
                               v1::AttendanceRecord r;
                               if (!r.ParseFromArray(value.data(), value.size())) {
                                 inner = absl::DataLossError("attendance record does not parse");
                                 return false;
                               }
                               status[r.person_id()] = r.status();
                               return true;
                             }));
  RETURN_IF_ERROR(inner);
  return status;
}

// "12月07日" for a local day number.
std::string MonthDay(int64_t day) {
  const std::time_t seconds = static_cast<std::time_t>(LocalDayStartMicros(day, 0) / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return absl::StrFormat("%02d月%02d日", tm.tm_mon + 1, tm.tm_mday);
}

// "1小时" / "25分钟": the time left, hours rounded half up from an hour on, minutes rounded up
// below it (a meeting 59.5 minutes away is "60分钟", never "0小时").
std::string TimeLeft(int64_t micros) {
  if (micros >= kHour) return std::to_string((micros + kHour / 2) / kHour) + "小时";
  return std::to_string(std::max<int64_t>(1, (micros + kMinute - 1) / kMinute)) + "分钟";
}

// One rule of one meeting: its moment, until when it is useful, and its occurrence number
// in the guard (the lead hours for "starts soon", else 0).
struct MeetingRule {
  v1::NotificationKind kind;
  int64_t moment;
  int64_t expiry;
  int64_t occurrence;
  bool urgent;
};

}  // namespace

absl::Status ReminderRules::Start() {
  std::optional<uint32_t> tenant = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto next, NextTenant(store_, *tenant));
    if (!next) break;
    tenant = next;
    const std::string key = storage::NotificationChangeCursorKey(*tenant);
    ASSIGN_OR_RETURN(auto cursor, store_.Get(storage::Cf::kNotifications, key));
    if (cursor.has_value()) continue;
    storage::WriteSet w;
    w.Put(storage::Cf::kNotifications, key,
          storage::KeyBuilder().U64(store_.StableChangeSequence()).key());
    RETURN_IF_ERROR(store_.Commit(std::move(w)));
  }
  timer_.Start(options_.pass_interval_micros, [this] {
    // One writer of the outbox at a time, across servers too (outbox.h).
    if (!store_.LeadsBackgroundWork()) return;
    auto written = RunDue();
    if (!written.ok()) {
      spdlog::warn("reminder pass: {}", written.status().ToString());
    } else if (*written > 0) {
      spdlog::info("reminder pass: {} notifications", *written);
    }
  });
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReminderRules::RunDue() {
  std::lock_guard pass_lock(pass_mu_);
  const int64_t now = clock_.NowMicros();
  uint64_t total = 0;
  std::optional<uint32_t> tenant = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto next, NextTenant(store_, *tenant));
    if (!next) break;
    tenant = next;
    if (timer_.Stopping()) return total;
    // Each rule on its own: one that fails (a record that does not parse) is logged and does
    // not stop the others, nor the other tenants'.
    const std::pair<std::string_view, std::function<absl::StatusOr<uint64_t>()>> rules[] = {
        {"meeting reminders", [&] { return MeetingReminders(*tenant, now); }},
        {"letter deadlines", [&] { return LetterDeadlines(*tenant, now); }},
        {"study reminders",
         [&] {
           return PerOrganization(*tenant, "study reminders", [&](const v1::Organization& org) {
             return StudyDueIn(org, now);
           });
         }},
        {"repeated absences",
         [&] {
           return PerOrganization(*tenant, "repeated absences", [&](const v1::Organization& org) {
             return RepeatedAbsencesIn(org, now);
           });
         }},
        {"answers", [&] { return Answers(*tenant, now); }},
    };
    for (const auto& [what, rule] : rules) {
      auto written = rule();
      if (!written.ok()) {
        spdlog::warn("{} of tenant {}: {}", what, *tenant, written.status().ToString());
      }
      total += written.value_or(0);
    }
  }
  return total;
}

absl::StatusOr<bool> ReminderRules::Send(v1::Notification draft, uint64_t person, uint64_t object,
                                         int64_t occurrence) {
  // The guard first (one read), so a pass over a meeting whose reminders went out reads
  // nothing else per person.
  ASSIGN_OR_RETURN(auto sent,
                   store_.Get(storage::Cf::kIndex,
                              storage::NotificationGuardKey(storage::TenantOfId(person),
                                                            static_cast<uint8_t>(draft.kind()),
                                                            object, person, occurrence)));
  if (sent.has_value()) return false;
  ASSIGN_OR_RETURN(bool muted, settings_.Muted(person, draft.kind()));
  if (muted) return false;
  v1::Person record;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(person), &record));
  if (!found || !record.active() || record.kind() != v1::PERSON_KIND_HUMAN) return false;
  draft.set_person_id(person);
  draft.set_organization_id(record.organization_id());
  return outbox_.Write(std::move(draft), object, occurrence);
}

absl::StatusOr<std::vector<v1::Organization>> ReminderRules::Organizations(
    uint32_t tenant, bool with_archived) const {
  std::vector<v1::Organization> orgs;
  absl::Status inner;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kOrganizations, storage::KeyBuilder(tenant).key(), "",
                              [&](std::string_view, std::string_view value) {
                                v1::Organization org;
                                if (!org.ParseFromArray(value.data(), value.size())) {
                                  inner = absl::DataLossError("organization does not parse");
                                  return false;
                                }
                                if (with_archived || !org.archived())
                                  orgs.push_back(std::move(org));
                                return true;
                              }));
  RETURN_IF_ERROR(inner);
  return orgs;
}

absl::StatusOr<std::vector<v1::Person>> ReminderRules::PeopleOf(uint64_t org) const {
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::PersonByOrgPrefix(org), "",
                              [&](std::string_view key, std::string_view) {
                                ids.push_back(storage::TrailingId(key));
                                return true;
                              }));
  std::vector<v1::Person> people;
  for (uint64_t id : ids) {
    v1::Person person;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &person));
    if (found && person.organization_id() == org) people.push_back(std::move(person));
  }
  return people;
}

absl::StatusOr<uint64_t> ReminderRules::MeetingReminders(uint32_t tenant, int64_t now) {
  ASSIGN_OR_RETURN(auto orgs, Organizations(tenant, /*with_archived=*/false));
  uint64_t total = 0;
  for (const auto& org : orgs) {
    ASSIGN_OR_RETURN(auto settings, settings_.Effective(org));
    int64_t lead = 0;
    for (int32_t h : settings.meeting_reminder_hours()) lead = std::max<int64_t>(lead, h * kHour);
    const int64_t from = now - kWindowReach;
    const int64_t to = now + std::max(lead, kWindowReach);
    const std::string prefix = storage::MeetingByOrgPrefix(org.id());
    std::vector<uint64_t> ids;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, prefix,
                                prefix + storage::KeyBuilder().I64(from).key(),
                                [&](std::string_view key, std::string_view) {
                                  storage::KeyReader reader(key.substr(prefix.size()));
                                  auto start = reader.I64();
                                  auto id = reader.U64();
                                  if (!start || !id || *start > to) return false;
                                  ids.push_back(*id);
                                  return true;
                                }));
    for (uint64_t id : ids) {
      internal::v1::MeetingRecord record;
      ASSIGN_OR_RETURN(bool found,
                       store_.GetMessage(storage::Cf::kMeetings, storage::RecordKey(id), &record));
      if (!found || record.meeting().cancelled()) continue;
      auto written = RemindMeeting(record.meeting(), org, settings, now);
      if (!written.ok()) {
        spdlog::warn("reminders of meeting {}: {}", id, written.status().ToString());
        continue;
      }
      total += *written;
    }
  }
  return total;
}

absl::StatusOr<uint64_t> ReminderRules::RemindMeeting(const v1::Meeting& meeting,
                                                      const v1::Organization& holder,
                                                      const v1::NotificationSettings& settings,
                                                      int64_t now) {
  const int32_t offset = holder.utc_offset_minutes();
  const int64_t start = ToMicros(meeting.start_time());
  const int64_t open = start - meeting.window().opens_minutes_before() * kMinute;
  const int64_t close = start + meeting.window().closes_minutes_after() * kMinute;
  const int64_t closing = std::max(open, close - kClosingMinutes * kMinute);
  const bool quiet = InQuietHours(settings, offset, now);
  // Due now: from its moment until it is useless, and not held by quiet hours.
  auto due = [&](int64_t moment, int64_t expiry, bool urgent) {
    return moment <= now && now < expiry && (urgent || !quiet);
  };
  std::vector<MeetingRule> rules;
  // Leads from the longest: one is superseded once a shorter one's moment has come.
  std::vector<int32_t> leads(settings.meeting_reminder_hours().begin(),
                             settings.meeting_reminder_hours().end());
  std::sort(leads.begin(), leads.end());
  for (size_t i = 0; i < leads.size(); ++i) {
    const int64_t moment = start - leads[i] * kHour;
    const bool superseded = i > 0 && start - leads[i - 1] * kHour <= now;
    if (!superseded && due(moment, start, /*urgent=*/false)) {
      rules.push_back({v1::NOTIFICATION_KIND_MEETING_STARTS_SOON, moment, start, leads[i], false});
    }
  }
  if (closing > now && due(open, close, /*urgent=*/true)) {
    rules.push_back({v1::NOTIFICATION_KIND_CHECK_IN_OPEN, open, close, 0, true});
  }
  if (due(closing, close, /*urgent=*/true)) {
    rules.push_back({v1::NOTIFICATION_KIND_CHECK_IN_CLOSING, closing, close, 0, true});
  }
  if (rules.empty()) return 0;

  // Who is checked in or excused: the meeting's records (approved leave is EXCUSED there)
  // and the approved absences of its local date, read now so a later approval counts.
  ASSIGN_OR_RETURN(auto status, RecordedStatuses(store_, meeting.id()));
  ASSIGN_OR_RETURN(auto away, attendance::AbsentOnDay(store_, storage::TenantOfId(meeting.id()),
                                                      LocalDay(start, offset)));
  std::vector<uint64_t> audience;
  if (meeting.audience().person_ids_size() > 0) {
    audience.assign(meeting.audience().person_ids().begin(), meeting.audience().person_ids().end());
  } else {
    const uint64_t root = meeting.audience().organization_id()
                              ? meeting.audience().organization_id()
                              : meeting.organization_id();
    RETURN_IF_ERROR(people_.ForEachOnRostersInSubtree(
        root,
        [&](uint64_t id) {
          audience.push_back(id);
          return true;
        },
        meeting.audience().members_only()));
  }
  uint64_t written = 0;
  for (uint64_t person : audience) {
    auto it = status.find(person);
    const auto recorded = it == status.end() ? v1::ATTENDANCE_STATUS_ABSENT : it->second;
    if (Attended(recorded) ||
        attendance::WithAbsence(recorded, away.contains(person)) != v1::ATTENDANCE_STATUS_ABSENT) {
      continue;  // there already, excused, or made up
    }
    for (const auto& rule : rules) {
      v1::Notification n;
      n.set_kind(rule.kind);
      n.set_meeting_id(meeting.id());
      n.set_urgent(rule.urgent);
      switch (rule.kind) {
        case v1::NOTIFICATION_KIND_MEETING_STARTS_SOON:
          n.set_title("会议提醒");
          n.set_body("《" + meeting.title() + "》将于" + TimeLeft(start - now) + "后开始（" +
                     LocalTime(start, offset, /*with_date=*/true) + "）");
          break;
        case v1::NOTIFICATION_KIND_CHECK_IN_OPEN:
          n.set_title("签到已开始");
          n.set_body("《" + meeting.title() + "》已开放签到，" +
                     LocalTime(close, offset, /*with_date=*/false) + "截止");
          break;
        default:
          n.set_title("签到即将截止");
          n.set_body("《" + meeting.title() + "》签到将于" +
                     LocalTime(close, offset, /*with_date=*/false) + "截止，您还没有签到");
          break;
      }
      ASSIGN_OR_RETURN(bool sent, Send(std::move(n), person, meeting.id(), rule.occurrence));
      written += sent ? 1 : 0;
    }
  }
  return written;
}

absl::StatusOr<uint64_t> ReminderRules::LetterDeadlines(uint32_t tenant, int64_t now) {
  ASSIGN_OR_RETURN(auto orgs, Organizations(tenant, /*with_archived=*/true));
  uint64_t total = 0;
  for (const auto& org : orgs) {
    ASSIGN_OR_RETURN(auto settings, settings_.Effective(org));
    if (InQuietHours(settings, org.utc_offset_minutes(), now)) continue;  // held, not lost
    // The index holds open letters not waiting for their author, by current deadline.
    const std::string prefix = storage::LetterDuePrefix(org.id());
    std::vector<std::pair<int64_t, uint64_t>> due;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, prefix,
                                prefix + storage::KeyBuilder().I64(now - kAnswerUsefulMicros).key(),
                                [&](std::string_view key, std::string_view) {
                                  storage::KeyReader reader(key.substr(prefix.size()));
                                  auto at = reader.I64();
                                  auto id = reader.U64();
                                  if (!at || !id || *at > now + kLetterDueLead) return false;
                                  due.emplace_back(*at, *id);
                                  return true;
                                }));
    for (const auto& [at, id] : due) {
      internal::v1::LetterRecord record;
      ASSIGN_OR_RETURN(bool found,
                       store_.GetMessage(storage::Cf::kLetters, storage::RecordKey(id), &record));
      const auto& letter = record.letter();
      const uint64_t handler = letter.assignee_person_id();
      // Only to the assigned handler, and never to the letter's own (named) author.
      if (!found || handler == 0 || handler == letter.author_person_id()) continue;
      v1::Notification n;
      n.set_kind(v1::NOTIFICATION_KIND_LETTER_DUE_SOON);
      n.set_letter_id(id);
      const bool overdue = at <= now;
      n.set_title(overdue ? "来信已超期" : "来信即将到期");
      n.set_body("您办理的来信《" + letter.subject() + "》" + (overdue ? "已于" : "将于") +
                 LocalTime(at, org.utc_offset_minutes(), /*with_date=*/true) +
                 (overdue ? "超过办理期限" : "到达办理期限"));
      ASSIGN_OR_RETURN(bool sent, Send(std::move(n), handler, id, 0));
      total += sent ? 1 : 0;
    }
  }
  return total;
}

absl::StatusOr<uint64_t> ReminderRules::PerOrganization(
    uint32_t tenant, std::string_view what,
    const std::function<absl::StatusOr<uint64_t>(const v1::Organization&)>& rule) {
  ASSIGN_OR_RETURN(auto orgs, Organizations(tenant, /*with_archived=*/false));
  uint64_t total = 0;
  for (const auto& org : orgs) {
    auto written = rule(org);
    if (!written.ok()) {
      spdlog::warn("{} of organization {}: {}", what, org.id(), written.status().ToString());
      continue;
    }
    total += *written;
  }
  return total;
}

absl::StatusOr<uint64_t> ReminderRules::StudyDueIn(const v1::Organization& org, int64_t now) {
  ASSIGN_OR_RETURN(auto settings, settings_.Effective(org));
  if (InQuietHours(settings, org.utc_offset_minutes(), now)) return 0;  // held, not lost
  const int64_t today = LocalDay(now, org.utc_offset_minutes());
  const int64_t last = today + settings.study_due_days();
  // The plans that apply to people of `org` in the years the window touches.
  std::vector<v1::StudyPlan> plans;
  for (int32_t year : std::set<int32_t>{YearOfDay(today), YearOfDay(last)}) {
    ASSIGN_OR_RETURN(auto of_year, study_.PlansAbove(org, year));
    for (auto& plan : of_year) plans.push_back(std::move(plan));
  }
  struct Due {
    const v1::StudyPlan* plan;
    const v1::StudyPlanItem* item;
    int64_t day;
    std::string title;
  };
  std::vector<Due> due;
  for (const auto& plan : plans) {
    for (const auto& item : plan.items()) {
      auto day = ParseLocalDate(item.due_date());
      if (!day || *day < today || *day > last) continue;
      std::string title = item.topic();
      if (title.empty() && item.material_id() != 0) {
        v1::Material material;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kMaterials,
                                           storage::RecordKey(item.material_id()), &material));
        if (found) title = material.title();
      }
      due.push_back({&plan, &item, *day, std::move(title)});
    }
  }
  if (due.empty()) return 0;
  ASSIGN_OR_RETURN(auto people, PeopleOf(org.id()));
  uint64_t written = 0;
  for (const auto& person : people) {
    if (!OnRosters(person)) continue;
    std::map<int32_t, internal::v1::StudyProgressRecord> progress;  // by year, read once
    for (const auto& d : due) {
      if (!Access::InAudience(d.item->audience(), person.id(), person.role(), org)) continue;
      auto it = progress.find(d.plan->year());
      if (it == progress.end()) {
        ASSIGN_OR_RETURN(auto record, study_.LoadProgress(person.id(), d.plan->year()));
        it = progress.emplace(d.plan->year(), std::move(record)).first;
      }
      int32_t done = 0;
      auto item = it->second.items().find(d.item->id());
      if (item != it->second.items().end()) done = item->second.minutes();
      if (done >= d.item->required_minutes()) continue;  // complete
      v1::Notification n;
      n.set_kind(v1::NOTIFICATION_KIND_STUDY_DUE_SOON);
      n.set_plan_item_id(d.item->id());
      n.set_title("学习提醒");
      n.set_body("《" + d.title + "》" + (d.day == today ? "今天" : "将于" + MonthDay(d.day)) +
                 "截止，您已学习" + std::to_string(std::max(done, 0)) + "分钟，还需" +
                 std::to_string(d.item->required_minutes() - std::max(done, 0)) + "分钟");
      ASSIGN_OR_RETURN(bool sent, Send(std::move(n), person.id(), d.item->id(), d.day));
      written += sent ? 1 : 0;
    }
  }
  return written;
}

namespace {

// One held meeting of an organisation, with who was expected and who was absent, read when
// first needed.
struct HeldMeeting {
  v1::Meeting meeting;
  int64_t close = 0;
  bool read = false;
  absl::flat_hash_set<uint64_t> audience;
  absl::flat_hash_set<uint64_t> absent;
};

}  // namespace

absl::StatusOr<uint64_t> ReminderRules::RepeatedAbsencesIn(const v1::Organization& org,
                                                           int64_t now) {
  ASSIGN_OR_RETURN(auto settings, settings_.Effective(org));
  if (InQuietHours(settings, org.utc_offset_minutes(), now)) return 0;  // held, not lost
  const int64_t recent = now - kAnswerUsefulMicros;
  // The organisation's meetings whose check-in closed, by start, far enough back for the
  // earlier meetings of a run that ends in the last week.
  const std::string prefix = storage::MeetingByOrgPrefix(org.id());
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(store_.Scan(
      storage::Cf::kIndex, prefix,
      prefix + storage::KeyBuilder().I64(recent - kWindowReach - kAbsenceLookback).key(),
      [&](std::string_view key, std::string_view) {
        storage::KeyReader reader(key.substr(prefix.size()));
        auto start = reader.I64();
        auto id = reader.U64();
        if (!start || !id || *start > now) return false;
        ids.push_back(*id);
        return true;
      }));
  std::vector<HeldMeeting> held;
  bool any_recent = false;
  for (uint64_t id : ids) {
    internal::v1::MeetingRecord record;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kMeetings, storage::RecordKey(id), &record));
    if (!found || record.meeting().cancelled()) continue;
    HeldMeeting m;
    m.close = ToMicros(record.meeting().start_time()) +
              record.meeting().window().closes_minutes_after() * kMinute;
    if (m.close > now) continue;  // check-in still open: not yet an absence
    any_recent = any_recent || m.close > recent;
    m.meeting = std::move(*record.mutable_meeting());
    held.push_back(std::move(m));
  }
  if (!any_recent) return 0;
  // Who hears of it: the organisation's own secretaries and committee members.
  ASSIGN_OR_RETURN(auto people, PeopleOf(org.id()));
  std::vector<uint64_t> leaders;
  for (const auto& p : people) {
    if (OnRosters(p) && (p.role() == v1::ROLE_SECRETARY || p.role() == v1::ROLE_COMMITTEE_MEMBER)) {
      leaders.push_back(p.id());
    }
  }
  if (leaders.empty()) return 0;

  auto read = [&](HeldMeeting& m) -> absl::Status {
    if (m.read) return absl::OkStatus();
    m.read = true;
    ASSIGN_OR_RETURN(auto status, RecordedStatuses(store_, m.meeting.id()));
    const int64_t start = ToMicros(m.meeting.start_time());
    ASSIGN_OR_RETURN(auto away, attendance::AbsentOnDay(store_, storage::TenantOfId(m.meeting.id()),
                                                        LocalDay(start, org.utc_offset_minutes())));
    auto add = [&](uint64_t person) {
      m.audience.insert(person);
      auto it = status.find(person);
      const auto recorded = it == status.end() ? v1::ATTENDANCE_STATUS_ABSENT : it->second;
      if (!Attended(recorded) && attendance::WithAbsence(recorded, away.contains(person)) ==
                                     v1::ATTENDANCE_STATUS_ABSENT) {
        m.absent.insert(person);
      }
    };
    if (m.meeting.audience().person_ids_size() > 0) {
      for (uint64_t person : m.meeting.audience().person_ids()) add(person);
      return absl::OkStatus();
    }
    const uint64_t root = m.meeting.audience().organization_id()
                              ? m.meeting.audience().organization_id()
                              : m.meeting.organization_id();
    return people_.ForEachOnRostersInSubtree(
        root,
        [&](uint64_t id) {
          add(id);
          return true;
        },
        m.meeting.audience().members_only());
  };

  uint64_t written = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    if (held[i].close <= recent) continue;  // only runs ending in the last week
    RETURN_IF_ERROR(read(held[i]));
    std::vector<uint64_t> absent(held[i].absent.begin(), held[i].absent.end());
    std::sort(absent.begin(), absent.end());
    for (uint64_t person : absent) {
      // The person's earlier meetings here, newest first: the run's first two, and the one
      // before them, which must not be an absence (else the run was counted earlier).
      int in_a_row = 1;
      bool longer = false;
      for (size_t j = i; j-- > 0;) {
        RETURN_IF_ERROR(read(held[j]));
        if (!held[j].audience.contains(person)) continue;
        if (!held[j].absent.contains(person)) break;
        if (in_a_row == kAbsencesInARow) {
          longer = true;
          break;
        }
        ++in_a_row;
      }
      if (in_a_row < kAbsencesInARow || longer) continue;
      v1::Person subject;
      ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kPeople,
                                                     storage::RecordKey(person), &subject));
      if (!found) continue;
      const auto& meeting = held[i].meeting;
      for (uint64_t leader : leaders) {
        if (leader == person) continue;  // never about oneself
        v1::Notification n;
        n.set_kind(v1::NOTIFICATION_KIND_REPEATED_ABSENCES);
        n.set_meeting_id(meeting.id());
        n.set_subject_person_id(person);
        n.set_title("连续缺席提醒");
        n.set_body(subject.display_name() + "已连续" + std::to_string(kAbsencesInARow) +
                   "次缺席本组织的会议，最近一次是《" + meeting.title() + "》（" +
                   LocalTime(ToMicros(meeting.start_time()), org.utc_offset_minutes(),
                             /*with_date=*/true) +
                   "）");
        ASSIGN_OR_RETURN(bool sent,
                         Send(std::move(n), leader, person, static_cast<int64_t>(meeting.id())));
        written += sent ? 1 : 0;
      }
    }
  }
  return written;
}

absl::StatusOr<uint64_t> ReminderRules::Answers(uint32_t tenant, int64_t now) {
  const std::string cursor_key = storage::NotificationChangeCursorKey(tenant);
  ASSIGN_OR_RETURN(auto stored, store_.Get(storage::Cf::kNotifications, cursor_key));
  uint64_t cursor = 0;
  if (stored.has_value()) cursor = storage::KeyReader(*stored).U64().value_or(0);
  const uint64_t stable = store_.StableChangeSequence();
  const std::string prefix = storage::KeyBuilder(tenant).key();
  uint64_t total = 0;
  for (bool more = true; more && !timer_.Stopping();) {
    std::vector<std::pair<uint64_t, internal::v1::ChangeRecord>> batch;
    absl::Status inner;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kChanges, prefix, storage::ChangeKey(tenant, cursor),
                                [&](std::string_view key, std::string_view value) {
                                  const uint64_t sequence = storage::TrailingId(key);
                                  if (sequence > stable)
                                    return false;  // not every commit below it is visible yet
                                  internal::v1::ChangeRecord change;
                                  if (!change.ParseFromArray(value.data(), value.size())) {
                                    inner = absl::DataLossError("change record does not parse");
                                    return false;
                                  }
                                  batch.emplace_back(sequence, std::move(change));
                                  return batch.size() < kChangeBatch;
                                }));
    RETURN_IF_ERROR(inner);
    more = batch.size() == kChangeBatch;
    uint64_t reached = cursor;
    for (const auto& [sequence, change] : batch) {
      auto written = Answer(sequence, change, now);
      if (absl::IsFailedPrecondition(written.status())) {
        more = false;  // quiet hours: this change and the later ones wait for the next pass
        break;
      }
      if (!written.ok()) {
        spdlog::warn("notifications of change {}: {}", sequence, written.status().ToString());
      } else {
        total += *written;
      }
      reached = sequence;
    }
    if (reached != cursor) {
      storage::WriteSet w;
      w.Put(storage::Cf::kNotifications, cursor_key, storage::KeyBuilder().U64(reached).key());
      RETURN_IF_ERROR(store_.Commit(std::move(w)));
      cursor = reached;
    }
  }
  return total;
}

absl::StatusOr<uint64_t> ReminderRules::Answer(uint64_t sequence,
                                               const internal::v1::ChangeRecord& change,
                                               int64_t now) {
  const bool decided = change.action() == "approved" || change.action() == "refused";
  const bool absence = change.kind() == "absence" && decided;
  const bool leave = change.kind() == "leave_request" && decided;
  const bool reply = change.kind() == "letter" && change.action() == "replied";
  if (!(absence || leave || reply) || change.person_ids_size() == 0) return 0;
  if (change.has_commit_time() && ToMicros(change.commit_time()) < now - kAnswerUsefulMicros) {
    return 0;
  }
  v1::Organization org;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kOrganizations,
                                     storage::RecordKey(change.organization_id()), &org));
  if (found) {
    ASSIGN_OR_RETURN(auto settings, settings_.Effective(org));
    if (InQuietHours(settings, org.utc_offset_minutes(), now)) {
      return absl::FailedPreconditionError("quiet hours");
    }
  }
  const std::string verdict = change.action() == "approved" ? "已批准" : "未获批准";
  v1::Notification n;
  std::vector<uint64_t> to;
  if (absence) {
    ASSIGN_OR_RETURN(auto record, attendance::LoadAbsence(store_, change.record_id()));
    if (!record) return 0;
    n.set_kind(v1::NOTIFICATION_KIND_ABSENCE_DECIDED);
    n.set_absence_id(record->id());
    n.set_title("请假" + verdict);
    n.set_body("您的请假（" + attendance::AbsenceLabel(*record) + "）" + verdict);
    to.push_back(record->person_id());
  } else if (leave) {
    internal::v1::MeetingRecord meeting;
    ASSIGN_OR_RETURN(bool exists,
                     store_.GetMessage(storage::Cf::kMeetings,
                                       storage::RecordKey(change.record_id()), &meeting));
    if (!exists) return 0;
    n.set_kind(v1::NOTIFICATION_KIND_LEAVE_DECIDED);
    n.set_meeting_id(change.record_id());
    n.set_title("请假" + verdict);
    n.set_body("《" + meeting.meeting().title() + "》的请假申请" + verdict);
    to.assign(change.person_ids().begin(), change.person_ids().end());
  } else {
    internal::v1::LetterRecord letter;
    ASSIGN_OR_RETURN(
        bool exists,
        store_.GetMessage(storage::Cf::kLetters, storage::RecordKey(change.record_id()), &letter));
    // Never about an anonymous letter, whatever a change says.
    if (!exists || letter.letter().anonymous() || letter.letter().author_person_id() == 0) {
      return 0;
    }
    n.set_kind(v1::NOTIFICATION_KIND_LETTER_REPLIED);
    n.set_letter_id(letter.letter().id());
    n.set_title("来信有了答复");
    n.set_body("您的来信《" + letter.letter().subject() + "》有了新的答复");
    to.push_back(letter.letter().author_person_id());
  }
  uint64_t written = 0;
  for (uint64_t person : to) {
    // Only people the change itself names (the requester, the named author).
    if (std::find(change.person_ids().begin(), change.person_ids().end(), person) ==
        change.person_ids().end()) {
      continue;
    }
    ASSIGN_OR_RETURN(bool sent,
                     Send(n, person, change.record_id(), static_cast<int64_t>(sequence)));
    written += sent ? 1 : 0;
  }
  return written;
}

}  // namespace branchline
