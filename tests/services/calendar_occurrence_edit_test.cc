// Editing meeting series after they were created: one occurrence edited or cancelled alone
// is detached (series edits and the pass leave it as it is), UpdateMeetingSeries edits the
// whole series in place, and SplitMeetingSeries is "this and following".
#include <set>

#include "services/common/local_day.h"
#include "tests/services/calendar_fixture.h"

namespace branchline::testing {
namespace {

std::string DateText(const v1::LocalDate& d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return text;
}

v1::LocalDate Date(int year, int month, int day) {
  v1::LocalDate d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

class SeriesEditTest : public CalendarTest {
 protected:
  grpc::Status UpdateSeries(const v1::MeetingSeries& series, const std::vector<std::string>& paths,
                            v1::UpdateMeetingSeriesResponse* out, const std::string& token = "",
                            const std::string& request_id = "") {
    v1::UpdateMeetingSeriesRequest r;
    r.set_request_id(request_id.empty() ? TestServer::RequestId() : request_id);
    *r.mutable_series() = series;
    for (const auto& p : paths) r.mutable_update_mask()->add_paths(p);
    return calendar_->UpdateMeetingSeries(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }

  grpc::Status Split(uint64_t id, const v1::LocalDate& from, const v1::MeetingSeries& next,
                     v1::SplitMeetingSeriesResponse* out, const std::string& token = "",
                     const std::string& request_id = "") {
    v1::SplitMeetingSeriesRequest r;
    r.set_request_id(request_id.empty() ? TestServer::RequestId() : request_id);
    r.set_id(id);
    *r.mutable_from_date() = from;
    *r.mutable_series() = next;
    return calendar_->SplitMeetingSeries(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }

  v1::Meeting UpdateOccurrence(uint64_t meeting_id, int64_t start, const std::string& place_name) {
    v1::UpdateMeetingRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* m = r.mutable_meeting();
    m->set_id(meeting_id);
    *m->mutable_start_time() = Ts(start);
    *m->mutable_end_time() = Ts(start + kHour);
    m->mutable_place()->set_latitude(40.0);
    m->mutable_place()->set_longitude(116.0);
    m->mutable_place()->set_radius_m(300);
    m->mutable_place()->set_name(place_name);
    for (const char* p : {"start_time", "end_time", "place"}) r.mutable_update_mask()->add_paths(p);
    v1::Meeting out;
    auto status = stub_->UpdateMeeting(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::vector<std::string> Dates(uint64_t series) {
    std::vector<std::string> out;
    for (const auto& o : Occurrences(series)) out.push_back(DateText(o.date()));
    return out;
  }

  static std::vector<uint64_t> Ids(const google::protobuf::RepeatedField<uint64_t>& ids) {
    return {ids.begin(), ids.end()};
  }
};

// One occurrence moved (time and place) alone keeps its values when the whole series is
// edited afterwards; the others take the series' new title, time of day and place.
TEST_F(SeriesEditTest, AnOccurrenceEditedAloneKeepsItsValuesWhenTheSeriesIsEdited) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", 28));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 4u);
  const int64_t moved_start = start + 7 * kDay + 2 * kHour;
  UpdateOccurrence(occurrences[1].meeting_id(), moved_start, "调度室");
  // The new time of day must stay on the series' first local date (UTC+8, the tenant's
  // default): half an hour later, or earlier when later would pass local midnight.
  const int64_t shift =
      LocalDay(start + 30 * kMin, 480) == LocalDay(start, 480) ? 30 * kMin : -30 * kMin;

  v1::MeetingSeries edit;
  edit.set_id(series.id());
  edit.mutable_meeting()->set_title("安全例会（新）");
  *edit.mutable_meeting()->mutable_start_time() = Ts(start + shift);
  *edit.mutable_meeting()->mutable_end_time() = Ts(start + shift + 2 * kHour);
  edit.mutable_meeting()->mutable_place()->set_latitude(31.2);
  edit.mutable_meeting()->mutable_place()->set_longitude(121.5);
  edit.mutable_meeting()->mutable_place()->set_radius_m(150);
  edit.mutable_meeting()->mutable_place()->set_name("车队会议室");
  v1::UpdateMeetingSeriesResponse updated;
  auto status = UpdateSeries(
      edit, {"meeting.title", "meeting.start_time", "meeting.end_time", "meeting.place"}, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Ids(updated.updated_meeting_ids()),
            (std::vector<uint64_t>{occurrences[0].meeting_id(), occurrences[2].meeting_id(),
                                   occurrences[3].meeting_id()}));
  EXPECT_EQ(Ids(updated.kept_meeting_ids()), std::vector<uint64_t>{occurrences[1].meeting_id()});
  EXPECT_EQ(updated.series().meeting().title(), "安全例会（新）");
  EXPECT_EQ(ToMicros(updated.series().meeting().start_time()), start + shift);

  for (int i : {0, 2, 3}) {
    auto m = GetMeeting(occurrences[i].meeting_id());
    EXPECT_EQ(m.title(), "安全例会（新）");
    EXPECT_EQ(ToMicros(m.start_time()), start + i * 7 * kDay + shift);
    EXPECT_EQ(ToMicros(m.end_time()), start + i * 7 * kDay + shift + 2 * kHour);
    EXPECT_EQ(m.place().name(), "车队会议室");
  }
  auto alone = GetMeeting(occurrences[1].meeting_id());
  EXPECT_EQ(alone.title(), "周一安全例会");
  EXPECT_EQ(ToMicros(alone.start_time()), moved_start);
  EXPECT_EQ(alone.place().name(), "调度室");

  // A second series edit still leaves it alone, and the pass never rewrites it either.
  edit.mutable_meeting()->set_agenda("一、学习安全规程");
  ASSERT_TRUE(UpdateSeries(edit, {"meeting.agenda"}, &updated).ok());
  EXPECT_EQ(Ids(updated.kept_meeting_ids()), std::vector<uint64_t>{occurrences[1].meeting_id()});
  EXPECT_EQ(updated.updated_meeting_ids_size(), 3);
  EXPECT_EQ(GetMeeting(occurrences[1].meeting_id()).agenda(), "");
  EXPECT_EQ(GetMeeting(occurrences[2].meeting_id()).agenda(), "一、学习安全规程");
  CalendarClock().Advance(14 * kDay);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 2u);
  alone = GetMeeting(occurrences[1].meeting_id());
  EXPECT_EQ(ToMicros(alone.start_time()), moved_start);
  EXPECT_EQ(alone.place().name(), "调度室");
  // The pass creates the later dates from the new template.
  auto later = Occurrences(series.id());
  ASSERT_EQ(later.size(), 6u);
  auto fifth = GetMeeting(later[4].meeting_id());
  EXPECT_EQ(fifth.title(), "安全例会（新）");
  EXPECT_EQ(ToMicros(fifth.start_time()), start + 28 * kDay + shift);
  EXPECT_EQ(fifth.agenda(), "一、学习安全规程");
  // ListSeriesOccurrences marks the one edited alone as detached, and only it.
  for (size_t i = 0; i < later.size(); ++i) {
    EXPECT_EQ(later[i].detached(), i == 1) << i;
    EXPECT_FALSE(later[i].cancelled()) << i;
  }
}

// A cancelled occurrence stays cancelled and its date taken: the pass (across a restart) does
// not create it again, and a series edit does not revive or rewrite it.
TEST_F(SeriesEditTest, ACancelledOccurrenceIsNeitherRecreatedNorRewritten) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", 28));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 4u);
  v1::CancelMeetingRequest cancel;
  cancel.set_request_id(TestServer::RequestId());
  cancel.set_id(occurrences[2].meeting_id());
  cancel.set_reason("春运加班");
  v1::Meeting cancelled;
  ASSERT_TRUE(stub_->CancelMeeting(Ctx(secretary_).get(), cancel, &cancelled).ok());

  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 0u);
  server_.Restart();
  stub_ = v1::AttendanceService::NewStub(server_.channel());
  calendar_ = v1::CalendarService::NewStub(server_.channel());
  CalendarClock().Advance(kDay);  // the horizon now reaches a fifth date, and only that
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 1u);
  auto after = Occurrences(series.id());
  ASSERT_EQ(after.size(), 5u);
  EXPECT_EQ(after[2].meeting_id(), occurrences[2].meeting_id());
  EXPECT_EQ(CountBranchMeetings(), 5);

  v1::MeetingSeries edit;
  edit.set_id(series.id());
  edit.mutable_meeting()->set_title("安全例会（改）");
  v1::UpdateMeetingSeriesResponse updated;
  ASSERT_TRUE(UpdateSeries(edit, {"meeting.title"}, &updated).ok());
  EXPECT_EQ(Ids(updated.kept_meeting_ids()), std::vector<uint64_t>{occurrences[2].meeting_id()});
  auto still = GetMeeting(occurrences[2].meeting_id());
  EXPECT_TRUE(still.cancelled());
  EXPECT_EQ(still.title(), "周一安全例会");
  EXPECT_EQ(still.cancel_reason(), "春运加班");
  EXPECT_EQ(updated.updated_meeting_ids_size(), 3);  // the first has started: history
  EXPECT_EQ(CountBranchMeetings(), 5);
  // Listed: the cancelled one is cancelled and detached; the others follow the series.
  after = Occurrences(series.id());
  ASSERT_EQ(after.size(), 5u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].cancelled(), i == 2) << i;
    EXPECT_EQ(after[i].detached(), i == 2) << i;
  }
}

