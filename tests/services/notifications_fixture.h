// The attendance fleet (attendance_fixture.h) with NotificationService and CalendarService, on
// a server whose reminder pass reads a fake clock the tests move (meetings themselves are
// created and checked in against the real clock, so a test sets the fake clock relative to a
// meeting's real start).
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "tests/services/attendance_fixture.h"

namespace branchline::testing {

// One clock for the process: the server keeps a pointer to it across restarts.
inline FakeClock& ReminderClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

class NotificationsTest : public AttendanceTest {
 protected:
  // `more` configures the server further (a test's own storage, say).
  explicit NotificationsTest(std::function<void(ServerOptions&)> more = nullptr)
      : AttendanceTest([more](ServerOptions& o) {
          Notifying(o);
          if (more) more(o);
        }) {}

  // The reminder pass on ReminderClock, run by the tests' hook rather than a timer.
  static void Notifying(ServerOptions& o) {
    o.notifications.clock = &ReminderClock();
    o.notifications.pass_interval_micros = 3600LL * kSec;
  }

  void SetUp() override {
    ReminderClock().Set(SystemClock().NowMicros());
    AttendanceTest::SetUp();
    notifications_ = v1::NotificationService::NewStub(server_.channel());
    calendar_ = v1::CalendarService::NewStub(server_.channel());
  }

  // Restarts the server on the same data directory (a new port: new stubs).
  virtual void RestartServer() {
    server_.Restart();
    stub_ = v1::AttendanceService::NewStub(server_.channel());
    notifications_ = v1::NotificationService::NewStub(server_.channel());
    calendar_ = v1::CalendarService::NewStub(server_.channel());
  }

  // Runs the reminder pass; returns how many notifications it wrote.
  uint64_t Pass() {
    auto written = server_.server().RunRemindersNow();
    EXPECT_TRUE(written.ok()) << written.status();
    return written.value_or(0);
  }

  // Sets an organisation's settings as the admin (quiet 0-0: no quiet hours).
  void Settings(uint64_t org, std::vector<int> hours, int quiet_start = 0, int quiet_end = 0) {
    v1::UpdateNotificationSettingsRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_settings()->set_organization_id(org);
    for (int h : hours) r.mutable_settings()->add_meeting_reminder_hours(h);
    r.mutable_settings()->set_quiet_start_minute(quiet_start);
    r.mutable_settings()->set_quiet_end_minute(quiet_end);
    v1::NotificationSettings out;
    auto status = notifications_->UpdateNotificationSettings(Ctx(admin_).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::vector<v1::Notification> Mine(const std::string& token, bool unread_only = false) {
    v1::ListMyNotificationsRequest r;
    r.set_page_size(1000);
    r.set_unread_only(unread_only);
    v1::ListMyNotificationsResponse out;
    auto status = notifications_->ListMyNotifications(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {out.notifications().begin(), out.notifications().end()};
  }

  static int CountKind(const std::vector<v1::Notification>& list, v1::NotificationKind kind,
                       uint64_t meeting = 0) {
    int n = 0;
    for (const auto& x : list) n += x.kind() == kind && (meeting == 0 || x.meeting_id() == meeting);
    return n;
  }

  // A branch meeting at `start` with a 30/10/60-minute check-in window.
  v1::Meeting MeetingAt(int64_t start) {
    v1::Meeting m = Draft(start);
    m.mutable_window()->set_opens_minutes_before(30);
    m.mutable_window()->set_late_after_minutes(10);
    m.mutable_window()->set_closes_minutes_after(60);
    return MustCreate(m);
  }

  // The instant of local time hh:mm (+08:00) on the local day `days` after today.
  static int64_t LocalAt(int days, int hh, int mm) {
    const int64_t offset = 8 * kHour;
    const int64_t day_start = (Now() + offset) / (24 * kHour) * (24 * kHour) - offset;
    return day_start + days * 24 * kHour + hh * kHour + mm * kMin;
  }

  // The local date (+08:00) of an instant, for absences.
  static v1::LocalDate LocalDateAt(int64_t micros) {
    const std::time_t seconds = static_cast<std::time_t>(micros / kSec + 8 * 3600);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    v1::LocalDate out;
    out.set_year(tm.tm_year + 1900);
    out.set_month(tm.tm_mon + 1);
    out.set_day(tm.tm_mday);
    return out;
  }

  grpc::Status Register(const std::string& token, const std::string& device_token, v1::Device* out,
                        v1::DevicePlatform platform = v1::DEVICE_PLATFORM_ANDROID) {
    v1::RegisterDeviceRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_platform(platform);
    r.set_token(device_token);
    r.set_app_version("2.3.1");
    return notifications_->RegisterDevice(Ctx(token).get(), r, out);
  }

  // Reads a whole StreamOutbox call; `status` receives its end.
  std::vector<v1::OutboxEntry> Drain(const std::string& token, uint64_t org, uint64_t after = 0,
                                     int max = 0, grpc::Status* status = nullptr) {
    v1::StreamOutboxRequest r;
    r.set_organization_id(org);
    r.set_after_cursor(after);
    r.set_max_entries(max);
    auto ctx = Ctx(token);
    auto reader = notifications_->StreamOutbox(ctx.get(), r);
    std::vector<v1::OutboxEntry> out;
    for (v1::OutboxEntry e; reader->Read(&e);) out.push_back(e);
    auto finished = reader->Finish();
    if (status) {
      *status = finished;
    } else {
      EXPECT_TRUE(finished.ok()) << finished.error_message();
    }
    return out;
  }

  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::unique_ptr<v1::CalendarService::Stub> calendar_;
};

}  // namespace branchline::testing
