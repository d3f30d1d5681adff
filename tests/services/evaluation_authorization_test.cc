// Every EvaluationService RPC × every kind of caller, each cell the documented outcome (in the
// style of calendar_authorization_test.cc). The round is the fixture's named round of the
// branch's members, rated by all staff: the driver d1 (member of the group below) is a subject
// and a rater, the employee d3 a rater only.
#include <map>

#include "tests/services/evaluation_fixture.h"
#include "tests/support/authorization_doc.h"

namespace branchline::testing {
namespace {

using namespace testing::matrix;  // NOLINT: table cell names

class EvaluationAuthorizationTest : public EvaluationTest {
 protected:
  void SetUp() override {
    EvaluationTest::SetUp();
    tokens_ = MatrixCallers();
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_EVALUATION_READ);
    tokens_["member of group below"] = d1_;
    tokens_["employee of group below"] = d3_;
    round_ = MustCreateRound(RoundDraft());
    // d2 is the subject the overall marks and ratings are about: scored themselves already.
    EXPECT_TRUE(Self(d2_, round_, {8, 8}).ok());
  }

  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = Ctx(token);
    v1::EvaluationRound round;
    v1::SubmissionReceipt receipt;
    if (op == "CreateRound") {
      v1::CreateRoundRequest r;
      r.set_request_id(TestServer::RequestId());
      *r.mutable_round() = RoundDraft();
      return eval_->CreateRound(ctx.get(), r, &round).error_code();
    }
    if (op == "GetRound") {
      v1::GetRoundRequest r;
      r.set_id(round_.id());
      return eval_->GetRound(ctx.get(), r, &round).error_code();
    }
    if (op == "ListRounds") {
      v1::ListRoundsRequest r;
      r.set_organization_id(branch_);
      v1::ListRoundsResponse out;
      return eval_->ListRounds(ctx.get(), r, &out).error_code();
    }
    if (op == "CloseRound") {
      // A new round per cell, so every allowed caller really closes one.
      v1::CloseRoundRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(MustCreateRound(RoundDraft()).id());
      return eval_->CloseRound(ctx.get(), r, &round).error_code();
    }
    if (op == "SubmitSelfScore") {
      v1::SubmitSelfScoreRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_round_id(round_.id());
      *r.mutable_scores() = Scores(round_, {7, 7});
      return eval_->SubmitSelfScore(ctx.get(), r, &receipt).error_code();
    }
    if (op == "SubmitRating") {
      v1::SubmitRatingRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_round_id(round_.id());
      r.set_subject_id(d2_id_);
      *r.mutable_scores() = Scores(round_, {6, 9});
      return eval_->SubmitRating(ctx.get(), r, &receipt).error_code();
    }
    if (op == "SubmitOverallMark") {
      v1::SubmitOverallMarkRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_round_id(round_.id());
      r.set_subject_id(d2_id_);
      *r.mutable_scores() = Scores(round_, {9, 9});
      return eval_->SubmitOverallMark(ctx.get(), r, &receipt).error_code();
    }
    if (op == "GetRoundResults") {
      v1::GetRoundResultsRequest r;
      r.set_round_id(round_.id());
      v1::RoundResults out;
      return eval_->GetRoundResults(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::map<std::string, std::string> tokens_;
  v1::EvaluationRound round_;
};

TEST_F(EvaluationAuthorizationTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {"CreateRound",       "GetRound",        "ListRounds",
                                        "CloseRound",        "SubmitSelfScore", "SubmitRating",
                                        "SubmitOverallMark", "GetRoundResults"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                            Create    Get       List      Close     Self      Rate      Mark      Results
    {"no token",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"tampered",                 {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"expired",                  {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"anonymous receipt holder", {UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH,   UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"member of group below",    {DENIED,   OK,       DENIED,   DENIED,   OK,       OK,       DENIED,   DENIED}},
    {"employee of group below",  {DENIED,   OK,       DENIED,   DENIED,   DENIED,   OK,       DENIED,   DENIED}},
    {"secretary of branch",      {OK,       OK,       OK,       OK,       OK,       OK,       OK,       OK}},
    {"secretary of sibling",     {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
    {"admin above",              {OK,       OK,       OK,       OK,       DENIED,   DENIED,   OK,       OK}},
    {"service with scope",       {DENIED,   OK,       OK,       DENIED,   DENIED,   DENIED,   DENIED,   OK}},
    {"service without scope",    {DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED,   DENIED}},
  };
  // clang-format on
  ExpectMatrix({"evaluation", ops, table}, [&](const std::string& op, const std::string& caller) {
    return Call(op, tokens_.at(caller));
  });
}

// Anonymous rounds: the round's raters take one ballot each (IssueBallot, authenticated);
// SubmitBallotRating takes no token at all, so every row, signed in or not, rates with the
// same valid ballot (the ballot is the credential, and the one it rates with is replaced).
TEST_F(EvaluationAuthorizationTest, Ballots) {
  v1::EvaluationRound draft;
  draft.set_organization_id(branch_);
  draft.set_title("职工评议支部");
  draft.set_period_label("2026H2");
  auto round = MustCreateRound(draft, v1::EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY);
  auto ballot = TakeBallot(d2_, round);
  const std::vector<std::string> ops = {"IssueBallot", "SubmitBallotRating"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH,   OK}},
    {"tampered",                 {UNAUTH,   OK}},
    {"expired",                  {UNAUTH,   OK}},
    {"anonymous receipt holder", {UNAUTH,   OK}},
    {"other tenant admin",       {NOTFOUND, OK}},
    {"member of group below",    {OK,       OK}},
    {"employee of group below",  {OK,       OK}},
    {"secretary of branch",      {OK,       OK}},
    {"secretary of sibling",     {DENIED,   OK}},
    {"admin above",              {DENIED,   OK}},
    {"service with scope",       {DENIED,   OK}},
    {"service without scope",    {DENIED,   OK}},
  };
  // clang-format on
  ExpectMatrix({"evaluation-ballots", ops, table},
               [&](const std::string& op, const std::string& caller) {
                 auto ctx = Ctx(tokens_.at(caller));
                 if (op == "IssueBallot") {
                   v1::IssueBallotRequest r;
                   r.set_round_id(round.id());
                   r.set_blinded_token(clients::Blind(round.ballot_public_key())->blinded);
                   v1::IssueBallotResponse out;
                   return eval_->IssueBallot(ctx.get(), r, &out).error_code();
                 }
                 v1::SubmitBallotRatingRequest r;
                 r.set_round_id(round.id());
                 r.set_subject_id(branch_);
                 *r.mutable_scores() = Scores(round, {4, 4, 4, 4});
                 r.mutable_ballot()->set_token(ballot.token);
                 r.mutable_ballot()->set_signature(ballot.signature);
                 v1::SubmissionReceipt out;
                 return eval_->SubmitBallotRating(ctx.get(), r, &out).error_code();
               });
}

// The CSV export: the readers of all results (managers of the organisation or above,
// SCOPE_EVALUATION_READ services), not the subjects.
TEST_F(EvaluationAuthorizationTest, Export) {
  const std::vector<std::string> ops = {"ExportRoundResults"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    {"no token",                 {UNAUTH}},
    {"tampered",                 {UNAUTH}},
    {"expired",                  {UNAUTH}},
    {"anonymous receipt holder", {UNAUTH}},
    {"other tenant admin",       {NOTFOUND}},
    {"member of group below",    {DENIED}},
    {"employee of group below",  {DENIED}},
    {"secretary of branch",      {OK}},
    {"secretary of sibling",     {DENIED}},
    {"admin above",              {OK}},
    {"service with scope",       {OK}},
    {"service without scope",    {DENIED}},
  };
  // clang-format on
  ExpectMatrix({"evaluation-export", ops, table},
               [&](const std::string&, const std::string& caller) {
                 auto ctx = Ctx(tokens_.at(caller));
                 v1::ExportRoundResultsRequest r;
                 r.set_round_id(round_.id());
                 auto reader = eval_->ExportRoundResults(ctx.get(), r);
                 return StreamCellCode(*ctx, *reader);
               });
}

}  // namespace
}  // namespace branchline::testing