// Occurrences with a check-in are not rewritten; a longer horizon creates the new dates at
// once; a retry answers the first result.
TEST_F(SeriesEditTest, SeriesEditKeepsCheckedInOccurrencesAndIsIdempotent) {
  auto series = MustCreateSeries(SeriesDraft(Now() + 5 * kMin, "FREQ=WEEKLY", 14));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 2u);
  v1::CheckInResponse checked;
  ASSERT_TRUE(
      CheckIn(d1_, Remote(occurrences[0].meeting_id(), v1::REMOTE_REASON_DRIVING), &checked).ok());
  v1::MeetingSeries edit;
  edit.set_id(series.id());
  edit.mutable_meeting()->set_title("安全例会（改）");
  edit.set_horizon_days(28);
  const std::string request_id = TestServer::RequestId();
  v1::UpdateMeetingSeriesResponse first, second;
  ASSERT_TRUE(UpdateSeries(edit, {"meeting.title", "horizon_days"}, &first, "", request_id).ok());
  EXPECT_EQ(Ids(first.kept_meeting_ids()), std::vector<uint64_t>{occurrences[0].meeting_id()});
  EXPECT_EQ(Ids(first.updated_meeting_ids()), std::vector<uint64_t>{occurrences[1].meeting_id()});
  EXPECT_EQ(first.series().horizon_days(), 28);
  EXPECT_EQ(Occurrences(series.id()).size(), 4u);
  EXPECT_EQ(GetMeeting(Occurrences(series.id())[3].meeting_id()).title(), "安全例会（改）");
  EXPECT_EQ(GetMeeting(occurrences[0].meeting_id()).title(), "周一安全例会");
  ASSERT_TRUE(UpdateSeries(edit, {"meeting.title", "horizon_days"}, &second, "", request_id).ok());
  EXPECT_EQ(Ids(second.updated_meeting_ids()), Ids(first.updated_meeting_ids()));
  EXPECT_EQ(CountBranchMeetings(), 4);
}

