// Deadlines, the paused clock, overdue lists, auto-close and figures, on the domain class with
// a FakeClock over a real store (prepared data at exact times), plus the pure rules.
#include <gtest/gtest.h>

#include <sstream>

#include "server/bootstrap.h"
#include "services/auth/authenticator.h"
#include "services/common/local_day.h"
#include "services/feedback/letter_rules.h"
#include "services/feedback/mailbox.h"
#include "services/org/org_tree.h"
#include "storage/keys.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

constexpr int64_t kHour = 3600LL * 1'000'000;
constexpr int64_t kDay = 24 * kHour;
// 2026-03-02 07:30 UTC = 15:30 China Standard Time.
constexpr int64_t kStart = 1772436600LL * 1'000'000;

class FeedbackDeadlinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    access_ = std::make_unique<Access>(*store_);
    orgs_ = std::make_unique<OrgTree>(*store_, *access_, clock_);
    people_ = std::make_unique<PeopleDirectory>(*store_, *access_, hasher_, clock_);
    mailbox_ = std::make_unique<Mailbox>(*store_, *access_, *people_, receipts_, clock_);
    std::ostringstream out;
    ASSERT_TRUE(BootstrapIfEmpty(*store_, *orgs_, *people_, hasher_, "admin-password-1", out).ok());
    ASSERT_TRUE(store_
                    ->Scan(storage::Cf::kOrganizations, "", "",
                           [&](std::string_view key, std::string_view) {
                             root_ = storage::TrailingId(key);
                             return false;
                           })
                    .ok());
    admin_.system_admin = true;
    admin_.tenant = storage::TenantOfId(root_);
    admin_.person_id = 1;
    admin_.organization_id = root_;
    committee_ = MakeOrg(root_, "运输公司党委");
    branch_ = MakeOrg(committee_, "运输四队党支部");
    driver_ = MakePerson(branch_, "driver", v1::ROLE_EMPLOYEE);
    secretary_ = MakePerson(branch_, "secretary", v1::ROLE_SECRETARY);
  }

  uint64_t MakeOrg(uint64_t parent, const std::string& name) {
    v1::CreateOrganizationRequest r;
    r.set_request_id("org-" + std::to_string(++ids_));
    r.mutable_organization()->set_parent_id(parent);
    r.mutable_organization()->set_name(name);
    r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
    auto org = orgs_->Create(admin_, r);
    EXPECT_TRUE(org.ok()) << org.status();
    return org->id();
  }
  Caller MakePerson(uint64_t org, const std::string& login, v1::Role role) {
    v1::CreatePersonRequest r;
    r.set_request_id("person-" + login);
    r.mutable_person()->set_organization_id(org);
    r.mutable_person()->set_display_name(login);
    r.mutable_person()->set_employee_number(login);
    r.mutable_person()->set_role(role);
    auto person = people_->Create(admin_, r);
    EXPECT_TRUE(person.ok()) << person.status();
    return CallerFromPerson(*person, 0);
  }
  std::string NextId() { return "request-id-number-" + std::to_string(++ids_); }

  v1::Letter Submit(v1::LetterCategory category, bool anonymous = false) {
    v1::SubmitLetterRequest r;
    r.set_request_id(NextId());
    r.set_category(category);
    r.set_subject("主题");
    r.set_body("正文");
    r.set_anonymous(anonymous);
    auto out = mailbox_->Submit(driver_, r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out->letter();
  }
  absl::StatusOr<v1::Letter> Move(uint64_t id, v1::LetterState state) {
    v1::TransitionLetterRequest r;
    r.set_request_id(NextId());
    r.set_id(id);
    r.set_state(state);
    return mailbox_->Transition(secretary_, r);
  }
  void Reply(const Caller& who, uint64_t id, bool wait) {
    v1::ReplyToLetterRequest r;
    r.set_request_id(NextId());
    r.set_id(id);
    r.set_text("回复");
    r.set_wait_for_author(wait);
    ASSERT_TRUE(mailbox_->Reply(who, r).ok());
  }
  v1::Letter Get(uint64_t id) {
    v1::GetLetterRequest r;
    r.set_id(id);
    auto letter = mailbox_->Get(secretary_, r);
    EXPECT_TRUE(letter.ok()) << letter.status();
    return *letter;
  }
  std::vector<uint64_t> Overdue() {
    v1::ListInboxRequest r;
    r.set_organization_id(branch_);
    r.set_overdue_only(true);
    auto out = mailbox_->ListInbox(secretary_, r);
    EXPECT_TRUE(out.ok()) << out.status();
    std::vector<uint64_t> ids;
    for (const auto& l : out->letters()) ids.push_back(l.id());
    return ids;
  }

  testing::TempDir dir_;
  FakeClock clock_{kStart};
  PasswordHasher hasher_{PasswordHasher::Strength::kFastForTests};
  feedback::Receipts receipts_{std::string(32, 'k')};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Access> access_;
  std::unique_ptr<OrgTree> orgs_;
  std::unique_ptr<PeopleDirectory> people_;
  std::unique_ptr<Mailbox> mailbox_;
  Caller admin_, driver_, secretary_;
  uint64_t root_ = 0, committee_ = 0, branch_ = 0;
  int ids_ = 0;
};

