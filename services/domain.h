#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/admin/backups.h"
#include "services/attendance/attendance_reports.h"
#include "services/attendance/check_ins.h"
#include "services/attendance/meetings.h"
#include "services/audit/audit_log.h"
#include "services/auth/access.h"
#include "services/auth/authenticator.h"
#include "services/auth/password_hasher.h"
#include "services/auth/token_signer.h"
#include "services/calendar/absences.h"
#include "services/calendar/calendar_export.h"
#include "services/calendar/calendar_options.h"
#include "services/calendar/holidays.h"
#include "services/calendar/recurring_meetings.h"
#include "services/common/clock.h"
#include "services/common/device_time.h"
#include "services/duties/duties.h"
#include "services/evaluation/commitments.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/evaluation/honours.h"
#include "services/feedback/anonymous_letter_limit.h"
#include "services/feedback/mailbox.h"
#include "services/feedback/receipts.h"
#include "services/files/attachment_targets.h"
#include "services/files/file_library.h"
#include "services/files/file_options.h"
#include "services/files/uploads.h"
#include "services/handbook/handbooks.h"
#include "services/notifications/devices.h"
#include "services/notifications/notification_options.h"
#include "services/notifications/notification_settings.h"
#include "services/notifications/outbox.h"
#include "services/notifications/reminder_rules.h"
#include "services/org/org_tree.h"
#include "services/people/people_directory.h"
#include "services/signin/sessions.h"
#include "services/study/quizzes.h"
#include "services/study/study_catalog.h"
#include "services/study/study_data.h"
#include "services/study/study_journal.h"
#include "services/study/study_reports.h"
#include "services/sync/change_feed.h"
#include "services/sync/change_retention.h"
#include "services/sync/deferred_changes.h"
#include "services/sync/notices.h"
#include "services/sync/offline_batch.h"
#include "services/sync/watch_hub.h"
#include "storage/store.h"

namespace branchline {

// What the domain is built with besides the store. The clocks left null are `Domain::clock`.
struct DomainOptions {
  PasswordHasher::Strength password_hashing = PasswordHasher::Strength::kInteractive;
  // Where AdminService.CreateBackup writes, and the token key file a backup carries along.
  std::string backup_dir;
  std::string token_key_file;
  DeviceTimeRules device_time;
  int64_t change_retention_micros = 30LL * 86'400'000'000;
  int64_t audit_retention_micros = 3LL * 365 * 86'400'000'000;
  // Retention of the change log and the audit trail measures age by this one.
  const Clock* retention_clock = nullptr;
  // Decides which held-back changes of anonymous authors are due.
  const Clock* publication_clock = nullptr;
  // Opens and closes evaluation rounds.
  const Clock* evaluation_clock = nullptr;
  feedback::AnonymousLetterLimit::Limits anonymous_letters;
  CalendarOptions calendar;
  NotificationOptions notifications;
  FileOptions files;
};

// How often the background passes run (StartBackgroundPasses).
struct BackgroundIntervals {
  int64_t change_prune_micros = 10LL * 60'000'000;
  int64_t audit_prune_micros = 6LL * 3600'000'000;
  int64_t deferred_change_micros = 10LL * 60'000'000;
};

// The composition root: every domain object of Branchline over one store, wired once. The
// server puts its gRPC adapters on top; the benchmark's data generator and the domain test
// fixtures call the objects directly. Members are declared in construction order, so they are
// destroyed in reverse: an object never outlives one it reads.
//
// Building starts no thread and writes nothing; StartBackgroundPasses starts the timers
// (retention, publication, meeting series, uploads, reminders), and destroying the domain
// stops them before the store closes.
struct Domain {
  // `receipt_key`: the key of anonymous letters' receipt codes (never the token key).
  Domain(storage::Store& store, const TokenSigner& signer, std::string receipt_key,
         const Clock& clock, DomainOptions domain_options);
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;

  // After the database is bootstrapped: the reminder pass starts its change cursor at the
  // first tenant's end.
  absl::Status StartBackgroundPasses(const BackgroundIntervals& intervals);

  storage::Store& store;
  const TokenSigner& signer;
  const Clock& clock;
  const DomainOptions options;

  PasswordHasher hasher;
  Access access;
  Authenticator authenticator;
  OrgTree orgs;
  PeopleDirectory people;
  Sessions sessions;
  StudyData study_data;
  StudyCatalog study_catalog;
  StudyJournal study_journal;
  StudyReports study_reports;
  Quizzes quizzes;
  Backups backups;
  ChangeFeed change_feed;
  Notices notices;
  WatchHub watch_hub;
  ChangeRetention change_retention;
  AuditLog audit_log;
  DeferredChanges deferred_changes;
  Meetings meetings;
  CheckIns check_ins;
  AttendanceReports attendance_reports;
  Holidays holidays;
  RecurringMeetings recurring_meetings;
  Absences absences;
  CalendarExport calendar_export;
  MeetingRecords meeting_records;
  Ledger ledger;
  EvaluationRounds evaluation_rounds;
  Commitments commitments;
  Honours honours;
  Duties duties;
  Uploads uploads;
  AttachmentTargets attachment_targets;  // filled by the constructor, before anything reads it
  FileLibrary file_library;
  NotificationSettingsBook notification_settings;
  Devices devices;
  Outbox outbox;
  ReminderRules reminder_rules;
  feedback::Receipts receipts;
  Mailbox mailbox;
  Handbooks handbooks;  // reads the objects above
  OfflineBatch offline_batch;
};

}  // namespace branchline
