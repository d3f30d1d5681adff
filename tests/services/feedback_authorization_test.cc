// Every FeedbackService RPC × every kind of caller, each cell the documented outcome.
//
// The letter is a misconduct report by the driver about a committee member of the branch:
// because that member handles the branch, it goes to the committee above, whose secretary
// handles it. The branch secretary, a secretary of another branch and the reported member
// all stay outside.
#include <gtest/gtest.h>

#include <ctime>
#include <map>

#include "tests/services/feedback_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline {
namespace {

using testing::TestServer;
using namespace testing::matrix;  // NOLINT: table cell names

class FeedbackAuthorizationTest : public testing::FeedbackTest {
 protected:
  void SetUp() override {
    FeedbackTest::SetUp();
    // Admin scope above: a person of the root with admin scope on it.

    committee_token_ = server_.SignIn("committee-secretary");
    tokens_["no token"] = "";
    tokens_["tampered"] = TestServer::TamperedToken(driver_token_);
    tokens_["expired"] = server_.ExpiredToken(driver_);
    tokens_["other tenant admin"] = server_.ForeignTenantAdminToken();
    tokens_["author"] = driver_token_;
    tokens_["anonymous author, receipt"] = "";
    tokens_["anonymous author, no receipt"] = driver_token_;
    tokens_["handler of target"] = committee_token_;
    tokens_["secretary of branch below"] = secretary_token_;
    tokens_["handler of another branch"] = server_.SignIn("sibling-secretary");
    tokens_["person reported"] = server_.SignIn("member");
    tokens_["admin above"] = server_.AdminAboveToken(root_);
    tokens_["service with scope"] = server_.ServiceToken(committee_, v1::SCOPE_FEEDBACK_READ);
    tokens_["service without scope"] = server_.ServiceToken(committee_, v1::SCOPE_PEOPLE_READ);
    tokens_["another member"] = server_.SignIn("colleague");
  }

  struct Fresh {
    uint64_t id = 0;
    std::string code;
  };
  // A new report about the branch committee member, resolved when `resolved`.
  Fresh NewLetter(bool anonymous, bool resolved = false) {
    auto submitted = Submit(driver_token_, v1::LETTER_CATEGORY_MISCONDUCT, anonymous,
                            committee_member_, branch_);
    EXPECT_EQ(submitted.letter().organization_id(), committee_);
    Fresh f{submitted.letter().id(), submitted.receipt_code()};
    if (resolved) {
      for (auto s : {v1::LETTER_STATE_ACKNOWLEDGED, v1::LETTER_STATE_IN_PROGRESS,
                     v1::LETTER_STATE_RESOLVED}) {
        EXPECT_TRUE(Transition(committee_token_, f.id, s).ok());
      }
    }
    return f;
  }

