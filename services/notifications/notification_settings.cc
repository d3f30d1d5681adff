#include "services/notifications/notification_settings.h"

#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/status_macros.h"
#include "services/notifications/notification_access.h"
#include "storage/keys.h"

namespace branchline {

namespace {

constexpr int kMinutesPerDay = 1440;
constexpr int64_t kMicrosPerMinute = 60'000'000;

// The defaults of an organisation without settings in its chain: a day and an hour ahead, and
// quiet from 22:00 to 07:00, when a driver sleeps between shifts.
v1::NotificationSettings Defaults(uint64_t org) {
  v1::NotificationSettings s;
  s.set_organization_id(org);
  s.add_meeting_reminder_hours(24);
  s.add_meeting_reminder_hours(1);
  s.set_quiet_start_minute(22 * 60);
  s.set_quiet_end_minute(7 * 60);
  s.set_study_due_days(NotificationSettingsBook::kDefaultStudyDueDays);
  return s;
}

int LocalMinute(int32_t offset_minutes, int64_t micros) {
  int64_t minutes = micros / kMicrosPerMinute - (micros % kMicrosPerMinute < 0 ? 1 : 0);
  int64_t local = (minutes + offset_minutes) % kMinutesPerDay;
  return static_cast<int>(local < 0 ? local + kMinutesPerDay : local);
}

}  // namespace

bool InQuietHours(const v1::NotificationSettings& settings, int32_t offset_minutes,
                  int64_t micros) {
  const int start = settings.quiet_start_minute();
  const int end = settings.quiet_end_minute();
  if (start == end) return false;
  const int m = LocalMinute(offset_minutes, micros);
  return start < end ? (m >= start && m < end) : (m >= start || m < end);
}

int64_t QuietHoursEnd(const v1::NotificationSettings& settings, int32_t offset_minutes,
                      int64_t micros) {
  if (!InQuietHours(settings, offset_minutes, micros)) return micros;
  const int m = LocalMinute(offset_minutes, micros);
  int wait = settings.quiet_end_minute() - m;
  if (wait <= 0) wait += kMinutesPerDay;
  // The start of the local minute the window ends at.
  const int64_t minute_start =
      micros - (micros % kMicrosPerMinute + kMicrosPerMinute) % kMicrosPerMinute;
  return minute_start + wait * kMicrosPerMinute;
}

absl::StatusOr<v1::NotificationSettings> NotificationSettingsBook::Effective(
    const v1::Organization& org) const {
  std::vector<uint64_t> chain = {org.id()};
  for (int i = org.ancestor_ids_size() - 1; i >= 0; --i) chain.push_back(org.ancestor_ids(i));
  for (uint64_t id : chain) {
    v1::NotificationSettings s;
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kNotifications,
                                                   storage::NotificationSettingsKey(id), &s));
    if (found) {
      s.set_organization_id(org.id());
      s.set_source_organization_id(id);
      if (s.study_due_days() == 0)
        s.set_study_due_days(kDefaultStudyDueDays);  // set before it existed
      return s;
    }
  }
  return Defaults(org.id());
}

absl::StatusOr<v1::NotificationSettings> NotificationSettingsBook::Get(
    const Caller& caller, const v1::GetNotificationSettingsRequest& request) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(
      notifications::RequireSettingsRead(access_, caller, org, "reading notification settings"));
  return Effective(org);
}

