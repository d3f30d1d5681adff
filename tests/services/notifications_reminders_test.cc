// The reminder rules with a fake clock: each reminder once across restarts and re-runs, a
// restart's catch-up sending only what is still useful, "closes soon" only to those not
// checked in and not excused, quiet hours, opt-outs, and the decisions a requester waits for.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/notifications_fixture.h"

namespace branchline::testing {
namespace {

using v1::NOTIFICATION_KIND_ABSENCE_DECIDED;
using v1::NOTIFICATION_KIND_CHECK_IN_CLOSING;
using v1::NOTIFICATION_KIND_CHECK_IN_OPEN;
using v1::NOTIFICATION_KIND_LEAVE_DECIDED;
using v1::NOTIFICATION_KIND_MEETING_STARTS_SOON;

class NotificationsRemindersTest : public NotificationsTest {
 protected:
  std::string ChangeCursor(const std::string& token) {
    v1::ListChangesRequest r;
    v1::ListChangesResponse out;
    auto status = sync_->ListChanges(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.next_cursor();
  }
  // The record ids of the "notification" changes the person pulls after `cursor`.
  std::set<uint64_t> NotificationChanges(const std::string& token, const std::string& cursor) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    r.set_page_size(1000);
    v1::ListChangesResponse out;
    auto status = sync_->ListChanges(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::set<uint64_t> ids;
    for (const auto& c : out.changes()) {
      if (c.kind() == "notification") ids.insert(c.record_id());
    }
    return ids;
  }

  void SetUp() override {
    NotificationsTest::SetUp();
    sync_ = v1::SyncService::NewStub(server_.channel());
  }
  void RestartServer() override {
    NotificationsTest::RestartServer();
    sync_ = v1::SyncService::NewStub(server_.channel());
  }

  std::unique_ptr<v1::SyncService::Stub> sync_;
};

TEST_F(NotificationsRemindersTest, EachReminderOnceAcrossRestartsAndReruns) {
  Settings(branch_, {24, 1});
  const std::string d1_cursor = ChangeCursor(d1_);
  const std::string d2_cursor = ChangeCursor(d2_);
  const int64_t start = Now() + 30 * kHour;
  const auto meeting = MeetingAt(start);

  ReminderClock().Set(start - 25 * kHour);
  EXPECT_EQ(Pass(), 0u);
  // The audience of the branch: the secretary and the three drivers of the group below.
  ReminderClock().Set(start - 24 * kHour + kMin);
  EXPECT_EQ(Pass(), 4u);
  EXPECT_EQ(Pass(), 0u);
  RestartServer();
  EXPECT_EQ(Pass(), 0u);
  ReminderClock().Set(start - 2 * kHour);
  EXPECT_EQ(Pass(), 0u);
  // A restart in the middle of the second window.
  ReminderClock().Set(start - kHour + kMin);
  RestartServer();
  EXPECT_EQ(Pass(), 4u);
  EXPECT_EQ(Pass(), 0u);
  RestartServer();
  EXPECT_EQ(Pass(), 0u);

  auto mine = Mine(d1_);
  ASSERT_EQ(mine.size(), 2u);
  // Newest first.
  EXPECT_EQ(mine[0].kind(), NOTIFICATION_KIND_MEETING_STARTS_SOON);
  EXPECT_EQ(mine[0].meeting_id(), meeting.id());
  EXPECT_EQ(mine[0].person_id(), d1_id_);
  EXPECT_EQ(mine[0].title(), "会议提醒");
  EXPECT_NE(mine[0].body().find("《周一安全例会》将于59分钟后开始"), std::string::npos)
      << mine[0].body();
  EXPECT_NE(mine[1].body().find("24小时"), std::string::npos) << mine[1].body();
  EXPECT_GT(mine[0].id(), mine[1].id());
  EXPECT_FALSE(mine[0].urgent());
  EXPECT_FALSE(mine[0].has_read_time());
  EXPECT_TRUE(Mine(outsider_).empty());
  EXPECT_EQ(Mine(secretary_).size(), 2u);

  // The person's own change feed carries them, and nobody else's feed does.
  const std::set<uint64_t> own = {mine[0].id(), mine[1].id()};
  EXPECT_EQ(NotificationChanges(d1_, d1_cursor), own);
  for (uint64_t id : NotificationChanges(d2_, d2_cursor)) EXPECT_EQ(own.count(id), 0u);
  EXPECT_EQ(NotificationChanges(d2_, d2_cursor).size(), 2u);
}

TEST_F(NotificationsRemindersTest, CatchUpSendsOnlyWhatIsStillUseful) {
  Settings(branch_, {24, 1});
  const int64_t start = Now() + 30 * kHour;
  const auto meeting = MeetingAt(start);
  // The server was down through both lead moments and check-in opened: "starts in 1 hour"
  // is still useful (the 24-hour one it supersedes is not sent), and check-in is open.
  ReminderClock().Set(start - 29 * kMin);
  EXPECT_EQ(Pass(), 8u);
  auto mine = Mine(d2_);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_MEETING_STARTS_SOON), 1);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_CHECK_IN_OPEN, meeting.id()), 1);
  for (const auto& n : mine) {
    if (n.kind() == NOTIFICATION_KIND_MEETING_STARTS_SOON) {
      EXPECT_NE(n.body().find("29分钟后开始"), std::string::npos) << n.body();
    } else {
      EXPECT_TRUE(n.urgent());
    }
  }
  // Down again until after the close: nothing that fell due meanwhile is useful any more.
  ReminderClock().Set(start + 2 * kHour);
  EXPECT_EQ(Pass(), 0u);

  // A meeting that started while the server was down gets no "starts in" at all; its
  // check-in is still open (until start + 60), so that one is sent.
  const int64_t later = Now() + 50 * kHour;
  const auto second = MeetingAt(later);
  ReminderClock().Set(later + 5 * kMin);
  EXPECT_EQ(Pass(), 4u);
  mine = Mine(d2_);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_MEETING_STARTS_SOON, second.id()), 0);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_CHECK_IN_OPEN, second.id()), 1);
}

