#pragma once

#include <cstdint>
#include <mutex>
#include <set>

#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"
#include "services/attendance/meetings.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/calendar/calendar_options.h"
#include "services/calendar/holidays.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/common/periodic_thread.h"
#include "storage/store.h"

namespace branchline {

// Recurring meeting series (CalendarService) and the creation of their occurrences.
//
// A series (v1::MeetingSeries at storage::SeriesKey) is a meeting template and an RRULE
// (recurrence.h) read in its organisation's local time. Its occurrences are ordinary meetings
// created through Meetings::StageCreate, so check-in, rosters and leave treat them like any
// other. Each created occurrence leaves a storage::SeriesOccurrenceKey(series, local day)
// entry in the same commit as the meeting: that entry, checked under the series' record lock,
// is what makes an occurrence exist once per (series, date) across passes, retries and
// restarts, and it is never rewritten, so an occurrence edited or cancelled alone stays as
// edited. `materialized_until` only saves re-reading the dates long handled.
//
// Occurrences are created up to the horizon at creation (in the creating commit) and then by
// MaterializeDue, run by a background thread (Start) and by the server's test hook. Thread-safe.
class RecurringMeetings {
 public:
  static constexpr int32_t kMaxHorizonDays = 366;

  RecurringMeetings(storage::Store& store, const Access& access, const Meetings& meetings,
                    const Holidays& holidays, const Clock& clock, const CalendarOptions& options)
      : store_(store),
        access_(access),
        meetings_(meetings),
        holidays_(holidays),
        clock_(clock),
        options_(options) {}

  // CreateMeetingSeries: validates the template like CreateMeeting (fields under
  // "series.meeting."), the rule (INVALID_ARGUMENT naming "series.rule"), that DTSTART is not
  // in the past and falls on a day the rule selects; needs a manager of the organisation.
  absl::StatusOr<v1::MeetingSeries> Create(const Caller& caller,
                                           const v1::CreateMeetingSeriesRequest& request);
  absl::StatusOr<v1::MeetingSeries> Get(const Caller& caller,
                                        const v1::GetMeetingSeriesRequest& request) const;
  absl::StatusOr<v1::ListMeetingSeriesResponse> List(
      const Caller& caller, const v1::ListMeetingSeriesRequest& request) const;
  absl::StatusOr<v1::ListSeriesOccurrencesResponse> ListOccurrences(
      const Caller& caller, const v1::ListSeriesOccurrencesRequest& request) const;
  // EndMeetingSeries: see calendar.proto. Occurrences that have started, and those with a
  // check-in (present, late, remote), are kept.
  absl::StatusOr<v1::EndMeetingSeriesResponse> End(const Caller& caller,
                                                   const v1::EndMeetingSeriesRequest& request);

  // UpdateMeetingSeries: edits the template in place (see calendar.proto). An occurrence is
  // rewritten only while it is as the series last wrote it: its occurrence entry carries a
  // fingerprint of the fields the series sets, so one edited alone (UpdateMeeting) no longer
  // matches and is kept, as is one cancelled alone or with a check-in.
  absl::StatusOr<v1::UpdateMeetingSeriesResponse> Update(
      const Caller& caller, const v1::UpdateMeetingSeriesRequest& request);
  // SplitMeetingSeries ("this and following"): see calendar.proto.
  absl::StatusOr<v1::SplitMeetingSeriesResponse> Split(
      const Caller& caller, const v1::SplitMeetingSeriesRequest& request);

  // Creates the occurrences now due (starting before now + horizon) of every active series of
  // every tenant, one commit per series; a series that fails (say, its host was deactivated)
  // is logged and skipped, the others go on. Returns how many meetings were created.
  absl::StatusOr<uint64_t> MaterializeDue();
  // Starts the background pass (once); Stop ends it after its current series.
  void Start();
  void Stop() { timer_.Stop(); }

 private:
  absl::StatusOr<v1::MeetingSeries> Load(const Caller& caller, uint64_t id,
                                         std::string_view field) const;
  // Stages in `m` the occurrences of `series` (held by `org`) not yet created that start
  // before the horizon, as `caller`, and advances series.materialized_until. Returns how many.
  // `taken`: days whose occurrence entry this mutation already stages (a split's moved ones).
  absl::StatusOr<int> StageOccurrences(Mutation& m, const Caller& caller, v1::MeetingSeries& series,
                                       const v1::Organization& org,
                                       const std::set<int64_t>* taken = nullptr);
  // The client's half of a new series (CreateMeetingSeries, the new half of a split):
  // template defaults and checks, rule and horizon; INVALID_ARGUMENT naming "series.…".
  absl::StatusOr<v1::MeetingSeries> DraftSeries(const Caller& caller,
                                                const v1::MeetingSeries& in) const;
  // The checks of a drafted series against `org`, its holder (loaded, managed by the caller,
  // not archived): DTSTART not in the past and on a rule day, the rule not empty, the host and
  // audience; assigns its id and server fields and stages its record and indexes in `m` (not
  // its occurrences).
  absl::StatusOr<v1::MeetingSeries> StageNewSeries(Mutation& m, const Caller& caller,
                                                   v1::MeetingSeries draft,
                                                   const v1::Organization& org) const;
  // One series' share of MaterializeDue, in its own commit.
  absl::StatusOr<int> MaterializeSeries(uint64_t series_id);

  storage::Store& store_;
  const Access& access_;
  const Meetings& meetings_;
  const Holidays& holidays_;
  const Clock& clock_;
  const CalendarOptions options_;
  std::mutex pass_mu_;    // one pass at a time (the timer's or the hook's)
  PeriodicThread timer_;  // last: stops first
};

}  // namespace branchline