  grpc::StatusCode Call(const std::string& op, const std::string& caller) {
    const std::string& token = tokens_.at(caller);
    const bool anonymous = caller.rfind("anonymous", 0) == 0;
    const bool has_receipt = caller == "anonymous author, receipt";
    auto ctx = TestServer::Ctx(token);
    v1::Letter letter;
    v1::LetterEvent event;
    if (op == "SubmitLetter") {
      grpc::Status status;
      Submit(token, v1::LETTER_CATEGORY_SUGGESTION, anonymous, 0, 0, &status);
      return status.error_code();
    }
    if (op == "ListMyLetters") {
      v1::ListMyLettersRequest r;
      v1::ListLettersResponse out;
      return feedback_->ListMyLetters(ctx.get(), r, &out).error_code();
    }
    if (op == "ListInbox") {
      v1::ListInboxRequest r;
      r.set_organization_id(committee_);
      v1::ListLettersResponse out;
      return feedback_->ListInbox(ctx.get(), r, &out).error_code();
    }
    if (op == "GetFeedbackSettings" || op == "GetFeedbackSettings(sibling branch)") {
      v1::GetFeedbackSettingsRequest r;
      r.set_organization_id(op == "GetFeedbackSettings" ? committee_ : sibling_);
      v1::FeedbackSettings out;
      return feedback_->GetFeedbackSettings(ctx.get(), r, &out).error_code();
    }
    if (op == "UpdateFeedbackSettings") {
      v1::UpdateFeedbackSettingsRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_settings()->set_organization_id(committee_);
      r.mutable_settings()->set_resolve_within_days(20);
      r.mutable_update_mask()->add_paths("resolve_within_days");
      v1::FeedbackSettings out;
      return feedback_->UpdateFeedbackSettings(ctx.get(), r, &out).error_code();
    }
    if (op == "GetFeedbackFigures") {
      v1::GetFeedbackFiguresRequest r;
      r.set_organization_id(committee_);
      r.mutable_start_time()->set_seconds(time(nullptr) - 86400);
      r.mutable_end_time()->set_seconds(time(nullptr) + 86400);
      v1::FeedbackFigures out;
      return feedback_->GetFeedbackFigures(ctx.get(), r, &out).error_code();
    }
    if (op == "RegisterLetter") {
      v1::RegisterLetterRequest r;
      r.set_organization_id(committee_);
      r.set_author_name("来电群众");
      return Register(token, r).error_code();
    }
    if (op == "RecordLetterOutcome") {
      // A suggestion to the committee, acknowledged there.
      auto id =
          Submit(driver_token_, v1::LETTER_CATEGORY_SUGGESTION, false, 0, committee_).letter().id();
      EXPECT_TRUE(Transition(committee_token_, id, v1::LETTER_STATE_ACKNOWLEDGED).ok());
      return RecordOutcome(token, id, v1::LETTER_OUTCOME_ADOPTED).error_code();
    }
    if (op == "GetLetter(escalated from branch)" || op == "AddInternalNote(escalated)" ||
        op == "GetLetter(escalated, misconduct in branch)") {
      // The driver's letter to the branch, escalated by its secretary to the committee.
      auto id =
          Submit(driver_token_, v1::LETTER_CATEGORY_DIFFICULTY, false, 0, branch_).letter().id();
      EXPECT_TRUE(Escalate(secretary_token_, id).ok());
      if (op == "GetLetter(escalated, misconduct in branch)") {
        EXPECT_TRUE(MarkMisconduct(committee_token_, id, branch_).ok());
      }
      if (op == "AddInternalNote(escalated)") return Note(token, id, "协助说明").error_code();
      v1::GetLetterRequest r;
      r.set_id(id);
      return feedback_->GetLetter(ctx.get(), r, &letter).error_code();
    }
    // Calls on one letter: the anonymous rows act on an anonymous letter.
    const bool needs_resolved = op == "RateLetter";
    Fresh f = NewLetter(anonymous, needs_resolved);
    // Receipt calls: the right code for its holder, a guessed one for everyone else.
    std::string code = f.code;
    if (!has_receipt) {
      code = std::to_string(f.id) + ".AAAAAAAAAAAAAAAAAAAAAA";
    }
    if (op == "GetLetter") {
      v1::GetLetterRequest r;
      r.set_id(f.id);
      return feedback_->GetLetter(ctx.get(), r, &letter).error_code();
    }
    if (op == "TransitionLetter(acknowledge)") {
      v1::TransitionLetterRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_state(v1::LETTER_STATE_ACKNOWLEDGED);
      return feedback_->TransitionLetter(ctx.get(), r, &letter).error_code();
    }
    if (op == "EscalateLetter") {
      v1::EscalateLetterRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_reason("上报");
      return feedback_->EscalateLetter(ctx.get(), r, &letter).error_code();
    }
    if (op == "AssignLetter") {
      v1::AssignLetterRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_assignee_person_id(committee_secretary_);
      return feedback_->AssignLetter(ctx.get(), r, &letter).error_code();
    }
    if (op == "ReplyToLetter") {
      v1::ReplyToLetterRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_text("回复");
      return feedback_->ReplyToLetter(ctx.get(), r, &event).error_code();
    }
    if (op == "AddInternalNote") {
      v1::AddInternalNoteRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_text("备注");
      return feedback_->AddInternalNote(ctx.get(), r, &event).error_code();
    }
    if (op == "ListLetterEvents") {
      v1::ListLetterEventsRequest r;
      r.set_id(f.id);
      v1::ListLetterEventsResponse out;
      return feedback_->ListLetterEvents(ctx.get(), r, &out).error_code();
    }
    if (op == "GetLetterByReceipt") {
      v1::GetLetterByReceiptRequest r;
      r.set_receipt_code(code);
      v1::GetLetterByReceiptResponse out;
      return feedback_->GetLetterByReceipt(ctx.get(), r, &out).error_code();
    }
    if (op == "ReplyByReceipt") {
      v1::ReplyByReceiptRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_receipt_code(code);
      r.set_text("补充");
      return feedback_->ReplyByReceipt(ctx.get(), r, &event).error_code();
    }
    if (op == "MarkLetterMisconduct") {
      v1::MarkLetterMisconductRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(f.id);
      r.set_organization_id(branch_);
      return feedback_->MarkLetterMisconduct(ctx.get(), r, &letter).error_code();
    }
    if (op == "RateLetter") {
      v1::RateLetterRequest r;
      r.set_request_id(TestServer::RequestId());
      if (has_receipt) {
        r.set_receipt_code(code);
      } else {
        r.set_id(f.id);
      }
      r.set_rating(4);
      return feedback_->RateLetter(ctx.get(), r, &letter).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::string committee_token_;
  std::map<std::string, std::string> tokens_;
};

TEST_F(FeedbackAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {
      "SubmitLetter",
      "GetLetter",
      "ListMyLetters",
      "ListInbox",
      "TransitionLetter(acknowledge)",
      "EscalateLetter",
      "AssignLetter",
      "ReplyToLetter",
      "AddInternalNote",
      "ListLetterEvents",
      "GetLetterByReceipt",
      "ReplyByReceipt",
      "RateLetter",
      "GetFeedbackSettings",
      "UpdateFeedbackSettings",
      "GetFeedbackFigures",
      "GetFeedbackSettings(sibling branch)",
      "RegisterLetter",
      "RecordLetterOutcome",
      "MarkLetterMisconduct",
      "GetLetter(escalated from branch)",
      "AddInternalNote(escalated)",
      "GetLetter(escalated, misconduct in branch)",
  };
  const auto NF = NOTFOUND;
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                                Submit  Get     Mine    Inbox   Ack     Esc     Assign  Reply   Note    Events  ByRcpt  RplRcpt Rate    GetSet  SetSet  Figures Sibling  Regist  Outcome Mark    GetEsc  NoteEsc GetMisc
    {"no token",                     {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, NF,     NF,     UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",                     {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, NF,     NF,     UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",                      {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, NF,     NF,     UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",           {OK,     NF,     OK,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF, NF,     NF,     NF,     NF,     NF,     NF}},
    {"author",                       {OK,     OK,     OK,     DENIED, DENIED, DENIED, DENIED, OK,     DENIED, OK,     NF,     NF,     OK,     OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK,     DENIED, OK}},
    {"anonymous author, receipt",    {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, OK,     OK,     OK,     UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"anonymous author, no receipt", {OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK,     DENIED, OK}},
    {"handler of target",            {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NF,     NF,     DENIED, OK,     OK,     OK,     OK, OK,     OK,     OK,     OK,     OK,     OK}},
    {"secretary of branch below",    {OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK,     OK,     DENIED}},
    {"handler of another branch",    {OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"person reported",              {OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK,     OK,     DENIED}},
    {"admin above",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     NF,     NF,     DENIED, OK,     OK,     OK,     OK, OK,     OK,     OK,     OK,     OK,     OK}},
    {"service with scope",           {DENIED, OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, OK,     OK, DENIED, DENIED, DENIED, OK,     DENIED, OK}},
    {"service without scope",        {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"another member",               {OK,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, NF,     NF,     DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
  };
  // clang-format on
  testing::ExpectMatrix(
      {"feedback", ops, table},
      [&](const std::string& op, const std::string& caller) { return Call(op, caller); });
}

TEST_F(FeedbackAuthorizationTest, ServiceAccountsNeverSeeAnAuthor) {
  auto f = NewLetter(/*anonymous=*/false);
  v1::GetLetterRequest r;
  r.set_id(f.id);
  v1::Letter letter;
  ASSERT_TRUE(
      feedback_->GetLetter(TestServer::Ctx(tokens_["service with scope"]).get(), r, &letter).ok());
  EXPECT_EQ(letter.author_person_id(), 0u);
  EXPECT_EQ(letter.about_person_id(), 0u);
  ASSERT_TRUE(feedback_->GetLetter(TestServer::Ctx(committee_token_).get(), r, &letter).ok());
  EXPECT_EQ(letter.author_person_id(), driver_);
}

}  // namespace
}  // namespace branchline