TEST_F(NotificationsRemindersTest, ClosingOnlyToThoseNotCheckedInAndNotExcused) {
  Settings(branch_, {});
  const int64_t start = Now() + 5 * kMin;  // check-in is open now (30 minutes before)
  const auto meeting = MeetingAt(start);
  // d1 checks in; d2 is on approved leave; d3 on an approved absence covering today.
  v1::CheckInResponse checked;
  ASSERT_TRUE(
      CheckIn(d1_, Remote(meeting.id(), v1::REMOTE_REASON_DRIVING, "在路上"), &checked).ok());
  v1::RequestLeaveRequest leave;
  leave.set_request_id(TestServer::RequestId());
  leave.set_meeting_id(meeting.id());
  leave.set_reason("出车");
  v1::LeaveRequest leave_out;
  ASSERT_TRUE(stub_->RequestLeave(Ctx(d2_).get(), leave, &leave_out).ok());
  v1::DecideLeaveRequest decide;
  decide.set_request_id(TestServer::RequestId());
  decide.set_meeting_id(meeting.id());
  decide.set_person_id(d2_id_);
  decide.set_approve(true);
  ASSERT_TRUE(stub_->DecideLeave(Ctx(secretary_).get(), decide, &leave_out).ok());
  v1::RequestAbsenceRequest absence;
  absence.set_request_id(TestServer::RequestId());
  absence.set_type(v1::ABSENCE_TYPE_BUSINESS_TRIP);
  *absence.mutable_from_date() = LocalDateAt(start);
  *absence.mutable_to_date() = LocalDateAt(start + 24 * kHour);
  absence.set_reason("出差");
  v1::AbsenceRequest absence_out;
  auto asked = calendar_->RequestAbsence(Ctx(d3_).get(), absence, &absence_out);
  ASSERT_TRUE(asked.ok()) << asked.error_message();
  v1::DecideAbsenceRequest approve;
  approve.set_request_id(TestServer::RequestId());
  approve.set_id(absence_out.id());
  approve.set_approve(true);
  ASSERT_TRUE(calendar_->DecideAbsence(Ctx(secretary_).get(), approve, &absence_out).ok());

  // Check-in open: only the secretary is neither there nor excused. The decisions reach
  // their requesters.
  ReminderClock().Set(start - 25 * kMin);
  EXPECT_EQ(Pass(), 3u);
  EXPECT_EQ(CountKind(Mine(secretary_), NOTIFICATION_KIND_CHECK_IN_OPEN, meeting.id()), 1);
  EXPECT_TRUE(Mine(d1_).empty());
  auto d2 = Mine(d2_);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].kind(), NOTIFICATION_KIND_LEAVE_DECIDED);
  EXPECT_EQ(d2[0].meeting_id(), meeting.id());
  EXPECT_EQ(d2[0].body(), "《周一安全例会》的请假申请已批准");
  auto d3 = Mine(d3_);
  ASSERT_EQ(d3.size(), 1u);
  EXPECT_EQ(d3[0].kind(), NOTIFICATION_KIND_ABSENCE_DECIDED);
  EXPECT_EQ(d3[0].absence_id(), absence_out.id());
  EXPECT_NE(d3[0].body().find("已批准"), std::string::npos) << d3[0].body();

  // Closes in 10 minutes (at start + 60): the secretary, once.
  ReminderClock().Set(start + 51 * kMin);
  EXPECT_EQ(Pass(), 1u);
  EXPECT_EQ(Pass(), 0u);
  EXPECT_EQ(CountKind(Mine(secretary_), NOTIFICATION_KIND_CHECK_IN_CLOSING, meeting.id()), 1);
  for (const auto& token : {d1_, d2_, d3_}) {
    EXPECT_EQ(CountKind(Mine(token), NOTIFICATION_KIND_CHECK_IN_CLOSING), 0);
  }
  // Once the secretary checks in too, a later meeting's closing reminder skips nobody else.
  RestartServer();
  EXPECT_EQ(Pass(), 0u);
}

