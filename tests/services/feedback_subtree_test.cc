// The secretary's whole subtree: team letters in the branch's inbox, and what the branch that
// escalated a letter still sees (and when it does not), through the real server.
#include <gtest/gtest.h>

#include <set>

#include "tests/services/feedback_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;

class FeedbackSubtreeTest : public testing::FeedbackTest {
 protected:
  void SetUp() override {
    FeedbackTest::SetUp();
    team_ = server_.CreateOrg(admin_, branch_, "一班", v1::ORGANIZATION_KIND_TEAM).id();
    crew_ = server_.CreateOrg(admin_, team_, "一班夜班组", v1::ORGANIZATION_KIND_GROUP).id();
    team_driver_ = server_.CreatePerson(admin_, team_, "孙师傅", "team-driver").id();
    crew_driver_ = server_.CreatePerson(admin_, crew_, "周师傅", "crew-driver").id();
    team_token_ = server_.SignIn("team-driver");
    crew_token_ = server_.SignIn("crew-driver");
  }

  std::set<uint64_t> InboxIds(const std::string& token, uint64_t org, bool this_only,
                              v1::LetterState state = v1::LETTER_STATE_UNSPECIFIED,
                              int page_size = 0, int* pages = nullptr) {
    v1::ListInboxRequest r;
    r.set_organization_id(org);
    r.set_this_organization_only(this_only);
    r.set_state(state);
    r.set_page_size(page_size);
    std::set<uint64_t> ids;
    int n = 0;
    do {
      v1::ListLettersResponse out;
      auto s = feedback_->ListInbox(TestServer::Ctx(token).get(), r, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& l : out.letters()) EXPECT_TRUE(ids.insert(l.id()).second) << "twice";
      r.set_page_token(out.next_page_token());
      ++n;
    } while (!r.page_token().empty() && n < 20);
    if (pages) *pages = n;
    return ids;
  }

  uint64_t team_ = 0, crew_ = 0, team_driver_ = 0, crew_driver_ = 0;
  std::string team_token_, crew_token_;
};