TEST_F(SeriesEditTest, UpdateRefusesBadInputNamingTheField) {
  const int64_t start = Now() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", 14));
  struct Case {
    v1::MeetingSeries edit;
    std::vector<std::string> paths;
    grpc::StatusCode code;
    std::string field;
    std::string token;
  };
  auto base = [&] {
    v1::MeetingSeries e;
    e.set_id(series.id());
    return e;
  };
  std::vector<Case> cases;
  cases.push_back({base(), {}, grpc::INVALID_ARGUMENT, "update_mask", ""});
  cases.push_back({base(), {"rule"}, grpc::INVALID_ARGUMENT, "update_mask", ""});
  auto other_day = base();
  *other_day.mutable_meeting()->mutable_start_time() = Ts(start + kDay);
  cases.push_back(
      {other_day, {"meeting.start_time"}, grpc::INVALID_ARGUMENT, "series.meeting.start_time", ""});
  auto untitled = base();
  cases.push_back(
      {untitled, {"meeting.title"}, grpc::INVALID_ARGUMENT, "series.meeting.title", ""});
  auto far = base();
  far.set_horizon_days(400);
  cases.push_back({far, {"horizon_days"}, grpc::INVALID_ARGUMENT, "series.horizon_days", ""});
  auto retitled = base();
  retitled.mutable_meeting()->set_title("改");
  cases.push_back({retitled, {"meeting.title"}, grpc::PERMISSION_DENIED, "", d1_});
  auto missing = retitled;
  missing.set_id(series.id() + 1000);
  cases.push_back({missing, {"meeting.title"}, grpc::NOT_FOUND, "series.id", ""});
  for (const auto& c : cases) {
    v1::UpdateMeetingSeriesResponse out;
    auto status = UpdateSeries(c.edit, c.paths, &out, c.token);
    EXPECT_EQ(status.error_code(), c.code) << c.field << " " << status.error_message();
    if (!c.field.empty()) {
      EXPECT_EQ(ViolationField(status), c.field) << status.error_message();
    }
  }
  for (const auto& o : Occurrences(series.id())) {
    EXPECT_EQ(GetMeeting(o.meeting_id()).title(), "周一安全例会");
  }
}

