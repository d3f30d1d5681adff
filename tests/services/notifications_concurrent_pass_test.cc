// The background passes raced: several threads run the reminder pass and the series
// materialisation pass of one server at the same moment (as the timer and the test hook, or
// two hooks, can). Each notification is written once and each occurrence created once. This
// is the guarantee within one server process; several servers on one PostgreSQL database must
// not run these passes at once (docs/notifications.md, "Several servers").
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "tests/services/calendar_fixture.h"
#include "tests/services/notifications_fixture.h"

namespace branchline::testing {
namespace {

constexpr int kThreads = 4;

class ConcurrentPassTest : public AttendanceTest {
 protected:
  ConcurrentPassTest()
      : AttendanceTest([](ServerOptions& o) {
          o.notifications.clock = &ReminderClock();
          o.notifications.pass_interval_micros = 3600LL * kSec;  // only the hooks run
          o.calendar.clock = &CalendarClock();
          o.calendar.materialize_interval_micros = 3600LL * kSec;
        }) {}

  void SetUp() override {
    ReminderClock().Set(SystemClock().NowMicros());
    CalendarClock().Set(SystemClock().NowMicros());
    AttendanceTest::SetUp();
    notifications_ = v1::NotificationService::NewStub(server_.channel());
    calendar_ = v1::CalendarService::NewStub(server_.channel());
  }

  // Runs `pass` on kThreads threads released together, each `rounds` times; the sum of what
  // they report.
  template <typename Pass>
  uint64_t Race(Pass pass, int rounds = 3) {
    std::atomic<bool> go{false};
    std::atomic<uint64_t> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < rounds; ++i) {
          auto n = pass();
          EXPECT_TRUE(n.ok()) << n.status();
          total += n.value_or(0);
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    return total.load();
  }

  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::unique_ptr<v1::CalendarService::Stub> calendar_;
};

TEST_F(ConcurrentPassTest, RacingReminderPassesWriteEachNotificationOnce) {
  v1::UpdateNotificationSettingsRequest settings;
  settings.set_request_id(TestServer::RequestId());
  settings.mutable_settings()->set_organization_id(branch_);
  settings.mutable_settings()->add_meeting_reminder_hours(24);
  v1::NotificationSettings out;
  ASSERT_TRUE(notifications_->UpdateNotificationSettings(Ctx(admin_).get(), settings, &out).ok());
  const int64_t start = Now() + 30 * kHour;
  std::set<uint64_t> meetings;
  for (int i = 0; i < 5; ++i) {
    v1::Meeting draft = Draft(start + i * kMin);
    meetings.insert(MustCreate(draft).id());
  }
  ReminderClock().Set(start - 24 * kHour + 10 * kMin);
  // 5 meetings x 4 people of the audience (the secretary and three drivers).
  EXPECT_EQ(Race([&] { return server_.server().RunRemindersNow(); }), 20u);

  // The outbox as the gateway drains it: 20 entries, one per (meeting, person).
  const std::string gateway = server_.ServiceToken(branch_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  v1::StreamOutboxRequest r;
  r.set_organization_id(branch_);
  auto ctx = Ctx(gateway);
  auto reader = notifications_->StreamOutbox(ctx.get(), r);
  std::set<std::tuple<int, uint64_t, uint64_t>> seen;
  int entries = 0;
  v1::OutboxEntry entry;
  while (reader->Read(&entry)) {
    ++entries;
    const auto& n = entry.notification();
    EXPECT_TRUE(meetings.contains(n.meeting_id()));
    seen.insert({n.kind(), n.meeting_id(), n.person_id()});
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(entries, 20);
  EXPECT_EQ(seen.size(), 20u);
}

TEST_F(ConcurrentPassTest, RacingMaterialisationCreatesEachDateOnce) {
  v1::CreateMeetingSeriesRequest create;
  create.set_request_id(TestServer::RequestId());
  auto* s = create.mutable_series();
  *s->mutable_meeting() = Draft(Now() + kHour);
  s->set_rule("FREQ=WEEKLY");
  s->set_horizon_days(28);
  v1::MeetingSeries series;
  auto status = calendar_->CreateMeetingSeries(Ctx(secretary_).get(), create, &series);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Three more weeks come within the horizon.
  CalendarClock().Advance(21 * kDay);
  EXPECT_EQ(Race([&] { return server_.server().MaterializeSeriesNow(); }), 3u);

  v1::ListSeriesOccurrencesRequest list;
  list.set_series_id(series.id());
  list.set_page_size(1000);
  v1::ListSeriesOccurrencesResponse occurrences;
  ASSERT_TRUE(calendar_->ListSeriesOccurrences(Ctx(secretary_).get(), list, &occurrences).ok());
  ASSERT_EQ(occurrences.occurrences_size(), 7);
  std::set<std::tuple<int, int, int>> dates;
  std::set<uint64_t> ids;
  for (const auto& o : occurrences.occurrences()) {
    dates.insert({o.date().year(), o.date().month(), o.date().day()});
    ids.insert(o.meeting_id());
    EXPECT_FALSE(o.detached());
  }
  EXPECT_EQ(dates.size(), 7u);
  EXPECT_EQ(ids.size(), 7u);
  v1::ListMeetingsRequest meetings;
  meetings.set_organization_id(branch_);
  meetings.set_show_cancelled(true);
  meetings.set_page_size(1000);
  v1::ListMeetingsResponse all;
  ASSERT_TRUE(stub_->ListMeetings(Ctx(secretary_).get(), meetings, &all).ok());
  EXPECT_EQ(all.meetings_size(), 7);
}

}  // namespace
}  // namespace branchline::testing