TEST_F(FeedbackDeadlinesTest, OverdueWhenNotAcknowledgedInTime) {
  auto letter = Submit(v1::LETTER_CATEGORY_DIFFICULTY);
  EXPECT_EQ(ToMicros(letter.acknowledge_due_time()), kStart + 2 * kDay);
  clock_.Advance(2 * kDay);
  EXPECT_TRUE(Overdue().empty());
  EXPECT_FALSE(Get(letter.id()).overdue());
  clock_.Advance(1'000'000);
  EXPECT_EQ(Overdue(), std::vector<uint64_t>{letter.id()});
  EXPECT_TRUE(Get(letter.id()).overdue());
  // Acknowledged: now the resolve deadline counts, which is not passed.
  auto acked = Move(letter.id(), v1::LETTER_STATE_ACKNOWLEDGED);
  ASSERT_TRUE(acked.ok());
  EXPECT_FALSE(acked->overdue());
  EXPECT_EQ(acked->acknowledge_seconds(), 2 * 86400 + 1);
  EXPECT_TRUE(Overdue().empty());
}

TEST_F(FeedbackDeadlinesTest, OverdueListPagesMostOverdueFirst) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Submit(v1::LETTER_CATEGORY_DIFFICULTY).id());
    clock_.Advance(kHour);
  }
  Submit(v1::LETTER_CATEGORY_DIFFICULTY);  // not late at the end
  clock_.Set(kStart + 2 * kDay + 2 * kHour + 1);
  v1::ListInboxRequest r;
  r.set_organization_id(branch_);
  r.set_overdue_only(true);
  r.set_page_size(2);
  auto page = mailbox_->ListInbox(secretary_, r);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->letters_size(), 2);
  EXPECT_EQ(page->letters(0).id(), ids[0]);
  EXPECT_EQ(page->letters(1).id(), ids[1]);
  ASSERT_FALSE(page->next_page_token().empty());
  r.set_page_token(page->next_page_token());
  page = mailbox_->ListInbox(secretary_, r);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->letters_size(), 1);
  EXPECT_EQ(page->letters(0).id(), ids[2]);
  EXPECT_TRUE(page->next_page_token().empty());
}