// "This and following" across a month end: a Tuesday 10:00 series becomes Tuesdays and
// Thursdays at 14:00 from 2030-01-29. The Tuesdays from then on move (same meeting ids, new
// values), the Thursdays are new, the old series ends on 01-28 and gets nothing more.
TEST_F(SeriesEditTest, SplitAcrossAMonthEnd) {
  // 2030-01-08 (a Tuesday) 09:00 at +08:00.
  CalendarClock().Set(1'894'064'400LL * kSec);
  const int64_t start = CalendarClock().NowMicros() + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY;BYDAY=TU", 56));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(Dates(series.id()),
            (std::vector<std::string>{"2030-01-08", "2030-01-15", "2030-01-22", "2030-01-29",
                                      "2030-02-05", "2030-02-12", "2030-02-19", "2030-02-26"}));
  // One Tuesday after the split date was moved alone: it moves too, with its own values.
  const int64_t feb12 = start + 35 * kDay;
  UpdateOccurrence(occurrences[5].meeting_id(), feb12 + kHour, "调度室");

  const int64_t new_start = start + 21 * kDay + 4 * kHour;  // 2030-01-29 14:00
  auto next = SeriesDraft(new_start, "FREQ=WEEKLY;BYDAY=TU,TH", 56);
  next.mutable_meeting()->set_title("安全例会（周二周四）");
  v1::SplitMeetingSeriesResponse split;
  auto status = Split(series.id(), Date(2030, 1, 29), next, &split);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(split.old_series().ended());
  EXPECT_EQ(DateText(split.old_series().last_date()), "2030-01-28");
  EXPECT_NE(split.new_series().id(), series.id());
  std::vector<uint64_t> moved;
  for (int i = 3; i < 8; ++i) moved.push_back(occurrences[i].meeting_id());
  EXPECT_EQ(Ids(split.moved_meeting_ids()), moved);
  EXPECT_EQ(split.cancelled_meeting_ids_size(), 0);
  EXPECT_EQ(split.kept_meeting_ids_size(), 0);

  EXPECT_EQ(Dates(series.id()),
            (std::vector<std::string>{"2030-01-08", "2030-01-15", "2030-01-22"}));
  EXPECT_EQ(Dates(split.new_series().id()),
            (std::vector<std::string>{"2030-01-29", "2030-01-31", "2030-02-05", "2030-02-07",
                                      "2030-02-12", "2030-02-14", "2030-02-19", "2030-02-21",
                                      "2030-02-26", "2030-02-28"}));
  EXPECT_EQ(CountBranchMeetings(), 8 + 5);  // no date has two meetings
  for (int i : {3, 4, 6, 7}) {
    auto m = GetMeeting(occurrences[i].meeting_id());
    EXPECT_EQ(m.title(), "安全例会（周二周四）");
    EXPECT_EQ(ToMicros(m.start_time()), start + i * 7 * kDay + 4 * kHour);
    EXPECT_FALSE(m.cancelled());
  }
  auto alone = GetMeeting(occurrences[5].meeting_id());
  EXPECT_EQ(alone.title(), "周一安全例会");
  EXPECT_EQ(ToMicros(alone.start_time()), feb12 + kHour);
  EXPECT_EQ(GetMeeting(occurrences[2].meeting_id()).title(), "周一安全例会");  // before: as is

  // Two weeks on, the pass adds the new series' dates only (Tue 03-05, 03-12; Thu 03-07,
  // 03-14), and the moved-alone occurrence is still left alone by a series edit of the new one.
  CalendarClock().Advance(14 * kDay);
  EXPECT_EQ(*server_.server().MaterializeSeriesNow(), 4u);
  EXPECT_EQ(Occurrences(series.id()).size(), 3u);
  EXPECT_EQ(Occurrences(split.new_series().id()).size(), 14u);
  v1::MeetingSeries edit;
  edit.set_id(split.new_series().id());
  edit.mutable_meeting()->set_agenda("议程");
  v1::UpdateMeetingSeriesResponse updated;
  ASSERT_TRUE(UpdateSeries(edit, {"meeting.agenda"}, &updated).ok());
  EXPECT_EQ(Ids(updated.kept_meeting_ids()), std::vector<uint64_t>{occurrences[5].meeting_id()});
  EXPECT_EQ(updated.updated_meeting_ids_size(), 13);
}

