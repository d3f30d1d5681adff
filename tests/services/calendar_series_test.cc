// Meeting series through CalendarService: occurrences are real meetings, created once per
// (series, date) up to the horizon and by the pass, holidays skipped, ending cancels what has
// no check-in. The recurrence arithmetic itself is calendar_recurrence_test.cc.
#include <set>

#include "google/protobuf/util/message_differencer.h"
#include "services/attendance/schedule_periods.h"
#include "services/common/local_day.h"
#include "tests/services/calendar_fixture.h"

namespace branchline::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

std::string DateText(const v1::LocalDate& d) {
  return std::to_string(d.year()) + "-" + std::to_string(d.month()) + "-" + std::to_string(d.day());
}

// An RRULE UNTIL date (YYYYMMDD).
std::string UntilText(const v1::LocalDate& d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d%02d%02d", d.year(), d.month(), d.day());
  return text;
}

TEST_F(CalendarTest, CreatesRealMeetingsUpToTheHorizon) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", /*horizon_days=*/28));
  EXPECT_NE(series.id(), 0u);
  EXPECT_EQ(series.organization_id(), branch_);
  EXPECT_FALSE(series.ended());
  auto occurrences = Occurrences(series.id());
  // Starts at +1 h, +7 d, +14 d, +21 d are within 28 days; +28 d + 1 h is not.
  ASSERT_EQ(occurrences.size(), 4u);
  for (size_t i = 0; i < occurrences.size(); ++i) {
    auto meeting = GetMeeting(occurrences[i].meeting_id());
    EXPECT_EQ(ToMicros(meeting.start_time()), start + static_cast<int64_t>(i) * 7 * kDay);
    EXPECT_EQ(ToMicros(meeting.end_time()), start + static_cast<int64_t>(i) * 7 * kDay + kHour);
    EXPECT_EQ(meeting.title(), "周一安全例会");
    EXPECT_EQ(meeting.type(), v1::MEETING_TYPE_SAFETY_MEETING);
    EXPECT_EQ(meeting.organization_id(), branch_);
    EXPECT_TRUE(MessageDifferencer::Equals(occurrences[i].date(),
                                           LocalDateOf(ToMicros(meeting.start_time()))));
  }
  EXPECT_EQ(CountBranchMeetings(), 4);
  // The roster of an occurrence works like any meeting's: the whole branch is expected.
  EXPECT_EQ(Roster(occurrences[0].meeting_id()).entries_size(), 4);  // secretary + 3 drivers
  // A driver sees the series of the branch he belongs to, and its occurrences.
  v1::GetMeetingSeriesRequest get;
  get.set_id(series.id());
  v1::MeetingSeries read;
  ASSERT_TRUE(calendar_->GetMeetingSeries(Ctx(d1_).get(), get, &read).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(read, series));
  EXPECT_EQ(Occurrences(series.id(), d1_).size(), 4u);
}

TEST_F(CalendarTest, RetryWithTheSameRequestIdCreatesNothingTwice) {
  v1::CreateMeetingSeriesRequest r;
  r.set_request_id(TestServer::RequestId());
  *r.mutable_series() = SeriesDraft(Now() + kHour);
  v1::MeetingSeries first, second;
  ASSERT_TRUE(calendar_->CreateMeetingSeries(Ctx(secretary_).get(), r, &first).ok());
  ASSERT_TRUE(calendar_->CreateMeetingSeries(Ctx(secretary_).get(), r, &second).ok());
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(CountBranchMeetings(), 4);
}