absl::StatusOr<v1::NotificationSettings> NotificationSettingsBook::Update(
    const Caller& caller, const v1::UpdateNotificationSettingsRequest& request) {
  return RunIdempotent<v1::NotificationSettings>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateNotificationSettings"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::NotificationSettings> {
        const auto& in = request.settings();
        if (in.meeting_reminder_hours_size() > kMaxLeads) {
          return InvalidField("settings.meeting_reminder_hours",
                              "at most " + std::to_string(kMaxLeads) + " values");
        }
        std::set<int32_t, std::greater<>> hours;
        for (int32_t h : in.meeting_reminder_hours()) {
          if (h < 1 || h > kMaxLeadHours) {
            return InvalidField("settings.meeting_reminder_hours",
                                "each must be 1..." + std::to_string(kMaxLeadHours));
          }
          if (!hours.insert(h).second) {
            return InvalidField("settings.meeting_reminder_hours",
                                std::to_string(h) + " is given twice");
          }
        }
        if (in.quiet_start_minute() < 0 || in.quiet_start_minute() >= kMinutesPerDay) {
          return InvalidField("settings.quiet_start_minute", "must be 0..1439");
        }
        if (in.quiet_end_minute() < 0 || in.quiet_end_minute() >= kMinutesPerDay) {
          return InvalidField("settings.quiet_end_minute", "must be 0..1439");
        }
        if (in.study_due_days() < 0 || in.study_due_days() > kMaxStudyDueDays) {
          return InvalidField("settings.study_due_days",
                              "must be 1..." + std::to_string(kMaxStudyDueDays) +
                                  " (0: the default " + std::to_string(kDefaultStudyDueDays) + ")");
        }
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "settings.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "setting notification settings"));
        const std::string key = storage::NotificationSettingsKey(org.id());
        m.Lock({key});
        v1::NotificationSettings s;
        s.set_organization_id(org.id());
        for (int32_t h : hours) s.add_meeting_reminder_hours(h);
        s.set_quiet_start_minute(in.quiet_start_minute());
        s.set_quiet_end_minute(in.quiet_end_minute());
        s.set_study_due_days(in.study_due_days() ? in.study_due_days() : kDefaultStudyDueDays);
        s.set_source_organization_id(org.id());
        *s.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kNotifications, key, s);
        return s;
      });
}

absl::StatusOr<v1::NotificationPreferences> NotificationSettingsBook::GetMine(
    const Caller& caller) const {
  RETURN_IF_ERROR(notifications::RequirePerson(caller, "reading notification preferences"));
  v1::NotificationPreferences p;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kNotifications,
                                     storage::NotificationPrefsKey(caller.person_id), &p));
  if (!found) p.set_person_id(caller.person_id);
  return p;
}

absl::StatusOr<v1::NotificationPreferences> NotificationSettingsBook::UpdateMine(
    const Caller& caller, const v1::UpdateMyNotificationPreferencesRequest& request) {
  return RunIdempotent<v1::NotificationPreferences>(
      store_,
      {caller.tenant, caller.person_id, request.request_id(), "UpdateMyNotificationPreferences"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::NotificationPreferences> {
        RETURN_IF_ERROR(notifications::RequirePerson(caller, "setting notification preferences"));
        std::set<int> kinds;
        for (int k : request.muted_kinds()) {
          if (k == v1::NOTIFICATION_KIND_UNSPECIFIED || !v1::NotificationKind_IsValid(k)) {
            return InvalidField("muted_kinds", "unknown notification kind " + std::to_string(k));
          }
          if (!kinds.insert(k).second) {
            return InvalidField("muted_kinds", "kind " + std::to_string(k) + " is given twice");
          }
        }
        const std::string key = storage::NotificationPrefsKey(caller.person_id);
        m.Lock({key});
        v1::NotificationPreferences p;
        p.set_person_id(caller.person_id);
        for (int k : kinds) p.add_muted_kinds(static_cast<v1::NotificationKind>(k));
        *p.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kNotifications, key, p);
        return p;
      });
}

absl::StatusOr<bool> NotificationSettingsBook::Muted(uint64_t person,
                                                     v1::NotificationKind kind) const {
  v1::NotificationPreferences p;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kNotifications,
                                                 storage::NotificationPrefsKey(person), &p));
  if (!found) return false;
  return std::find(p.muted_kinds().begin(), p.muted_kinds().end(), kind) != p.muted_kinds().end();
}

}  // namespace branchline
