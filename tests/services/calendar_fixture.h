// The attendance fleet (attendance_fixture.h) with CalendarService, on a server whose
// calendar reads a fake clock the tests move (started at the real time, so check-in windows,
// which follow the system clock, line up with the series' first occurrence).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "branchline/v1/calendar.grpc.pb.h"
#include "tests/services/attendance_fixture.h"

namespace branchline::testing {

inline constexpr int64_t kDay = 24 * kHour;

// One clock for the process: the server keeps a pointer to it across restarts.
inline FakeClock& CalendarClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

class CalendarTest : public AttendanceTest {
 protected:
  CalendarTest()
      : AttendanceTest([](ServerOptions& o) {
          o.calendar.clock = &CalendarClock();
          o.calendar.materialize_interval_micros = 3600LL * kSec;  // the tests call the hook
        }) {}

  void SetUp() override {
    CalendarClock().Set(SystemClock().NowMicros());
    AttendanceTest::SetUp();
    calendar_ = v1::CalendarService::NewStub(server_.channel());
  }

  // A weekly safety meeting of the branch: DTSTART `start`, one hour, plain FREQ=WEEKLY.
  v1::MeetingSeries SeriesDraft(int64_t start, const std::string& rule = "FREQ=WEEKLY",
                                int horizon_days = 28) {
    v1::MeetingSeries s;
    *s.mutable_meeting() = Draft(start);
    s.set_rule(rule);
    s.set_horizon_days(horizon_days);
    return s;
  }

  grpc::Status CreateSeries(const v1::MeetingSeries& draft, v1::MeetingSeries* out,
                            const std::string& token = "") {
    v1::CreateMeetingSeriesRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_series() = draft;
    return calendar_->CreateMeetingSeries(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::MeetingSeries MustCreateSeries(const v1::MeetingSeries& draft) {
    v1::MeetingSeries out;
    auto status = CreateSeries(draft, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::vector<v1::SeriesOccurrence> Occurrences(uint64_t series, const std::string& token = "") {
    v1::ListSeriesOccurrencesRequest r;
    r.set_series_id(series);
    r.set_page_size(1000);
    v1::ListSeriesOccurrencesResponse out;
    auto status =
        calendar_->ListSeriesOccurrences(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {out.occurrences().begin(), out.occurrences().end()};
  }

  v1::Meeting GetMeeting(uint64_t id) {
    v1::GetMeetingRequest r;
    r.set_id(id);
    v1::Meeting out;
    auto status = stub_->GetMeeting(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The branch's meetings (cancelled ones too).
  int CountBranchMeetings() {
    v1::ListMeetingsRequest r;
    r.set_organization_id(branch_);
    r.set_show_cancelled(true);
    r.set_page_size(1000);
    v1::ListMeetingsResponse out;
    auto status = stub_->ListMeetings(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.meetings_size();
  }

  // The local date (+08:00, the tenant's default offset) of an instant.
  static v1::LocalDate LocalDateOf(int64_t micros) {
    using namespace std::chrono;
    int64_t minutes = micros / kMin + 480;
    year_month_day d{sys_days{days{minutes / 1440}}};
    v1::LocalDate out;
    out.set_year(int{d.year()});
    out.set_month(static_cast<int>(unsigned{d.month()}));
    out.set_day(static_cast<int>(unsigned{d.day()}));
    return out;
  }

  std::unique_ptr<v1::CalendarService::Stub> calendar_;
};

}  // namespace branchline::testing
