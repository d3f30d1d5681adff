#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "branchline/v1/attendance.pb.h"
#include "services/common/clock.h"
#include "services/common/periodic_thread.h"
#include "services/notifications/notification_options.h"
#include "services/notifications/notification_settings.h"
#include "services/notifications/outbox.h"
#include "services/people/people_directory.h"
#include "services/study/study_data.h"
#include "storage/store.h"

namespace branchline {

// The reminder rules, evaluated by a periodic pass on the server's own clock (and by the
// server's test hook), writing through the Outbox (whose guards make each fire once):
//
// - Meetings (walked per organisation by start time, from a day back to the longest lead
//   ahead): "starts in X hours" for each of the holding organisation's lead hours, check-in
//   open, and check-in closing in 10 minutes, to each person of the audience who is on
//   rosters, not excused (approved leave, or an approved absence covering the meeting's local
//   date) and not checked in. A rule is due from its moment until the moment it is useless
//   (the start, or the close of check-in): a pass after a restart sends what fell due while
//   the server was down and is still useful, and nothing else. When several are due at once
//   only the latest is sent (a restart an hour before a meeting sends "starts in 1 hour", not
//   also the 24-hour one; a closing reminder supersedes "open").
// - Answers, read from the tenant's change log after a durable cursor: a leave or absence
//   decision to its requester, a handler's reply to a NAMED letter to its author. The change
//   log never names an anonymous author, and a letter is read again and skipped when
//   anonymous, so nothing about an anonymous letter reaches a person.
//
// - Study (per organisation, for the people directly in it): a plan item that applies to the
//   person is due today or within the organisation's study_due_days and its minutes are not
//   all done: once per item, person and due day.
// - Repeated absences (per organisation, over its meetings whose check-in closed in the last
//   7 days): a person of the audience absent (not checked in, made up or excused) from three
//   of the organisation's meetings in a row that were for them, counted at the run's third
//   meeting, goes to the organisation's own secretaries and committee members (never the
//   person): once per (absent person, third meeting, recipient).
//
// Quiet hours (the holding organisation's) hold every non-urgent rule while they last;
// check-in open and closing are urgent. Opt-outs are read when a rule fires. Thread-safe.
class ReminderRules {
 public:
  // Minutes before the close of check-in that the closing reminder fires.
  static constexpr int kClosingMinutes = 10;
  // Answers older than this when the pass reads them (a server down for a week) are dropped.
  static constexpr int64_t kAnswerUsefulMicros = 7 * 86'400'000'000LL;
  // How long before a letter's handling deadline its assignee is reminded.
  static constexpr int64_t kLetterDueLead = 24 * 3'600'000'000LL;
  // Absences in a row that make a run, and how far back before a run's third meeting the
  // earlier meetings are looked for (a run reaching further back is seen as a new one).
  static constexpr int kAbsencesInARow = 3;
  static constexpr int64_t kAbsenceLookback = 190 * 86'400'000'000LL;

  ReminderRules(storage::Store& store, const PeopleDirectory& people, const StudyData& study,
                const NotificationSettingsBook& settings, Outbox& outbox, const Clock& clock,
                const NotificationOptions& options)
      : store_(store),
        people_(people),
        study_(study),
        settings_(settings),
        outbox_(outbox),
        clock_(clock),
        options_(options) {}

  // One pass over every tenant; returns how many notifications it wrote. A meeting, a change
  // or a tenant whose rules fail is logged and skipped; the others go on. Only quiet hours
  // keep the change cursor before a change.
  absl::StatusOr<uint64_t> RunDue();
  // Starts the background pass (once); tenants without a change cursor start at the current
  // end of the log, so a first start does not announce a month of old decisions.
  absl::Status Start();
  void Stop() { timer_.Stop(); }

 private:
  absl::StatusOr<uint64_t> MeetingReminders(uint32_t tenant, int64_t now);
  absl::StatusOr<uint64_t> RemindMeeting(const v1::Meeting& meeting, const v1::Organization& holder,
                                         const v1::NotificationSettings& settings, int64_t now);
  // LETTER_DUE_SOON: the open letters of each organisation whose current deadline (index
  // kLetterDue) is within kLetterDueLead ahead or at most kAnswerUsefulMicros past, to their
  // assignee, once per letter and assignee.
  absl::StatusOr<uint64_t> LetterDeadlines(uint32_t tenant, int64_t now);
  // Runs a per-organisation rule over the tenant's organisations (not the archived ones); an
  // organisation whose rule fails is logged as `what` and skipped.
  absl::StatusOr<uint64_t> PerOrganization(
      uint32_t tenant, std::string_view what,
      const std::function<absl::StatusOr<uint64_t>(const v1::Organization&)>& rule);
  // STUDY_DUE_SOON in one organisation (see the class comment).
  absl::StatusOr<uint64_t> StudyDueIn(const v1::Organization& org, int64_t now);
  // REPEATED_ABSENCES in one organisation (see the class comment).
  absl::StatusOr<uint64_t> RepeatedAbsencesIn(const v1::Organization& org, int64_t now);
  // The tenant's organisations (without the archived ones unless asked).
  absl::StatusOr<std::vector<v1::Organization>> Organizations(uint32_t tenant,
                                                              bool with_archived) const;
  // The people directly in `org` (not its subtree), active or not.
  absl::StatusOr<std::vector<v1::Person>> PeopleOf(uint64_t org) const;
  absl::StatusOr<uint64_t> Answers(uint32_t tenant, int64_t now);
  // The notifications of one change-log entry; FAILED_PRECONDITION when quiet hours hold it.
  absl::StatusOr<uint64_t> Answer(uint64_t sequence, const internal::v1::ChangeRecord& change,
                                  int64_t now);
  // Writes `draft` to `person` unless muted or already written; whether it was written.
  absl::StatusOr<bool> Send(v1::Notification draft, uint64_t person, uint64_t object,
                            int64_t occurrence);

  storage::Store& store_;
  const PeopleDirectory& people_;
  const StudyData& study_;
  const NotificationSettingsBook& settings_;
  Outbox& outbox_;
  const Clock& clock_;
  const NotificationOptions options_;
  std::mutex pass_mu_;    // one pass at a time (the timer's or the hook's)
  PeriodicThread timer_;  // last: stops first
};

}  // namespace branchline