TEST_F(CalendarTest, RefusesBadInputNamingTheField) {
  struct Case {
    v1::MeetingSeries draft;
    grpc::StatusCode code;
    std::string field;
  };
  const int64_t start = Now() + kHour;
  std::vector<Case> cases;
  cases.push_back({SeriesDraft(start, "FREQ=DAILY"), grpc::INVALID_ARGUMENT, "series.rule"});
  cases.push_back({SeriesDraft(start, "FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1"), grpc::INVALID_ARGUMENT,
                   "series.rule"});
  cases.push_back({SeriesDraft(start, ""), grpc::INVALID_ARGUMENT, "series.rule"});
  cases.push_back(
      {SeriesDraft(start, "FREQ=WEEKLY;UNTIL=20200101"), grpc::INVALID_ARGUMENT, "series.rule"});
  cases.push_back(
      {SeriesDraft(start, "FREQ=WEEKLY", 367), grpc::INVALID_ARGUMENT, "series.horizon_days"});
  cases.push_back(
      {SeriesDraft(Now() - kHour), grpc::INVALID_ARGUMENT, "series.meeting.start_time"});
  // DTSTART must be one of the rule's days: a rule for the day after DTSTART's weekday.
  const char* names[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  int64_t local_day = (start / kMin + 480) / 1440;
  std::string next_weekday = names[(local_day + 4) % 7];  // 1970-01-01 was a Thursday
  cases.push_back({SeriesDraft(start, "FREQ=WEEKLY;BYDAY=" + next_weekday), grpc::INVALID_ARGUMENT,
                   "series.meeting.start_time"});
  auto untitled = SeriesDraft(start);
  untitled.mutable_meeting()->set_title("");
  cases.push_back({untitled, grpc::INVALID_ARGUMENT, "series.meeting.title"});
  auto elsewhere = SeriesDraft(start);
  elsewhere.mutable_meeting()->set_organization_id(987654321);
  cases.push_back({elsewhere, grpc::NOT_FOUND, "series.meeting.organization_id"});
  for (const auto& c : cases) {
    v1::MeetingSeries out;
    auto status = CreateSeries(c.draft, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.draft.rule() << " " << status.error_message();
    EXPECT_EQ(ViolationField(status), c.field) << status.error_message();
  }
  // A member may not create one; nothing was created by any of the above.
  v1::MeetingSeries out;
  EXPECT_EQ(CreateSeries(SeriesDraft(start), &out, d1_).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(CountBranchMeetings(), 0);
  v1::GetMeetingSeriesRequest get;
  get.set_id(424242);
  EXPECT_EQ(calendar_->GetMeetingSeries(Ctx(secretary_).get(), get, &out).error_code(),
            grpc::NOT_FOUND);
}

TEST_F(CalendarTest, HolidaysOfTheOrganisationAndItsAncestorsAreSkipped) {
  const int64_t start = Now() + kHour;
  // The company (root) closes on the second occurrence's date, the branch on the fourth's.
  v1::SetHolidaysRequest company;
  company.set_request_id(TestServer::RequestId());
  company.mutable_holidays()->set_organization_id(root_);
  *company.mutable_holidays()->add_dates() = LocalDateOf(start + 7 * kDay);
  v1::HolidayList list;
  ASSERT_TRUE(calendar_->SetHolidays(Ctx(admin_).get(), company, &list).ok());
  v1::SetHolidaysRequest branch;
  branch.set_request_id(TestServer::RequestId());
  branch.mutable_holidays()->set_organization_id(branch_);
  *branch.mutable_holidays()->add_dates() = LocalDateOf(start + 21 * kDay);
  *branch.mutable_holidays()->add_dates() = LocalDateOf(start + 21 * kDay);  // repeats dropped
  *branch.mutable_holidays()->add_dates() = LocalDateOf(start + 100 * kDay);
  ASSERT_TRUE(calendar_->SetHolidays(Ctx(secretary_).get(), branch, &list).ok());
  ASSERT_EQ(list.dates_size(), 2);

  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY;COUNT=5", 56));
  std::vector<std::string> dates;
  for (const auto& o : Occurrences(series.id())) dates.push_back(DateText(o.date()));
  // COUNT=5 counts the skipped dates too (they are RFC 5545 exclusions): weeks 0, 2, 4 remain.
  EXPECT_EQ(dates, (std::vector<std::string>{DateText(LocalDateOf(start)),
                                             DateText(LocalDateOf(start + 14 * kDay)),
                                             DateText(LocalDateOf(start + 28 * kDay))}));

  // A driver reads the branch's list; another branch's secretary may not set it.
  v1::ListHolidaysRequest read;
  read.set_organization_id(branch_);
  ASSERT_TRUE(calendar_->ListHolidays(Ctx(d1_).get(), read, &list).ok());
  EXPECT_EQ(list.dates_size(), 2);
  EXPECT_EQ(calendar_->SetHolidays(Ctx(d1_).get(), branch, &list).error_code(),
            grpc::PERMISSION_DENIED);
  // A date that does not exist names the field.
  v1::SetHolidaysRequest bad;
  bad.set_request_id(TestServer::RequestId());
  bad.mutable_holidays()->set_organization_id(branch_);
  auto* feb30 = bad.mutable_holidays()->add_dates();
  feb30->set_year(2027);
  feb30->set_month(2);
  feb30->set_day(30);
  auto status = calendar_->SetHolidays(Ctx(secretary_).get(), bad, &list);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "holidays.dates");
}

// The pass creates what came within the horizon, once per date, however often it runs and
// across restarts; an occurrence edited alone keeps its edit.
TEST_F(CalendarTest, MaterialisesEachDateOnceAcrossRestarts) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", /*horizon_days=*/14));
  ASSERT_EQ(Occurrences(series.id()).size(), 2u);  // +1 h and +7 d
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);

  // The secretary moves the second occurrence's title; the pass must not undo it.
  v1::UpdateMeetingRequest edit;
  edit.set_request_id(TestServer::RequestId());
  edit.mutable_meeting()->set_id(Occurrences(series.id())[1].meeting_id());
  edit.mutable_meeting()->set_title("安全例会（改在调度室）");
  edit.mutable_update_mask()->add_paths("title");
  v1::Meeting edited;
  ASSERT_TRUE(stub_->UpdateMeeting(Ctx(secretary_).get(), edit, &edited).ok());

  CalendarClock().Advance(14 * kDay);
  server_.Restart();
  stub_ = v1::AttendanceService::NewStub(server_.channel());
  calendar_ = v1::CalendarService::NewStub(server_.channel());
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 2u);  // +14 d and +21 d
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  server_.Restart();
  stub_ = v1::AttendanceService::NewStub(server_.channel());
  calendar_ = v1::CalendarService::NewStub(server_.channel());
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);

  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 4u);
  std::set<std::string> dates;
  for (const auto& o : occurrences) dates.insert(DateText(o.date()));
  EXPECT_EQ(dates.size(), 4u);
  EXPECT_EQ(CountBranchMeetings(), 4);
  EXPECT_EQ(GetMeeting(occurrences[1].meeting_id()).title(), "安全例会（改在调度室）");
  v1::GetMeetingSeriesRequest get;
  get.set_id(series.id());
  v1::MeetingSeries read;
  ASSERT_TRUE(calendar_->GetMeetingSeries(Ctx(secretary_).get(), get, &read).ok());
  EXPECT_EQ(ToMicros(read.materialized_until()), CalendarClock().NowMicros() + 14 * kDay);
}