// Occurrences from the split date on where someone has checked in are kept as they are and
// reported; the new series lists that day's meeting instead of creating a second one. Dates
// the new rule no longer has are cancelled.
TEST_F(SeriesEditTest, SplitKeepsOccurrencesWithCheckInsAndCancelsDroppedDates) {
  const int64_t start = Now() + 5 * kMin;
  const int64_t new_start = start + kMin;
  if (LocalDay(start, 480) != LocalDay(new_start + kHour, 480)) {
    GTEST_SKIP() << "too close to local midnight";
  }
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY", 28));
  auto occurrences = Occurrences(series.id());
  ASSERT_EQ(occurrences.size(), 4u);
  v1::CheckInResponse checked;
  ASSERT_TRUE(
      CheckIn(d1_, Remote(occurrences[0].meeting_id(), v1::REMOTE_REASON_DRIVING), &checked).ok());
  // Every other week from today.
  auto next = SeriesDraft(new_start, "FREQ=WEEKLY;INTERVAL=2", 28);
  next.mutable_meeting()->set_title("双周安全例会");
  v1::SplitMeetingSeriesResponse split;
  auto status = Split(series.id(), LocalDateOf(start), next, &split);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Ids(split.kept_meeting_ids()), std::vector<uint64_t>{occurrences[0].meeting_id()});
  EXPECT_EQ(Ids(split.moved_meeting_ids()), std::vector<uint64_t>{occurrences[2].meeting_id()});
  EXPECT_EQ(Ids(split.cancelled_meeting_ids()),
            (std::vector<uint64_t>{occurrences[1].meeting_id(), occurrences[3].meeting_id()}));
  auto kept = GetMeeting(occurrences[0].meeting_id());
  EXPECT_EQ(kept.title(), "周一安全例会");
  EXPECT_EQ(ToMicros(kept.start_time()), start);
  EXPECT_TRUE(GetMeeting(occurrences[1].meeting_id()).cancelled());
  EXPECT_EQ(GetMeeting(occurrences[2].meeting_id()).title(), "双周安全例会");
  auto new_occurrences = Occurrences(split.new_series().id());
  ASSERT_EQ(new_occurrences.size(), 2u);
  EXPECT_EQ(new_occurrences[0].meeting_id(), occurrences[0].meeting_id());
  EXPECT_EQ(new_occurrences[1].meeting_id(), occurrences[2].meeting_id());
  EXPECT_EQ(CountBranchMeetings(), 4);  // no second meeting today
  // The old series ended the day before today.
  EXPECT_EQ(DateText(split.old_series().last_date()), DateText(LocalDateOf(start - kDay)));
}

