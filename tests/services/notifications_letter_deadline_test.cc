// LETTER_DUE_SOON: the assignee of an open letter is reminded once when its handling deadline
// is a day away (or passed while the server was down), on the reminder pass's fake clock;
// nothing goes to the author, named or anonymous, nor to an unassigned letter's handlers.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "branchline/v1/notifications.grpc.pb.h"
#include "services/common/clock.h"
#include "tests/services/feedback_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;

FakeClock& DeadlineClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

constexpr int64_t kHourMicros = 3'600'000'000LL;

class LetterDeadlineTest : public testing::FeedbackTest {
 protected:
  LetterDeadlineTest()
      : FeedbackTest([](ServerOptions& o) {
          o.notifications.clock = &DeadlineClock();
          o.notifications.pass_interval_micros = 3600LL * 1'000'000;  // the test calls the hook
        }) {}

  void SetUp() override {
    DeadlineClock().Set(SystemClock().NowMicros());
    FeedbackTest::SetUp();
    notifications_ = v1::NotificationService::NewStub(server_.channel());
    member_token_ = server_.SignIn("member");
    // No quiet hours, whatever the time of the run.
    v1::UpdateNotificationSettingsRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_settings()->set_organization_id(root_);
    v1::NotificationSettings settings;
    ASSERT_TRUE(
        notifications_->UpdateNotificationSettings(TestServer::Ctx(admin_).get(), r, &settings)
            .ok());
  }

  uint64_t Pass() {
    auto written = server_.server().RunRemindersNow();
    EXPECT_TRUE(written.ok()) << written.status();
    return written.value_or(0);
  }

  v1::Letter Assign(uint64_t letter, uint64_t person) {
    v1::AssignLetterRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(letter);
    r.set_assignee_person_id(person);
    v1::Letter out;
    auto status = feedback_->AssignLetter(TestServer::Ctx(secretary_token_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::vector<v1::Notification> DueSoon(const std::string& token) {
    v1::ListMyNotificationsRequest r;
    r.set_page_size(1000);
    v1::ListMyNotificationsResponse out;
    EXPECT_TRUE(notifications_->ListMyNotifications(TestServer::Ctx(token).get(), r, &out).ok());
    std::vector<v1::Notification> due;
    for (const auto& n : out.notifications()) {
      if (n.kind() == v1::NOTIFICATION_KIND_LETTER_DUE_SOON) due.push_back(n);
    }
    return due;
  }

  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::string member_token_;
};

TEST_F(LetterDeadlineTest, TheAssigneeIsRemindedOncePerLetterNeverTheAuthor) {
  // A named and an anonymous letter, both assigned to the committee member; a third letter
  // left unassigned.
  const uint64_t named = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  const uint64_t anonymous =
      Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, true).letter().id();
  Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false);
  const auto letter = Assign(named, committee_member_);
  const auto hidden = Assign(anonymous, committee_member_);
  // An anonymous letter's times are coarsened to its local day: its deadline may be earlier.
  const int64_t due = ToMicros(letter.acknowledge_due_time());
  const int64_t first = std::min(due, ToMicros(hidden.acknowledge_due_time()));
  ASSERT_GT(first, DeadlineClock().NowMicros());

  EXPECT_EQ(Pass(), 0u);  // a day or more away
  DeadlineClock().Set(first - 25 * kHourMicros);
  EXPECT_EQ(Pass(), 0u);
  DeadlineClock().Set(due - 23 * kHourMicros);
  EXPECT_EQ(Pass(), 2u);  // the two assigned letters, not the unassigned one
  EXPECT_EQ(Pass(), 0u);
  auto reminded = DueSoon(member_token_);
  ASSERT_EQ(reminded.size(), 2u);
  for (const auto& n : reminded) {
    EXPECT_NE(n.body().find("夜班车辆调度问题"), std::string::npos) << n.body();
    EXPECT_FALSE(n.urgent());
    if (n.letter_id() == named) {
      EXPECT_EQ(n.title(), "来信即将到期");
    }
  }
  // Past the deadline (a restart after downtime): nothing more for the same letters.
  server_.Restart();
  feedback_ = v1::FeedbackService::NewStub(server_.channel());
  notifications_ = v1::NotificationService::NewStub(server_.channel());
  DeadlineClock().Set(due + kHourMicros);
  EXPECT_EQ(Pass(), 0u);
  EXPECT_EQ(DueSoon(member_token_).size(), 2u);
  // The author (of the named and of the anonymous letter) and the secretary get none.
  EXPECT_TRUE(DueSoon(driver_token_).empty());
  EXPECT_TRUE(DueSoon(secretary_token_).empty());
}

// A letter assigned only after its deadline passed (within a week) is announced as overdue.
TEST_F(LetterDeadlineTest, AnOverdueLetterIsAnnouncedAsSuch) {
  const uint64_t id = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  const auto letter = Assign(id, committee_member_);
  DeadlineClock().Set(ToMicros(letter.acknowledge_due_time()) + 2 * kHourMicros);
  EXPECT_EQ(Pass(), 1u);
  auto reminded = DueSoon(member_token_);
  ASSERT_EQ(reminded.size(), 1u);
  EXPECT_EQ(reminded[0].title(), "来信已超期");
  EXPECT_EQ(reminded[0].letter_id(), id);
  // More than a week late: useless, not sent.
  const uint64_t old = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  const auto late = Assign(old, committee_member_);
  DeadlineClock().Set(ToMicros(late.acknowledge_due_time()) + 8 * 24 * kHourMicros);
  EXPECT_EQ(Pass(), 0u);
}

}  // namespace
}  // namespace branchline