// An occurrence just inside the horizon is created; the branch then moves its clock an hour
// west, so that date's wall-clock start falls after the pass's cursor. The date must not get
// a second meeting: the occurrence entries, not the cursor, say which dates exist.
TEST_F(CalendarTest, AnOffsetChangeDoesNotCreateADateTwice) {
  // 2030-01-08 09:00 at +08:00: no local midnight near the times below.
  CalendarClock().Set(1'894'064'400LL * kSec);
  const int64_t start = CalendarClock().NowMicros() + 7 * kDay - 30 * kMin;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", /*horizon_days=*/7));
  ASSERT_EQ(Occurrences(series.id()).size(), 1u);
  v1::UpdateOrganizationRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_organization()->set_id(branch_);
  update.mutable_organization()->set_utc_offset_minutes(420);
  update.mutable_update_mask()->add_paths("utc_offset_minutes");
  v1::Organization moved;
  ASSERT_TRUE(server_.orgs().UpdateOrganization(Ctx(admin_).get(), update, &moved).ok());
  CalendarClock().Advance(kDay);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  EXPECT_EQ(Occurrences(series.id()).size(), 1u);
  EXPECT_EQ(CountBranchMeetings(), 1);
}

TEST_F(CalendarTest, ASeriesWithACountLeavesThePassWhenDone) {
  auto series = MustCreateSeries(SeriesDraft(Now() + kHour, "FREQ=WEEKLY;COUNT=2", 56));
  EXPECT_EQ(Occurrences(series.id()).size(), 2u);
  CalendarClock().Advance(100 * kDay);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  EXPECT_EQ(Occurrences(series.id()).size(), 2u);
}

TEST_F(CalendarTest, EndingCancelsLaterOccurrencesWithoutCheckIns) {
  // The first occurrence starts in 5 minutes: its check-in window is open.
  auto series = MustCreateSeries(SeriesDraft(Now() + 5 * kMin, "FREQ=WEEKLY", 28));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 4u);
  v1::CheckInResponse checked;
  ASSERT_TRUE(
      CheckIn(d1_, Remote(occurrences[0].meeting_id(), v1::REMOTE_REASON_DRIVING), &checked).ok());

  v1::EndMeetingSeriesRequest end;
  end.set_request_id(TestServer::RequestId());
  end.set_id(series.id());
  end.set_reason("车队改为线上例会");
  v1::EndMeetingSeriesResponse ended;
  EXPECT_EQ(calendar_->EndMeetingSeries(Ctx(d1_).get(), end, &ended).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(calendar_->EndMeetingSeries(Ctx(secretary_).get(), end, &ended).ok());
  EXPECT_TRUE(ended.series().ended());
  EXPECT_EQ(std::vector<uint64_t>(ended.kept_meeting_ids().begin(), ended.kept_meeting_ids().end()),
            std::vector<uint64_t>{occurrences[0].meeting_id()});
  ASSERT_EQ(ended.cancelled_meeting_ids_size(), 3);
  for (int i = 1; i < 4; ++i) {
    auto meeting = GetMeeting(occurrences[i].meeting_id());
    EXPECT_TRUE(meeting.cancelled());
    EXPECT_EQ(meeting.cancel_reason(), "车队改为线上例会");
  }
  EXPECT_FALSE(GetMeeting(occurrences[0].meeting_id()).cancelled());

  // Nothing new after the end, and the default listing leaves ended series out.
  CalendarClock().Advance(30 * kDay);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  EXPECT_EQ(Occurrences(series.id()).size(), 4u);
  v1::ListMeetingSeriesRequest list;
  list.set_organization_id(branch_);
  v1::ListMeetingSeriesResponse listed;
  ASSERT_TRUE(calendar_->ListMeetingSeries(Ctx(d2_).get(), list, &listed).ok());
  EXPECT_EQ(listed.series_size(), 0);
  list.set_show_ended(true);
  ASSERT_TRUE(calendar_->ListMeetingSeries(Ctx(d2_).get(), list, &listed).ok());
  EXPECT_EQ(listed.series_size(), 1);

  // Ending again answers the ended series and cancels nothing more.
  end.set_request_id(TestServer::RequestId());
  ASSERT_TRUE(calendar_->EndMeetingSeries(Ctx(secretary_).get(), end, &ended).ok());
  EXPECT_EQ(ended.cancelled_meeting_ids_size(), 0);
  // A reason is required.
  end.set_request_id(TestServer::RequestId());
  end.set_reason("");
  auto status = calendar_->EndMeetingSeries(Ctx(secretary_).get(), end, &ended);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "reason");
}