TEST_F(SeriesEditTest, SplitRefusesBadDatesAndOtherManagers) {
  const int64_t start = Now() + 2 * kDay + kHour;
  auto series = MustCreateSeries(SeriesDraft(start, "FREQ=WEEKLY;COUNT=3", 28));
  ASSERT_EQ(Occurrences(series.id()).size(), 3u);
  auto next = SeriesDraft(start + 7 * kDay, "FREQ=WEEKLY", 28);
  struct Case {
    v1::LocalDate from;
    v1::MeetingSeries next;
    grpc::StatusCode code;
    std::string field;
    std::string token;
    uint64_t id;
  };
  const uint64_t id = series.id();
  std::vector<Case> cases;
  // Before the series' first date (today, two days before it).
  cases.push_back({LocalDateOf(Now()), next, grpc::INVALID_ARGUMENT, "from_date", "", id});
  // After its last date (COUNT=3: start + 14 days).
  cases.push_back({LocalDateOf(start + 21 * kDay), SeriesDraft(start + 21 * kDay),
                   grpc::INVALID_ARGUMENT, "from_date", "", id});
  cases.push_back({v1::LocalDate(), next, grpc::INVALID_ARGUMENT, "from_date", "", id});
  cases.push_back({Date(2030, 2, 30), next, grpc::INVALID_ARGUMENT, "from_date", "", id});
  // The new series must start on or after from_date.
  cases.push_back({LocalDateOf(start + 7 * kDay), SeriesDraft(start), grpc::INVALID_ARGUMENT,
                   "series.meeting.start_time", "", id});
  auto daily = next;
  daily.set_rule("FREQ=DAILY");
  cases.push_back(
      {LocalDateOf(start + 7 * kDay), daily, grpc::INVALID_ARGUMENT, "series.rule", "", id});
  auto elsewhere = next;
  elsewhere.mutable_meeting()->set_organization_id(root_);
  cases.push_back({LocalDateOf(start + 7 * kDay), elsewhere, grpc::INVALID_ARGUMENT,
                   "series.meeting.organization_id", "", id});
  // A driver may read the series but not split it; an unknown series is not found.
  cases.push_back({LocalDateOf(start + 7 * kDay), next, grpc::PERMISSION_DENIED, "", d1_, id});
  cases.push_back({LocalDateOf(start + 7 * kDay), next, grpc::NOT_FOUND, "id", "", id + 1000});
  for (const auto& c : cases) {
    v1::SplitMeetingSeriesResponse out;
    auto status = Split(c.id, c.from, c.next, &out, c.token);
    EXPECT_EQ(status.error_code(), c.code)
        << c.field << " " << DateText(c.from) << " " << status.error_message();
    if (!c.field.empty()) {
      EXPECT_EQ(ViolationField(status), c.field) << status.error_message();
    }
  }
  // Nothing changed.
  v1::GetMeetingSeriesRequest get;
  get.set_id(id);
  v1::MeetingSeries read;
  ASSERT_TRUE(calendar_->GetMeetingSeries(Ctx(secretary_).get(), get, &read).ok());
  EXPECT_FALSE(read.ended());
  EXPECT_EQ(CountBranchMeetings(), 3);
  v1::ListMeetingSeriesRequest list;
  list.set_organization_id(branch_);
  v1::ListMeetingSeriesResponse listed;
  ASSERT_TRUE(calendar_->ListMeetingSeries(Ctx(secretary_).get(), list, &listed).ok());
  EXPECT_EQ(listed.series_size(), 1);

  // The last date itself is accepted; a retry with the same request_id answers the first
  // split and creates nothing twice.
  const std::string request_id = TestServer::RequestId();
  v1::SplitMeetingSeriesResponse first, second;
  auto last = SeriesDraft(start + 14 * kDay, "FREQ=WEEKLY;COUNT=2", 28);
  auto status = Split(id, LocalDateOf(start + 14 * kDay), last, &first, "", request_id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(Split(id, LocalDateOf(start + 14 * kDay), last, &second, "", request_id).ok());
  EXPECT_EQ(first.new_series().id(), second.new_series().id());
  EXPECT_EQ(first.moved_meeting_ids_size(), 1);
  EXPECT_EQ(CountBranchMeetings(), 3 + 1);  // the new series' second date
}

}  // namespace
}  // namespace branchline::testing