TEST_F(FeedbackSubtreeTest, TeamLettersReachTheBranchSecretary) {
  const uint64_t team_letter =
      Submit(team_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  const uint64_t crew_letter =
      Submit(crew_token_, v1::LETTER_CATEGORY_SUGGESTION, true).letter().id();
  const uint64_t branch_letter =
      Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  // The branch secretary's inbox holds the teams' letters; "this organisation only" does not.
  EXPECT_EQ(InboxIds(secretary_token_, branch_, false),
            (std::set<uint64_t>{team_letter, crew_letter, branch_letter}));
  EXPECT_EQ(InboxIds(secretary_token_, branch_, true), (std::set<uint64_t>{branch_letter}));
  EXPECT_EQ(InboxIds(secretary_token_, team_, true), (std::set<uint64_t>{team_letter}));
  // Pages of one letter walk across the organisations.
  int pages = 0;
  EXPECT_EQ(
      InboxIds(secretary_token_, branch_, false, v1::LETTER_STATE_SUBMITTED, 1, &pages).size(), 3u);
  EXPECT_GE(pages, 3);
  // The committee's inbox does not: the branch has a handler.
  EXPECT_TRUE(InboxIds(server_.SignIn("committee-secretary"), committee_, false).empty());
  // The branch secretary handles them.
  ASSERT_TRUE(Transition(secretary_token_, team_letter, v1::LETTER_STATE_ACKNOWLEDGED).ok());
  EXPECT_EQ(InboxIds(secretary_token_, branch_, false, v1::LETTER_STATE_ACKNOWLEDGED),
            (std::set<uint64_t>{team_letter}));
  Resolve(crew_letter);
  EXPECT_EQ(InboxIds(secretary_token_, branch_, false, v1::LETTER_STATE_RESOLVED),
            (std::set<uint64_t>{crew_letter}));
  EXPECT_TRUE(InboxIds(secretary_token_, branch_, true, v1::LETTER_STATE_RESOLVED).empty());

  // Once the team has a leader of its own, its letters (and its groups') are the team's.
  server_.CreatePerson(admin_, team_, "班长", "team-leader", v1::ROLE_SECRETARY);
  EXPECT_EQ(InboxIds(secretary_token_, branch_, false), (std::set<uint64_t>{branch_letter}));
  EXPECT_EQ(InboxIds(server_.SignIn("team-leader"), team_, false),
            (std::set<uint64_t>{team_letter, crew_letter}));
  // Page tokens of another query are refused.
  v1::ListInboxRequest r;
  r.set_organization_id(branch_);
  r.set_page_token("AAAA");
  v1::ListLettersResponse out;
  EXPECT_EQ(feedback_->ListInbox(TestServer::Ctx(secretary_token_).get(), r, &out).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(FeedbackSubtreeTest, TheSendingBranchHelpsTheLevelAbove) {
  const auto committee = server_.SignIn("committee-secretary");
  const uint64_t id = Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  // Before escalation the branch handles it; the committee member of the branch too.
  ASSERT_TRUE(Note(secretary_token_, id, "已与车队沟通").ok());
  ASSERT_TRUE(Escalate(secretary_token_, id).ok());
  // The branch keeps read access and adds notes for the committee.
  v1::Letter letter;
  ASSERT_TRUE(Get(secretary_token_, id, &letter).ok());
  EXPECT_EQ(letter.organization_id(), committee_);
  EXPECT_EQ(letter.author_display_name(), "王师傅");
  ASSERT_TRUE(Note(secretary_token_, id, "补充：该司机已连续三周夜班").ok());
  auto thread = Events(committee, id);
  EXPECT_EQ(thread.events(thread.events_size() - 1).text(), "补充：该司机已连续三周夜班");
  EXPECT_EQ(thread.events(thread.events_size() - 1).person_id(), secretary_);
  EXPECT_EQ(Events(secretary_token_, id).events_size(), thread.events_size());
  // Nothing else: the committee decides.
  EXPECT_EQ(Transition(secretary_token_, id, v1::LETTER_STATE_ACKNOWLEDGED).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(Reply(secretary_token_, id, "我们在处理").error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Escalate(secretary_token_, id).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(MarkMisconduct(secretary_token_, id, branch_).error_code(), grpc::PERMISSION_DENIED);
  // Not in its inbox any more, and another branch sees nothing.
  EXPECT_TRUE(InboxIds(secretary_token_, branch_, false).empty());
  EXPECT_EQ(Get(server_.SignIn("sibling-secretary"), id).error_code(), grpc::PERMISSION_DENIED);
  // The author still sees no internal note.
  const auto thread1 = Events(driver_token_, id);
  for (const auto& e : thread1.events()) {
    EXPECT_NE(e.kind(), v1::LETTER_EVENT_KIND_INTERNAL_NOTE);
  }

  // The committee finds it reports misconduct in the branch: the branch loses sight of it.
  EXPECT_EQ(MarkMisconduct(committee, id, 0).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(MarkMisconduct(committee, id, sibling_ + 1000000).error_code(), grpc::NOT_FOUND);
  ASSERT_TRUE(MarkMisconduct(committee, id, team_).ok());  // a team of the branch
  ASSERT_TRUE(Get(committee, id, &letter).ok());
  EXPECT_EQ(letter.misconduct_organization_id(), team_);
  EXPECT_EQ(Get(secretary_token_, id).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Note(secretary_token_, id, "再补充").error_code(), grpc::PERMISSION_DENIED);
  grpc::Status status;
  Events(secretary_token_, id, &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  // The author never sees the marker, nor its entry.
  ASSERT_TRUE(Get(driver_token_, id, &letter).ok());
  EXPECT_EQ(letter.misconduct_organization_id(), 0u);
  const auto thread2 = Events(driver_token_, id);
  for (const auto& e : thread2.events()) {
    EXPECT_NE(e.kind(), v1::LETTER_EVENT_KIND_MISCONDUCT_MARKED);
  }
}

// A misconduct report about someone in the branch: escalated, the branch's secretary no longer
// reads it, without any marker. About someone of another branch, it still does.
TEST_F(FeedbackSubtreeTest, AMisconductReportAboutTheBranchLeavesItsSight) {
  const uint64_t about_branch =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, colleague_).letter().id();
  ASSERT_TRUE(Get(secretary_token_, about_branch).ok());
  ASSERT_TRUE(Escalate(secretary_token_, about_branch).ok());
  EXPECT_EQ(Get(secretary_token_, about_branch).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Note(secretary_token_, about_branch, "说明").error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(Get(server_.SignIn("committee-secretary"), about_branch).ok());

  const uint64_t sibling_person =
      server_.CreatePerson(admin_, sibling_, "收费员", "toll-clerk").id();
  const uint64_t about_other =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, sibling_person, committee_)
          .letter()
          .id();
  // Sent to the committee directly: the branch never handled it.
  EXPECT_EQ(Get(secretary_token_, about_other).error_code(), grpc::PERMISSION_DENIED);
  const uint64_t via_branch =
      Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, false, sibling_person).letter().id();
  ASSERT_TRUE(Escalate(secretary_token_, via_branch).ok());
  EXPECT_TRUE(Get(secretary_token_, via_branch).ok());
  ASSERT_TRUE(Note(secretary_token_, via_branch, "该收费员不在本支部").ok());
}

// A team letter escalated by the branch secretary (who handled it for the team): the branch
// keeps sight of it through the team it came from.
TEST_F(FeedbackSubtreeTest, ATeamLetterEscalatedByTheBranch) {
  const uint64_t id = Submit(team_token_, v1::LETTER_CATEGORY_DIFFICULTY, false).letter().id();
  ASSERT_TRUE(Escalate(secretary_token_, id).ok());
  v1::Letter letter;
  ASSERT_TRUE(Get(secretary_token_, id, &letter).ok());
  EXPECT_EQ(letter.organization_id(), branch_);
  // Now in the branch's own inbox, and the branch escalates it further.
  EXPECT_EQ(InboxIds(secretary_token_, branch_, true), (std::set<uint64_t>{id}));
  ASSERT_TRUE(Escalate(secretary_token_, id).ok());
  ASSERT_TRUE(Get(secretary_token_, id, &letter).ok());
  EXPECT_EQ(letter.organization_id(), committee_);
  EXPECT_TRUE(Note(secretary_token_, id, "班组情况说明").ok());
}

}  // namespace
}  // namespace branchline