// "This and following": the series ends at a later date (occurrences up to it stay and the
// pass still creates them) and a new series takes over from the next week, every other week.
TEST_F(CalendarTest, ThisAndFollowingIsAnEndAtADateAndANewSeries) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", 14));
  ASSERT_EQ(Occurrences(series.id()).size(), 2u);
  v1::EndMeetingSeriesRequest end;
  end.set_request_id(TestServer::RequestId());
  end.set_id(series.id());
  end.set_reason("改为双周");
  *end.mutable_last_date() = LocalDateOf(start + 21 * kDay);
  v1::EndMeetingSeriesResponse ended;
  ASSERT_TRUE(calendar_->EndMeetingSeries(Ctx(secretary_).get(), end, &ended).ok());
  EXPECT_EQ(ended.cancelled_meeting_ids_size(), 0);
  auto following = MustCreateSeries(SeriesDraft(start + 28 * kDay, "FREQ=WEEKLY;INTERVAL=2", 14));
  EXPECT_EQ(Occurrences(following.id()).size(), 0u);  // its first date is beyond the horizon

  CalendarClock().Advance(60 * kDay);  // horizon now reaches start + 74 days
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 2u + 4u);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  std::vector<std::string> old_dates, new_dates;
  for (const auto& o : Occurrences(series.id())) old_dates.push_back(DateText(o.date()));
  for (const auto& o : Occurrences(following.id())) new_dates.push_back(DateText(o.date()));
  auto date = [&](int days) { return DateText(LocalDateOf(start + days * kDay)); };
  EXPECT_EQ(old_dates, (std::vector<std::string>{date(0), date(7), date(14), date(21)}));
  EXPECT_EQ(new_dates, (std::vector<std::string>{date(28), date(42), date(56), date(70)}));
  EXPECT_EQ(CountBranchMeetings(), 8);
}