TEST_F(NotificationsRemindersTest, QuietHoursHoldWhatIsNotUrgent) {
  Settings(branch_, {10}, 22 * 60, 7 * 60);
  const auto morning = MeetingAt(LocalAt(3, 8, 30));  // reminder due at 22:30 the day before
  const auto early = MeetingAt(LocalAt(4, 5, 0));     // due 19:00; check-in opens at 04:30
  ReminderClock().Set(LocalAt(2, 22, 31));
  EXPECT_EQ(Pass(), 0u);
  ReminderClock().Set(LocalAt(3, 6, 59));
  EXPECT_EQ(Pass(), 0u);
  ReminderClock().Set(LocalAt(3, 7, 0));
  EXPECT_EQ(Pass(), 4u);
  auto mine = Mine(d1_);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].meeting_id(), morning.id());
  // 1 h 30 min rounds half up.
  EXPECT_NE(mine[0].body().find("2小时后开始"), std::string::npos) << mine[0].body();

  // 04:31: quiet, but check-in open is urgent; "starts in" for `early` is held...
  ReminderClock().Set(LocalAt(4, 4, 31));
  EXPECT_EQ(Pass(), 4u);
  // ...and useless once the meeting started, before the quiet hours end.
  ReminderClock().Set(LocalAt(4, 7, 0));
  EXPECT_EQ(Pass(), 0u);
  mine = Mine(d1_);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_MEETING_STARTS_SOON, early.id()), 0);
  EXPECT_EQ(CountKind(mine, NOTIFICATION_KIND_CHECK_IN_OPEN, early.id()), 1);
}

