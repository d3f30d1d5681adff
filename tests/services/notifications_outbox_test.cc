// The outbox as a push gateway drains it (a cursor resumed after a crash, with neither loss nor
// duplicates), marking read, and the device token rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/services/notifications_fixture.h"

namespace branchline::testing {
namespace {

class NotificationsOutboxTest : public NotificationsTest {
 protected:
  void SetUp() override {
    NotificationsTest::SetUp();
    gateway_ = server_.ServiceToken(branch_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  }

  grpc::Status Ack(const std::string& token, uint64_t org, uint64_t cursor,
                   v1::OutboxPosition* out) {
    v1::AckOutboxRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_organization_id(org);
    r.set_cursor(cursor);
    return notifications_->AckOutbox(Ctx(token).get(), r, out);
  }

  // Four "starts in 24 hours" reminders of a new branch meeting (one per person).
  void FourReminders(int64_t hours_ahead) {
    const int64_t start = Now() + hours_ahead * kHour;
    MeetingAt(start);
    ReminderClock().Set(start - 24 * kHour + kMin);
    ASSERT_EQ(Pass(), 4u);
  }

  std::string gateway_;
};

TEST_F(NotificationsOutboxTest, GatewayResumesAfterACrashWithoutLossOrDuplicates) {
  Settings(branch_, {24});
  v1::Device device;
  ASSERT_TRUE(Register(d1_, "hms-token-d1-0001", &device, v1::DEVICE_PLATFORM_HARMONY).ok());
  FourReminders(30);

  // The gateway reads two entries and crashes before acknowledging anything.
  {
    v1::StreamOutboxRequest r;
    r.set_organization_id(branch_);
    auto ctx = Ctx(gateway_);
    auto reader = notifications_->StreamOutbox(ctx.get(), r);
    v1::OutboxEntry e;
    ASSERT_TRUE(reader->Read(&e));
    ASSERT_TRUE(reader->Read(&e));
    ctx->TryCancel();
    reader->Finish();
  }
  // On restart it resumes from its acknowledged position (none yet): everything again.
  auto all = Drain(gateway_, branch_);
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].cursor(), all[i - 1].cursor());
  int with_token = 0;
  for (const auto& e : all) {
    EXPECT_EQ(e.cursor(), e.notification().id());
    if (e.notification().person_id() == d1_id_) {
      ASSERT_EQ(e.devices_size(), 1);
      EXPECT_EQ(e.devices(0).token(), "hms-token-d1-0001");
      EXPECT_EQ(e.devices(0).platform(), v1::DEVICE_PLATFORM_HARMONY);
      ++with_token;
    } else {
      EXPECT_EQ(e.devices_size(), 0);
    }
  }
  EXPECT_EQ(with_token, 1);