// The fleet's year, end to end: a Monday safety-meeting series with the Spring Festival
// weeks as holidays and Wednesday/Friday lectures with one Friday cancelled alone, checked by
// a weekly schedule (one safety meeting, two lectures a week) over last ISO year.
TEST_F(CalendarTest, WeeklySeriesAgainstAWeeklyScheduleOverAPreparedYear) {
  const int year = DayToCivil(LocalDay(Now(), 480)).year - 1;
  const auto weeks = attendance::SchedulePeriods(v1::SCHEDULE_FREQUENCY_WEEKLY, year, 480);
  const int64_t monday = weeks.front().from + 9 * kHour;  // week 1, Monday 09:00 local
  CalendarClock().Set(monday - kHour);
  v1::SetHolidaysRequest festival;
  festival.set_request_id(TestServer::RequestId());
  festival.mutable_holidays()->set_organization_id(branch_);
  for (int w : {4, 5}) *festival.mutable_holidays()->add_dates() = LocalDateOf(weeks[w].from);
  v1::HolidayList holidays;
  ASSERT_TRUE(calendar_->SetHolidays(Ctx(secretary_).get(), festival, &holidays).ok());

  const auto last_monday = LocalDateOf(weeks.back().from + 9 * kHour);
  auto safety = MustCreateSeries(
      SeriesDraft(monday, "FREQ=WEEKLY;BYDAY=MO;UNTIL=" + UntilText(last_monday), 366));
  auto lecture_draft = SeriesDraft(
      monday + 2 * kDay + 5 * kHour,
      "FREQ=WEEKLY;BYDAY=WE,FR;UNTIL=" + UntilText(LocalDateOf(weeks.back().from + 4 * kDay)), 366);
  lecture_draft.mutable_meeting()->set_type(v1::MEETING_TYPE_PARTY_LECTURE);
  lecture_draft.mutable_meeting()->set_title("周三周五党课");
  auto lectures = MustCreateSeries(lecture_draft);
  CalendarClock().Advance(30 * kDay);  // an ISO year can be 371 days: the pass adds the rest
  ASSERT_TRUE(server_.server().MaterializeSeriesNow().ok());
  const size_t n = weeks.size();
  ASSERT_EQ(Occurrences(safety.id()).size(), n - 2);
  auto lecture_occurrences = Occurrences(lectures.id());
  ASSERT_EQ(lecture_occurrences.size(), 2 * n);
  v1::CancelMeetingRequest cancel;  // week 10's Friday lecture, alone
  cancel.set_request_id(TestServer::RequestId());
  cancel.set_id(lecture_occurrences[2 * 9 + 1].meeting_id());
  cancel.set_reason("讲师出差");
  v1::Meeting cancelled;
  ASSERT_TRUE(stub_->CancelMeeting(Ctx(secretary_).get(), cancel, &cancelled).ok());

  v1::SetMeetingScheduleRequest set;
  set.set_request_id(TestServer::RequestId());
  set.mutable_schedule()->set_organization_id(branch_);
  auto* rule = set.mutable_schedule()->add_rules();
  rule->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
  rule->set_frequency(v1::SCHEDULE_FREQUENCY_WEEKLY);
  rule->set_min_count(1);
  rule = set.mutable_schedule()->add_rules();
  rule->set_type(v1::MEETING_TYPE_PARTY_LECTURE);
  rule->set_frequency(v1::SCHEDULE_FREQUENCY_WEEKLY);
  rule->set_min_count(2);
  v1::MeetingSchedule schedule;
  ASSERT_TRUE(stub_->SetMeetingSchedule(Ctx(secretary_).get(), set, &schedule).ok());

  v1::GetComplianceReportRequest r;
  r.set_organization_id(branch_);
  r.set_year(year);
  v1::ComplianceReport report;
  ASSERT_TRUE(stub_->GetComplianceReport(Ctx(secretary_).get(), r, &report).ok());
  ASSERT_EQ(report.branches_size(), 1);
  EXPECT_EQ(report.branches(0).periods_size(), static_cast<int>(2 * n));
  std::set<std::string> missing;
  for (const auto& p : report.branches(0).missing()) {
    missing.insert(std::to_string(p.type()) + " " + p.period() + " " + std::to_string(p.held()));
  }
  const std::string y = std::to_string(year);
  EXPECT_EQ(missing, (std::set<std::string>{
                         std::to_string(v1::MEETING_TYPE_SAFETY_MEETING) + " " + y + "-W05 0",
                         std::to_string(v1::MEETING_TYPE_SAFETY_MEETING) + " " + y + "-W06 0",
                         std::to_string(v1::MEETING_TYPE_PARTY_LECTURE) + " " + y + "-W10 1",
                     }));
}

}  // namespace
}  // namespace branchline::testing
