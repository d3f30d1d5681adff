#pragma once

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "branchline/v1/notifications.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Per-organisation notification settings (reminder lead hours, quiet hours) and per-person
// opt-outs. An organisation without settings of its own uses its nearest ancestor's, else the
// defaults (24 and 1 hours ahead, study items 3 days ahead, quiet 22:00-07:00 local). Thread-safe.
class NotificationSettingsBook {
 public:
  static constexpr int kMaxLeadHours = 168;
  static constexpr int kMaxLeads = 4;
  static constexpr int kDefaultStudyDueDays = 3;
  static constexpr int kMaxStudyDueDays = 30;

  NotificationSettingsBook(storage::Store& store, const Access& access, const Clock& clock)
      : store_(store), access_(access), clock_(clock) {}

  // GetNotificationSettings: people of the subtree, its managers and gateways over it read.
  absl::StatusOr<v1::NotificationSettings> Get(
      const Caller& caller, const v1::GetNotificationSettingsRequest& request) const;
  // UpdateNotificationSettings: managers of the organisation (fields under "settings.").
  absl::StatusOr<v1::NotificationSettings> Update(
      const Caller& caller, const v1::UpdateNotificationSettingsRequest& request);
  // The caller's own opt-outs; PERMISSION_DENIED for a service account.
  absl::StatusOr<v1::NotificationPreferences> GetMine(const Caller& caller) const;
  absl::StatusOr<v1::NotificationPreferences> UpdateMine(
      const Caller& caller, const v1::UpdateMyNotificationPreferencesRequest& request);

  // The settings in force for `org` (for the reminder pass; no authorization).
  absl::StatusOr<v1::NotificationSettings> Effective(const v1::Organization& org) const;
  // Whether `person` muted `kind` (for the reminder pass).
  absl::StatusOr<bool> Muted(uint64_t person, v1::NotificationKind kind) const;

 private:
  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
};

// Quiet hours of `settings` in the local time of UTC offset `offset_minutes`: whether `micros`
// falls in them, and the first instant at or after `micros` outside them.
bool InQuietHours(const v1::NotificationSettings& settings, int32_t offset_minutes, int64_t micros);
int64_t QuietHoursEnd(const v1::NotificationSettings& settings, int32_t offset_minutes,
                      int64_t micros);

}  // namespace branchline