TEST_F(FeedbackDeadlinesTest, WaitingForTheAuthorPausesTheClock) {
  auto letter = Submit(v1::LETTER_CATEGORY_DIFFICULTY);
  ASSERT_TRUE(Move(letter.id(), v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Move(letter.id(), v1::LETTER_STATE_IN_PROGRESS).ok());
  clock_.Set(kStart + 3 * kDay);
  Reply(secretary_, letter.id(), /*wait=*/true);
  clock_.Set(kStart + 23 * kDay);  // past the 15-day deadline, but paused for 20 days
  EXPECT_TRUE(Overdue().empty());
  EXPECT_FALSE(Get(letter.id()).overdue());
  Reply(driver_, letter.id(), /*wait=*/false);
  auto resumed = Get(letter.id());
  EXPECT_EQ(ToMicros(resumed.resolve_due_time()), kStart + 35 * kDay);
  EXPECT_FALSE(resumed.overdue());
  clock_.Set(kStart + 36 * kDay);
  EXPECT_EQ(Overdue(), std::vector<uint64_t>{letter.id()});
  auto resolved = Move(letter.id(), v1::LETTER_STATE_RESOLVED);
  ASSERT_TRUE(resolved.ok());
  EXPECT_FALSE(resolved->resolved_in_time());
  EXPECT_EQ(resolved->resolve_seconds(), 16 * 86400);  // 36 days minus 20 paused
  EXPECT_TRUE(Overdue().empty());
}

TEST_F(FeedbackDeadlinesTest, ResolvedLettersCloseByThemselves) {
  auto letter = Submit(v1::LETTER_CATEGORY_SUGGESTION);
  ASSERT_TRUE(Move(letter.id(), v1::LETTER_STATE_ACKNOWLEDGED).ok());
  ASSERT_TRUE(Move(letter.id(), v1::LETTER_STATE_IN_PROGRESS).ok());
  ASSERT_TRUE(Move(letter.id(), v1::LETTER_STATE_RESOLVED).ok());
  clock_.Advance(7 * kDay - 1);
  EXPECT_EQ(Get(letter.id()).state(), v1::LETTER_STATE_RESOLVED);
  clock_.Advance(1);
  auto closed = Get(letter.id());
  EXPECT_EQ(closed.state(), v1::LETTER_STATE_CLOSED);
  EXPECT_EQ(ToMicros(closed.close_time()), kStart + 7 * kDay);
  v1::RateLetterRequest rate;
  rate.set_request_id(NextId());
  rate.set_id(letter.id());
  rate.set_rating(3);
  EXPECT_EQ(mailbox_->Rate(&driver_, rate).status().code(), absl::StatusCode::kFailedPrecondition);
  // Inbox lists by state see it as closed.
  for (auto [state, count] :
       {std::pair{v1::LETTER_STATE_RESOLVED, 0}, std::pair{v1::LETTER_STATE_CLOSED, 1}}) {
    v1::ListInboxRequest list;
    list.set_organization_id(branch_);
    list.set_state(state);
    auto listed = mailbox_->ListInbox(secretary_, list);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(listed->letters_size(), count) << v1::LetterState_Name(state);
  }
  // A handler's close is refused too: it is closed already.
  EXPECT_EQ(Move(letter.id(), v1::LETTER_STATE_CLOSED).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(FeedbackDeadlinesTest, AnonymousTimesAreDays) {
  auto letter = Submit(v1::LETTER_CATEGORY_DIFFICULTY, /*anonymous=*/true);
  // 15:30 CST on 2026-03-02 becomes local midnight, 16:00 UTC the day before.
  int64_t midnight = LocalDayStartMicros(LocalDay(kStart, 480), 480);
  EXPECT_EQ(ToMicros(letter.submit_time()), midnight);
  EXPECT_EQ(midnight % kHour, 0);
  EXPECT_EQ(ToMicros(letter.acknowledge_due_time()), midnight + 2 * kDay);
}

TEST_F(FeedbackDeadlinesTest, FiguresOnPreparedData) {
  const uint64_t l1 = Submit(v1::LETTER_CATEGORY_DIFFICULTY).id();
  const uint64_t l2 = Submit(v1::LETTER_CATEGORY_DIFFICULTY).id();
  const uint64_t l3 = Submit(v1::LETTER_CATEGORY_SUGGESTION).id();
  const uint64_t l4 = Submit(v1::LETTER_CATEGORY_MISCONDUCT).id();
  const int64_t ack_after[] = {1 * kHour, 2 * kHour, 3 * kHour, 10 * kHour};
  const uint64_t all[] = {l1, l2, l3, l4};
  for (int i = 0; i < 4; ++i) {
    clock_.Set(kStart + ack_after[i]);
    ASSERT_TRUE(Move(all[i], v1::LETTER_STATE_ACKNOWLEDGED).ok());
    ASSERT_TRUE(Move(all[i], v1::LETTER_STATE_IN_PROGRESS).ok());
  }
  const int64_t resolve_after[] = {1 * kDay, 2 * kDay, 20 * kDay};
  for (int i = 0; i < 3; ++i) {
    clock_.Set(kStart + resolve_after[i]);
    ASSERT_TRUE(Move(all[i], v1::LETTER_STATE_RESOLVED).ok());
    if (i < 2) {
      v1::RateLetterRequest rate;
      rate.set_request_id(NextId());
      rate.set_id(all[i]);
      rate.set_rating(i == 0 ? 5 : 2);
      ASSERT_TRUE(mailbox_->Rate(&driver_, rate).ok());
    }
  }
  clock_.Set(kStart + 30 * kDay);
  Submit(v1::LETTER_CATEGORY_INNOVATION);  // outside the period

  v1::GetFeedbackFiguresRequest r;
  r.set_organization_id(committee_);  // the branch is below it
  *r.mutable_start_time() = ToTimestamp(kStart - kHour);
  *r.mutable_end_time() = ToTimestamp(kStart + kHour);
  auto figures = mailbox_->Figures(admin_, r);
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(figures->letter_count(), 4);
  ASSERT_EQ(figures->by_category_size(), 3);
  EXPECT_EQ(figures->by_category(0).category(), v1::LETTER_CATEGORY_DIFFICULTY);
  EXPECT_EQ(figures->by_category(0).count(), 2);
  EXPECT_EQ(figures->acknowledged_count(), 4);
  EXPECT_EQ(figures->acknowledge_median_seconds(), 2 * 3600);
  EXPECT_EQ(figures->acknowledge_p90_seconds(), 10 * 3600);
  EXPECT_EQ(figures->resolved_count(), 3);
  EXPECT_EQ(figures->resolve_median_seconds(), 2 * 86400);
  EXPECT_EQ(figures->resolve_p90_seconds(), 20 * 86400);
  EXPECT_DOUBLE_EQ(figures->resolved_in_time_share(), 2.0 / 3.0);
  EXPECT_EQ(figures->rated_count(), 2);
  EXPECT_DOUBLE_EQ(figures->average_rating(), 3.5);
  EXPECT_EQ(figures->overdue_count(), 1);  // l4: in progress, 15 days passed

  // The period bounds are exact and checked.
  *r.mutable_start_time() = ToTimestamp(kStart + 1);
  figures = mailbox_->Figures(admin_, r);
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->letter_count(), 0);
  *r.mutable_end_time() = ToTimestamp(kStart);
  EXPECT_EQ(mailbox_->Figures(admin_, r).status().code(), absl::StatusCode::kInvalidArgument);
  // A member may not read figures.
  *r.mutable_start_time() = ToTimestamp(kStart - kHour);
  *r.mutable_end_time() = ToTimestamp(kStart + kHour);
  EXPECT_EQ(mailbox_->Figures(driver_, r).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(FeedbackRulesTest, PercentileIsNearestRank) {
  std::vector<int64_t> none;
  EXPECT_EQ(feedback::Percentile(none, 50), 0);
  std::vector<int64_t> one = {7};
  EXPECT_EQ(feedback::Percentile(one, 90), 7);
  std::vector<int64_t> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(feedback::Percentile(ten, 50), 5);
  EXPECT_EQ(feedback::Percentile(ten, 90), 9);
  EXPECT_EQ(feedback::Percentile(ten, 100), 10);
}

TEST(FeedbackRulesTest, KeysSortByOrganizationThenDeadline) {
  const uint64_t org = storage::MakeId(1, 5), other = storage::MakeId(1, 6);
  const uint64_t a = storage::MakeId(1, 9), b = storage::MakeId(1, 7);
  // Earlier deadlines first (also before the epoch), whatever the letter id.
  EXPECT_LT(storage::LetterDueKey(org, -5, a), storage::LetterDueKey(org, 3, b));
  EXPECT_LT(storage::LetterDueKey(org, 3, b), storage::LetterDueKey(org, 4, b));
  EXPECT_LT(storage::LetterDueKey(org, kStart * 100, a), storage::LetterDueKey(other, -1, a));
  EXPECT_EQ(storage::LetterDueKey(org, 3, b).rfind(storage::LetterDuePrefix(org), 0), 0u);
  EXPECT_EQ(storage::TrailingId(storage::LetterDueKey(org, 3, b)), b);
  // Inbox keys group by state under the organisation.
  const std::string state_prefix = storage::LetterInboxStatePrefix(org, 2);
  EXPECT_EQ(storage::LetterInboxKey(org, 2, a).rfind(state_prefix, 0), 0u);
  EXPECT_NE(storage::LetterInboxKey(org, 3, a).rfind(state_prefix, 0), 0u);
  EXPECT_LT(storage::LetterInboxKey(org, 2, a), storage::LetterInboxKey(org, 3, b));
  // Thread events in sequence order, under their letter.
  EXPECT_LT(storage::LetterEventKey(a, 2), storage::LetterEventKey(a, 10));
  EXPECT_EQ(storage::LetterEventKey(a, 2).rfind(storage::LetterEventPrefix(a), 0), 0u);
  // Settings never collide with a letter record.
  EXPECT_NE(storage::FeedbackSettingsKey(org).size(), storage::RecordKey(a).size());
}

TEST(FeedbackRulesTest, TransitionGraph) {
  using S = v1::LetterState;
  EXPECT_TRUE(
      feedback::CheckTransition(S::LETTER_STATE_SUBMITTED, S::LETTER_STATE_ACKNOWLEDGED).ok());
  EXPECT_TRUE(feedback::CheckTransition(S::LETTER_STATE_IN_PROGRESS, S::LETTER_STATE_REFUSED).ok());
  EXPECT_EQ(feedback::CheckTransition(S::LETTER_STATE_SUBMITTED, S::LETTER_STATE_RESOLVED).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feedback::CheckTransition(S::LETTER_STATE_RESOLVED, S::LETTER_STATE_REFUSED).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feedback::CheckTransition(S::LETTER_STATE_CLOSED, S::LETTER_STATE_CLOSED).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace branchline
