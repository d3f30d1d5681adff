// Every NotificationService RPC × every kind of caller, each cell the documented outcome (in
// the style of calendar_authorization_test.cc): people act on their own notifications,
// devices and opt-outs; managers set an organisation's settings; the outbox and the tokens
// belong to a push gateway over the organisation.
#include <map>

#include "tests/services/notifications_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class NotificationsAuthorizationTest : public NotificationsTest {
 protected:
  void SetUp() override {
    NotificationsTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    tokens_["gateway of branch"] = server_.ServiceToken(branch_, v1::SCOPE_NOTIFICATIONS_DELIVER);
    tokens_["gateway of sibling"] = server_.ServiceToken(sibling_, v1::SCOPE_NOTIFICATIONS_DELIVER);
    // One outbox entry (a reminder to d1...) so that StreamOutbox has something to send and
    // AckOutbox a position to record.
    Settings(branch_, {24});
    const int64_t start = Now() + 30 * kHour;
    MeetingAt(start);
    ReminderClock().Set(start - 24 * kHour + kMin);
    ASSERT_EQ(Pass(), 4u);
    cursor_ = Mine(d1_).at(0).id();
  }

  // A device of d1, for callers without devices of their own (services).
  uint64_t DriverDevice() {
    v1::Device d;
    EXPECT_TRUE(Register(d1_, "d1-token-" + TestServer::RequestId(), &d).ok());
    return d.id();
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    if (op == "ListMyNotifications") {
      v1::ListMyNotificationsRequest r;
      v1::ListMyNotificationsResponse out;
      return notifications_->ListMyNotifications(ctx.get(), r, &out).error_code();
    }
    if (op == "MarkNotificationsRead(all)") {
      v1::MarkNotificationsReadRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_all(true);
      v1::MarkNotificationsReadResponse out;
      return notifications_->MarkNotificationsRead(ctx.get(), r, &out).error_code();
    }
    if (op == "StreamOutbox(branch)") {
      v1::StreamOutboxRequest r;
      r.set_organization_id(branch_);
      auto reader = notifications_->StreamOutbox(ctx.get(), r);
      return StreamCellCode(*ctx, *reader);
    }
    if (op == "AckOutbox(branch)") {
      v1::AckOutboxRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_organization_id(branch_);
      r.set_cursor(cursor_);
      v1::OutboxPosition out;
      return notifications_->AckOutbox(ctx.get(), r, &out).error_code();
    }
    if (op == "RegisterDevice") {
      v1::Device out;
      return Register(token, "token-" + TestServer::RequestId(), &out).error_code();
    }
    if (op == "RemoveDevice(own, else d1's)") {
      v1::Device own;
      uint64_t id = Register(token, "token-" + TestServer::RequestId(), &own).ok() ? own.id()
                                                                                   : DriverDevice();
      v1::RemoveDeviceRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(id);
      v1::RemoveDeviceResponse out;
      return notifications_->RemoveDevice(ctx.get(), r, &out).error_code();
    }
    if (op == "ListDevices(branch)") {
      v1::ListDevicesRequest r;
      r.set_organization_id(branch_);
      v1::ListDevicesResponse out;
      return notifications_->ListDevices(ctx.get(), r, &out).error_code();
    }
    if (op == "GetNotificationSettings(branch)") {
      v1::GetNotificationSettingsRequest r;
      r.set_organization_id(branch_);
      v1::NotificationSettings out;
      return notifications_->GetNotificationSettings(ctx.get(), r, &out).error_code();
    }
    if (op == "UpdateNotificationSettings(branch)") {
      v1::UpdateNotificationSettingsRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_settings()->set_organization_id(branch_);
      r.mutable_settings()->add_meeting_reminder_hours(24);
      v1::NotificationSettings out;
      return notifications_->UpdateNotificationSettings(ctx.get(), r, &out).error_code();
    }
    if (op == "GetMyNotificationPreferences") {
      v1::NotificationPreferences out;
      return notifications_
          ->GetMyNotificationPreferences(ctx.get(), v1::GetMyNotificationPreferencesRequest(), &out)
          .error_code();
    }
    if (op == "UpdateMyNotificationPreferences") {
      v1::UpdateMyNotificationPreferencesRequest r;
      r.set_request_id(TestServer::RequestId());
      r.add_muted_kinds(v1::NOTIFICATION_KIND_LETTER_REPLIED);
      v1::NotificationPreferences out;
      return notifications_->UpdateMyNotificationPreferences(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::map<std::string, std::string> tokens_;
  uint64_t cursor_ = 0;
};

TEST_F(NotificationsAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"ListMyNotifications",
                                        "MarkNotificationsRead(all)",
                                        "StreamOutbox(branch)",
                                        "AckOutbox(branch)",
                                        "RegisterDevice",
                                        "RemoveDevice(own, else d1's)",
                                        "ListDevices(branch)",
                                        "GetNotificationSettings(branch)",
                                        "UpdateNotificationSettings(branch)",
                                        "GetMyNotificationPreferences",
                                        "UpdateMyNotificationPreferences"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            ListMy    Mark      Stream    Ack       Register  Remove    ListDev   GetSet    UpdSet    GetPref   UpdPref
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {OK,       OK,       NOTFOUND, NOTFOUND, OK,       OK,       OK,       NOTFOUND, NOTFOUND, OK,       OK}},
    {"member of group below",    {OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK,       DENIED,   OK,       OK}},
    {"employee of group below",  {OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK,       DENIED,   OK,       OK}},
    {"secretary of branch",      {OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   OK,       OK}},
    {"admin above",              {OK,       OK,       DENIED,   DENIED,   OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"service with scope",       {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"gateway of branch",        {DENIED,   DENIED,   OK,       OK,       DENIED,   OK,       OK,       OK,       DENIED,   DENIED,   DENIED}},
    {"gateway of sibling",       {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"notifications", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 return Call(op, tokens_.at(caller));
               });
}

}  // namespace
}  // namespace branchline::testing