TEST_F(NotificationsRemindersTest, OptedOutKindsAreNotSent) {
  Settings(branch_, {24});
  v1::UpdateMyNotificationPreferencesRequest mute;
  mute.set_request_id(TestServer::RequestId());
  mute.add_muted_kinds(NOTIFICATION_KIND_MEETING_STARTS_SOON);
  v1::NotificationPreferences prefs;
  ASSERT_TRUE(notifications_->UpdateMyNotificationPreferences(Ctx(d1_).get(), mute, &prefs).ok());
  EXPECT_EQ(prefs.muted_kinds_size(), 1);
  ASSERT_TRUE(notifications_
                  ->GetMyNotificationPreferences(Ctx(d1_).get(),
                                                 v1::GetMyNotificationPreferencesRequest(), &prefs)
                  .ok());
  EXPECT_EQ(prefs.person_id(), d1_id_);
  ASSERT_EQ(prefs.muted_kinds_size(), 1);

  const int64_t start = Now() + 30 * kHour;
  MeetingAt(start);
  ReminderClock().Set(start - 24 * kHour + kMin);
  EXPECT_EQ(Pass(), 3u);
  EXPECT_TRUE(Mine(d1_).empty());
  EXPECT_EQ(Mine(d2_).size(), 1u);

  // Bad input names the field; a service account has no preferences.
  v1::UpdateMyNotificationPreferencesRequest bad;
  bad.set_request_id(TestServer::RequestId());
  bad.add_muted_kinds(v1::NOTIFICATION_KIND_UNSPECIFIED);
  auto status = notifications_->UpdateMyNotificationPreferences(Ctx(d1_).get(), bad, &prefs);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "muted_kinds");
  bad.set_request_id(TestServer::RequestId());
  bad.clear_muted_kinds();
  bad.add_muted_kinds(NOTIFICATION_KIND_CHECK_IN_OPEN);
  bad.add_muted_kinds(NOTIFICATION_KIND_CHECK_IN_OPEN);
  status = notifications_->UpdateMyNotificationPreferences(Ctx(d1_).get(), bad, &prefs);
  EXPECT_EQ(ViolationField(status), "muted_kinds");
  auto service = server_.ServiceToken(branch_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  bad.set_request_id(TestServer::RequestId());
  bad.clear_muted_kinds();
  EXPECT_EQ(
      notifications_->UpdateMyNotificationPreferences(Ctx(service).get(), bad, &prefs).error_code(),
      grpc::PERMISSION_DENIED);
}

TEST_F(NotificationsRemindersTest, SettingsInheritDefaultAndRefuseBadInput) {
  v1::GetNotificationSettingsRequest get;
  get.set_organization_id(group_);
  v1::NotificationSettings s;
  ASSERT_TRUE(notifications_->GetNotificationSettings(Ctx(d1_).get(), get, &s).ok());
  EXPECT_EQ(s.source_organization_id(), 0u);
  ASSERT_EQ(s.meeting_reminder_hours_size(), 2);
  EXPECT_EQ(s.meeting_reminder_hours(0), 24);
  EXPECT_EQ(s.meeting_reminder_hours(1), 1);
  EXPECT_EQ(s.quiet_start_minute(), 22 * 60);
  EXPECT_EQ(s.quiet_end_minute(), 7 * 60);
  Settings(branch_, {2, 48});
  ASSERT_TRUE(notifications_->GetNotificationSettings(Ctx(d1_).get(), get, &s).ok());
  EXPECT_EQ(s.source_organization_id(), branch_);
  EXPECT_EQ(s.organization_id(), group_);
  ASSERT_EQ(s.meeting_reminder_hours_size(), 2);
  EXPECT_EQ(s.meeting_reminder_hours(0), 48);  // longest first

  auto update = [&](const std::string& token, std::function<void(v1::NotificationSettings&)> edit) {
    v1::UpdateNotificationSettingsRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_settings()->set_organization_id(branch_);
    r.mutable_settings()->add_meeting_reminder_hours(24);
    edit(*r.mutable_settings());
    v1::NotificationSettings out;
    return notifications_->UpdateNotificationSettings(Ctx(token).get(), r, &out);
  };
  auto status = update(secretary_, [](auto& x) { x.add_meeting_reminder_hours(0); });
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "settings.meeting_reminder_hours");
  status = update(secretary_, [](auto& x) { x.add_meeting_reminder_hours(24); });
  EXPECT_EQ(ViolationField(status), "settings.meeting_reminder_hours");
  status = update(secretary_, [](auto& x) { x.set_quiet_end_minute(1440); });
  EXPECT_EQ(ViolationField(status), "settings.quiet_end_minute");
  status = update(secretary_, [](auto& x) { x.set_quiet_start_minute(-1); });
  EXPECT_EQ(ViolationField(status), "settings.quiet_start_minute");
  status = update(secretary_, [](auto& x) { x.set_organization_id(0); });
  EXPECT_EQ(ViolationField(status), "settings.organization_id");
  status = update(secretary_, [](auto& x) { x.set_organization_id(999999); });
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(update(d1_, [](auto&) {}).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(update(secretary_, [](auto&) {}).ok());
  get.set_organization_id(branch_);
  EXPECT_EQ(notifications_->GetNotificationSettings(Ctx(outsider_).get(), get, &s).error_code(),
            grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace branchline::testing