  // Handed on two, acknowledged them, crashed again: the next call starts after them.
  v1::OutboxPosition position;
  ASSERT_TRUE(Ack(gateway_, branch_, all[1].cursor(), &position).ok());
  EXPECT_EQ(position.acked_cursor(), all[1].cursor());
  auto rest = Drain(gateway_, branch_);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].cursor(), all[2].cursor());
  EXPECT_EQ(rest[1].cursor(), all[3].cursor());
  // max_entries bounds a call; an explicit cursor reads after it.
  auto one = Drain(gateway_, branch_, all[0].cursor(), 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].cursor(), all[1].cursor());

  ASSERT_TRUE(Ack(gateway_, branch_, all[3].cursor(), &position).ok());
  // The position never moves back.
  ASSERT_TRUE(Ack(gateway_, branch_, all[0].cursor(), &position).ok());
  EXPECT_EQ(position.acked_cursor(), all[3].cursor());
  EXPECT_TRUE(Drain(gateway_, branch_).empty());
  // Across a server restart the position holds, and new notifications follow.
  RestartServer();
  EXPECT_TRUE(Drain(gateway_, branch_).empty());
  FourReminders(40);
  auto next = Drain(gateway_, branch_);
  ASSERT_EQ(next.size(), 4u);
  EXPECT_GT(next[0].cursor(), all[3].cursor());

  // A gateway of the sibling branch sees none of them; one of the group below sees the
  // group's three drivers only.
  auto sibling = server_.ServiceToken(sibling_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  EXPECT_TRUE(Drain(sibling, sibling_).empty());
  auto group = server_.ServiceToken(group_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  auto theirs = Drain(group, group_);
  EXPECT_EQ(theirs.size(), 6u);
  for (const auto& e : theirs) EXPECT_NE(e.notification().person_id(), secretary_id_);
}

TEST_F(NotificationsOutboxTest, OutboxRefusesBadInputAndOtherCallers) {
  Settings(branch_, {24});
  FourReminders(30);
  grpc::Status status;
  Drain(gateway_, branch_, 0, -1, &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "max_entries");
  Drain(gateway_, branch_, 0, 1001, &status);
  EXPECT_EQ(ViolationField(status), "max_entries");
  Drain(gateway_, 0, 0, 0, &status);
  EXPECT_EQ(ViolationField(status), "organization_id");
  Drain(gateway_, sibling_, 0, 0, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  Drain(secretary_, branch_, 0, 0, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  auto reader_scope = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
  Drain(reader_scope, branch_, 0, 0, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);

  v1::OutboxPosition position;
  status = Ack(gateway_, branch_, 0, &position);
  EXPECT_EQ(ViolationField(status), "cursor");
  // A cursor the outbox never gave out (ahead of it) would skip what is written next.
  auto all = Drain(gateway_, branch_);
  ASSERT_EQ(all.size(), 4u);
  status = Ack(gateway_, branch_, all[3].cursor() + 1000, &position);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "cursor");
  v1::AckOutboxRequest no_id;
  no_id.set_organization_id(branch_);
  no_id.set_cursor(all[0].cursor());
  status = notifications_->AckOutbox(Ctx(gateway_).get(), no_id, &position);
  EXPECT_EQ(ViolationField(status), "request_id");
  EXPECT_EQ(Ack(secretary_, branch_, all[0].cursor(), &position).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(NotificationsOutboxTest, MarkReadOwnNotificationsOnly) {
  Settings(branch_, {24});
  FourReminders(30);
  FourReminders(40);
  auto mine = Mine(d1_);
  ASSERT_EQ(mine.size(), 2u);
  v1::MarkNotificationsReadRequest r;
  r.set_request_id(TestServer::RequestId());
  r.add_ids(mine[1].id());
  v1::MarkNotificationsReadResponse out;
  ASSERT_TRUE(notifications_->MarkNotificationsRead(Ctx(d1_).get(), r, &out).ok());
  EXPECT_EQ(out.marked(), 1);
  auto unread = Mine(d1_, /*unread_only=*/true);
  ASSERT_EQ(unread.size(), 1u);
  EXPECT_EQ(unread[0].id(), mine[0].id());
  EXPECT_TRUE(Mine(d1_)[1].has_read_time());
  // Marking a read one again is not an error, and marks nothing.
  r.set_request_id(TestServer::RequestId());
  ASSERT_TRUE(notifications_->MarkNotificationsRead(Ctx(d1_).get(), r, &out).ok());
  EXPECT_EQ(out.marked(), 0);

  // Another person's notification is as missing as an unknown one; nothing is half-marked.
  auto theirs = Mine(d2_);
  v1::MarkNotificationsReadRequest bad;
  bad.set_request_id(TestServer::RequestId());
  bad.add_ids(mine[0].id());
  bad.add_ids(theirs[0].id());
  auto status = notifications_->MarkNotificationsRead(Ctx(d1_).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "ids");
  EXPECT_EQ(Mine(d1_, true).size(), 1u);
  bad.clear_ids();
  bad.set_request_id(TestServer::RequestId());
  status = notifications_->MarkNotificationsRead(Ctx(d1_).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "ids");
  bad.set_all(true);
  bad.add_ids(mine[0].id());
  status = notifications_->MarkNotificationsRead(Ctx(d1_).get(), bad, &out);
  EXPECT_EQ(ViolationField(status), "ids");

  v1::MarkNotificationsReadRequest all;
  all.set_request_id(TestServer::RequestId());
  all.set_all(true);
  ASSERT_TRUE(notifications_->MarkNotificationsRead(Ctx(d1_).get(), all, &out).ok());
  EXPECT_EQ(out.marked(), 1);
  EXPECT_TRUE(Mine(d1_, true).empty());
  EXPECT_EQ(Mine(d2_, true).size(), 2u);

  v1::ListMyNotificationsRequest page;
  page.set_page_size(-1);
  v1::ListMyNotificationsResponse listed;
  status = notifications_->ListMyNotifications(Ctx(d1_).get(), page, &listed);
  EXPECT_EQ(ViolationField(status), "page_size");
  page.set_page_size(1);
  ASSERT_TRUE(notifications_->ListMyNotifications(Ctx(d1_).get(), page, &listed).ok());
  ASSERT_EQ(listed.notifications_size(), 1);
  EXPECT_EQ(listed.notifications(0).id(), mine[0].id());
  page.set_page_token(listed.next_page_token());
  ASSERT_TRUE(notifications_->ListMyNotifications(Ctx(d1_).get(), page, &listed).ok());
  ASSERT_EQ(listed.notifications_size(), 1);
  EXPECT_EQ(listed.notifications(0).id(), mine[1].id());
  EXPECT_EQ(notifications_->ListMyNotifications(Ctx(gateway_).get(), page, &listed).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(NotificationsOutboxTest, DeviceTokens) {
  v1::Device first, again;
  ASSERT_TRUE(Register(d1_, "apns-0123456789abcdef", &first, v1::DEVICE_PLATFORM_IOS).ok());
  EXPECT_EQ(first.person_id(), d1_id_);
  EXPECT_TRUE(first.token().empty());  // a person never gets a token back
  EXPECT_EQ(first.token_suffix(), "cdef");
  // Registering the same token again is the same device.
  ASSERT_TRUE(Register(d1_, "apns-0123456789abcdef", &again, v1::DEVICE_PLATFORM_IOS).ok());
  EXPECT_EQ(again.id(), first.id());
  v1::Device second;
  ASSERT_TRUE(Register(d1_, "wecom-zhangshifu", &second, v1::DEVICE_PLATFORM_WECOM).ok());

  auto list = [&](const std::string& token, uint64_t org = 0, uint64_t person = 0) {
    v1::ListDevicesRequest r;
    r.set_organization_id(org);
    r.set_person_id(person);
    v1::ListDevicesResponse out;
    auto status = notifications_->ListDevices(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return std::vector<v1::Device>(out.devices().begin(), out.devices().end());
  };
  auto own = list(d1_);
  ASSERT_EQ(own.size(), 2u);
  for (const auto& d : own) EXPECT_TRUE(d.token().empty());
  EXPECT_TRUE(list(d2_).empty());
  auto seen = list(gateway_, branch_);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].token().empty());
  EXPECT_EQ(list(gateway_, branch_, d2_id_).size(), 0u);
  auto sibling = server_.ServiceToken(sibling_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  EXPECT_TRUE(list(sibling, sibling_).empty());

  // The phone changes hands: the token moves to d2 and no longer reaches d1.
  v1::Device moved;
  ASSERT_TRUE(Register(d2_, "apns-0123456789abcdef", &moved, v1::DEVICE_PLATFORM_IOS).ok());
  EXPECT_EQ(moved.id(), first.id());
  EXPECT_EQ(moved.person_id(), d2_id_);
  EXPECT_EQ(list(d1_).size(), 1u);
  EXPECT_EQ(list(d2_).size(), 1u);
  EXPECT_EQ(list(gateway_, branch_, d2_id_).size(), 1u);

  v1::RemoveDeviceRequest remove;
  remove.set_request_id(TestServer::RequestId());
  remove.set_id(moved.id());
  v1::RemoveDeviceResponse removed;
  EXPECT_EQ(notifications_->RemoveDevice(Ctx(d1_).get(), remove, &removed).error_code(),
            grpc::PERMISSION_DENIED);
  remove.set_request_id(TestServer::RequestId());
  EXPECT_TRUE(notifications_->RemoveDevice(Ctx(d2_).get(), remove, &removed).ok());
  EXPECT_TRUE(list(d2_).empty());
  remove.set_request_id(TestServer::RequestId());
  auto status = notifications_->RemoveDevice(Ctx(d2_).get(), remove, &removed);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "id");
  // The gateway removes a token its push provider rejected.
  remove.set_request_id(TestServer::RequestId());
  remove.set_id(second.id());
  EXPECT_EQ(notifications_->RemoveDevice(Ctx(sibling).get(), remove, &removed).error_code(),
            grpc::PERMISSION_DENIED);
  remove.set_request_id(TestServer::RequestId());
  EXPECT_TRUE(notifications_->RemoveDevice(Ctx(gateway_).get(), remove, &removed).ok());
  EXPECT_TRUE(list(d1_).empty());

  // Bad input names the field.
  v1::Device out;
  status = Register(d1_, "tok", &out, v1::DEVICE_PLATFORM_UNSPECIFIED);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "platform");
  EXPECT_EQ(ViolationField(Register(d1_, "", &out)), "token");
  EXPECT_EQ(ViolationField(Register(d1_, "has space", &out)), "token");
  EXPECT_EQ(ViolationField(Register(d1_, "令牌", &out)), "token");
  EXPECT_EQ(ViolationField(Register(d1_, std::string(4097, 'x'), &out)), "token");
  v1::RegisterDeviceRequest long_version;
  long_version.set_request_id(TestServer::RequestId());
  long_version.set_platform(v1::DEVICE_PLATFORM_ANDROID);
  long_version.set_token("t");
  long_version.set_app_version(std::string(65, 'v'));
  EXPECT_EQ(ViolationField(notifications_->RegisterDevice(Ctx(d1_).get(), long_version, &out)),
            "app_version");
  EXPECT_EQ(Register(gateway_, "gateway-token", &out).error_code(), grpc::PERMISSION_DENIED);
  // At most 20 devices per person.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Register(d3_, "token-" + std::to_string(i), &out).ok());
  }
  EXPECT_EQ(Register(d3_, "token-20", &out).error_code(), grpc::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(Register(d3_, "token-7", &out).ok());  // re-registering stays allowed
  v1::ListDevicesRequest other;
  other.set_person_id(d3_id_);
  v1::ListDevicesResponse listed;
  EXPECT_EQ(notifications_->ListDevices(Ctx(d1_).get(), other, &listed).error_code(),
            grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace branchline::testing
