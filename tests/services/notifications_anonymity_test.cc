// Nothing about an anonymous letter is ever addressed to a person: a full anonymous-letter
// workflow beside a named one, then the outbox (as a gateway drains it), the author's own
// notifications and the whole notifications column family and index range are inspected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "branchline/v1/notifications.grpc.pb.h"
#include "services/common/clock.h"
#include "storage/index_ids.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/feedback_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;

std::string BigEndian(uint64_t id) {
  std::string be;
  for (int shift = 56; shift >= 0; shift -= 8) be.push_back(static_cast<char>(id >> shift));
  return be;
}

// The clock of the publication of held-back changes, moved past their date by the test.
FakeClock& PublicationClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

class NotificationsAnonymityTest : public testing::FeedbackTest {
 protected:
  NotificationsAnonymityTest()
      : FeedbackTest([](ServerOptions& o) { o.publication_clock = &PublicationClock(); }) {}
};

TEST_F(NotificationsAnonymityTest, NothingAboutAnAnonymousLetterReachesAPerson) {
  auto notifications = v1::NotificationService::NewStub(server_.channel());
  // No quiet hours, whatever the real time of the run (the pass reads the real clock here).
  v1::UpdateNotificationSettingsRequest quiet_off;
  quiet_off.set_request_id(TestServer::RequestId());
  quiet_off.mutable_settings()->set_organization_id(root_);
  v1::NotificationSettings settings;
  ASSERT_TRUE(
      notifications->UpdateNotificationSettings(TestServer::Ctx(admin_).get(), quiet_off, &settings)
          .ok());

  // The anonymous letter's whole life: answered, written back, escalated, resolved, rated.
  auto submitted = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, /*anonymous=*/true);
  const uint64_t anonymous = submitted.letter().id();
  ASSERT_TRUE(Reply(secretary_token_, anonymous, "请说明需要调整的日期", /*wait=*/true).ok());
  v1::ReplyByReceiptRequest back;
  back.set_request_id(TestServer::RequestId());
  back.set_receipt_code(submitted.receipt_code());
  back.set_text("下个月");
  v1::LetterEvent event;
  ASSERT_TRUE(feedback_->ReplyByReceipt(TestServer::Ctx("").get(), back, &event).ok());
  ASSERT_TRUE(Transition(secretary_token_, anonymous, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Reply(secretary_token_, anonymous, "已转党委").ok());
  ASSERT_TRUE(Escalate(secretary_token_, anonymous).ok());
  auto committee_token = server_.SignIn("committee-secretary");
  ASSERT_TRUE(Transition(committee_token, anonymous, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Reply(committee_token, anonymous, "已安排白班").ok());
  ASSERT_TRUE(Transition(committee_token, anonymous, v1::LETTER_STATE_IN_PROGRESS).ok());
  ASSERT_TRUE(Transition(committee_token, anonymous, v1::LETTER_STATE_RESOLVED).ok());
  v1::RateLetterRequest rate;
  rate.set_request_id(TestServer::RequestId());
  rate.set_receipt_code(submitted.receipt_code());
  rate.set_rating(5);
  v1::Letter rated;
  ASSERT_TRUE(feedback_->RateLetter(TestServer::Ctx("").get(), rate, &rated).ok());
  // The same driver's named letter, answered once: the control that the rule works.
  const uint64_t named =
      Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, /*anonymous=*/false).letter().id();
  ASSERT_TRUE(Reply(secretary_token_, named, "谢谢建议，已采纳").ok());

  auto written = server_.server().RunRemindersNow();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 1u);
  v1::ListMyNotificationsRequest list;
  v1::ListMyNotificationsResponse mine;
  ASSERT_TRUE(
      notifications->ListMyNotifications(TestServer::Ctx(driver_token_).get(), list, &mine).ok());
  ASSERT_EQ(mine.notifications_size(), 1);
  EXPECT_EQ(mine.notifications(0).kind(), v1::NOTIFICATION_KIND_LETTER_REPLIED);
  EXPECT_EQ(mine.notifications(0).letter_id(), named);
  EXPECT_EQ(mine.notifications(0).person_id(), driver_);
  // The gateway of the whole tenant sees that one and nothing else.
  auto gateway = server_.ServiceToken(root_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  v1::StreamOutboxRequest drain;
  drain.set_organization_id(root_);
  auto ctx = TestServer::Ctx(gateway);
  auto reader = notifications->StreamOutbox(ctx.get(), drain);
  int entries = 0;
  for (v1::OutboxEntry e; reader->Read(&e);) {
    ++entries;
    EXPECT_NE(e.notification().letter_id(), anonymous);
    EXPECT_EQ(e.notification().letter_id(), named);
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(entries, 1);

  // Days later the author's held-back changes are published; still nothing.
  PublicationClock().Set(SystemClock().NowMicros() + 3 * 86'400'000'000LL);
  auto published = server_.server().PublishDeferredChangesNow();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_GT(*published, 0u);
  written = server_.server().RunRemindersNow();
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 0u);

  // Byte by byte: no notification record or notification index entry names the letter.
  server_.Stop();
  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string needle = BigEndian(anonymous);
  int records = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kNotifications, "", "",
                         [&](std::string_view key, std::string_view value) {
                           ++records;
                           EXPECT_EQ(key.find(needle), std::string_view::npos);
                           v1::Notification n;
                           const bool notification =
                               key.find("notification") != std::string_view::npos;
                           if (notification && n.ParseFromArray(value.data(), value.size())) {
                             EXPECT_NE(n.letter_id(), anonymous);
                           }
                           EXPECT_EQ(value.find(needle), std::string_view::npos);
                           return true;
                         })
                  .ok());
  EXPECT_GE(records, 2);  // the named letter's notification and the settings at least
  int index_entries = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIndex, "", "",
                         [&](std::string_view key, std::string_view value) {
                           storage::KeyReader reader(key);
                           reader.U32();
                           auto index = reader.U16().value_or(0);
                           if (index < 700 || index > 729) return true;
                           ++index_entries;
                           EXPECT_EQ(key.find(needle), std::string_view::npos);
                           EXPECT_EQ(value.find(needle), std::string_view::npos);
                           return true;
                         })
                  .ok());
  EXPECT_GE(index_entries, 4);  // guard, outbox, by person, unread
}

}  // namespace
}  // namespace branchline
