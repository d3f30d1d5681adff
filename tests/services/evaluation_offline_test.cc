// Self scores and named ratings queued by a phone that was out of coverage, uploaded with
// UploadActions: each answered like its own RPC, judged by when it arrives.
#include <gtest/gtest.h>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/evaluation_fixture.h"

namespace branchline::testing {
namespace {

class EvaluationOfflineTest : public EvaluationTest {
 protected:
  void SetUp() override {
    EvaluationTest::SetUp();
    sync_ = v1::SyncService::NewStub(server_.channel());
  }

  static v1::OfflineAction SelfScore(const v1::EvaluationRound& round,
                                     const std::vector<int>& values) {
    v1::OfflineAction a;
    auto* r = a.mutable_self_score();
    r->set_request_id(TestServer::RequestId());
    r->set_round_id(round.id());
    *r->mutable_scores() = Scores(round, values);
    return a;
  }
  static v1::OfflineAction Rating(const v1::EvaluationRound& round, uint64_t subject,
                                  const std::vector<int>& values) {
    v1::OfflineAction a;
    auto* r = a.mutable_rating();
    r->set_request_id(TestServer::RequestId());
    r->set_round_id(round.id());
    r->set_subject_id(subject);
    *r->mutable_scores() = Scores(round, values);
    return a;
  }
  v1::UploadActionsResponse MustUpload(const std::string& token,
                                       const std::vector<v1::OfflineAction>& actions) {
    v1::UploadActionsRequest request;
    for (const auto& a : actions) *request.add_actions() = a;
    v1::UploadActionsResponse out;
    auto status = sync_->UploadActions(Ctx(token).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.results_size(), request.actions_size());
    return out;
  }
  // The refusal of one failed action, read like an RPC's.
  static RefusalDetails FailureOf(const v1::ActionResult& result) {
    EXPECT_EQ(result.outcome(), v1::ACTION_OUTCOME_FAILED);
    grpc::Status status(static_cast<grpc::StatusCode>(result.error().code()),
                        result.error().message(), result.error().SerializeAsString());
    return DetailsOf(status);
  }

  std::unique_ptr<v1::SyncService::Stub> sync_;
};

TEST_F(EvaluationOfflineTest, AQueuedSelfScoreAndRatingsCountAndARetryIsAlreadyDone) {
  auto round = MustCreateRound(RoundDraft());
  const std::vector<v1::OfflineAction> queue = {SelfScore(round, {9, 8}),
                                                Rating(round, d2_id_, {8, 10})};
  auto first = MustUpload(d1_, queue);
  for (const auto& result : first.results()) {
    EXPECT_EQ(result.outcome(), v1::ACTION_OUTCOME_DONE) << result.error().message();
  }
  ASSERT_TRUE(first.results(0).has_self_score());
  ASSERT_TRUE(first.results(1).has_rating());
  EXPECT_EQ(first.results(1).rating().round_id(), round.id());
  EXPECT_FALSE(first.results(1).rating().replaced());

  // The answer was lost on a bad network: the phone sends the same queue again.
  auto again = MustUpload(d1_, queue);
  for (int i = 0; i < again.results_size(); ++i) {
    EXPECT_EQ(again.results(i).outcome(), v1::ACTION_OUTCOME_ALREADY_DONE) << i;
  }
  EXPECT_EQ(again.results(1).rating().SerializeAsString(),
            first.results(1).rating().SerializeAsString());

  // Counted once: one rater, the scores as queued (60 % × 8/10 + 40 % × 10/10 = 88).
  auto results = MustResults(round.id());
  const auto* d2 = Find(results, d2_id_);
  ASSERT_NE(d2, nullptr);
  EXPECT_EQ(d2->raters(), 1);
  EXPECT_DOUBLE_EQ(d2->rater_score(), 88);
  EXPECT_EQ(results.participating_raters(), 1);
  const auto* d1 = Find(results, d1_id_);
  ASSERT_NE(d1, nullptr);
  EXPECT_TRUE(d1->has_self_score());
}

TEST_F(EvaluationOfflineTest, ARatingThatArrivesAfterTheCloseIsRefusedAndTheRestOfTheQueueGoesOn) {
  auto round = MustCreateRound(RoundDraft());
  auto late = MustCreateRound(RoundDraft());
  ASSERT_TRUE(Close(late.id()).ok());
  auto bad = Rating(round, d2_id_, {8, 10});
  bad.mutable_rating()->mutable_scores(0)->set_score(11);  // past the scale's 10
  auto response = MustUpload(d1_, {Rating(late, d2_id_, {7, 7}), bad, Rating(round, d2_id_, {5, 5}),
                                   Rating(round, 999999, {5, 5})});
  auto closed = FailureOf(response.results(0));
  EXPECT_EQ(response.results(0).error().code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(closed.reason, "ROUND_CLOSED");
  auto out_of_scale = FailureOf(response.results(1));
  EXPECT_EQ(response.results(1).error().code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(out_of_scale.field, "scores[0].score");
  EXPECT_EQ(response.results(2).outcome(), v1::ACTION_OUTCOME_DONE);
  FailureOf(response.results(3));
  EXPECT_NE(response.results(3).error().code(), grpc::INTERNAL);
  EXPECT_EQ(Find(MustResults(round.id()), d2_id_)->raters(), 1);

  // Someone who is not a rater of the round cannot rate by queueing it either.
  auto outsider = MustUpload(outsider_, {Rating(round, d2_id_, {1, 1})});
  FailureOf(outsider.results(0));
  EXPECT_EQ(outsider.results(0).error().code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Find(MustResults(round.id()), d2_id_)->raters(), 1);
}

}  // namespace
}  // namespace branchline::testing
