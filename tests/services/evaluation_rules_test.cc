// The pure rules of evaluation rounds (no server): rounding half up, grades, score checks,
// templates, and the blind-signature ballot round trip between the client's half
// (clients/common/blind_ballot.h) and the server's (services/evaluation/ballot_keys.h).
#include "services/evaluation/evaluation_rules.h"

#include <gtest/gtest.h>

#include "clients/common/blind_ballot.h"
#include "services/common/clock.h"
#include "services/evaluation/ballot_keys.h"

namespace branchline::evaluation {
namespace {

v1::EvaluationRound Round() {
  v1::EvaluationRound r;
  r.set_title("测评");
  r.set_period_label("2026");
  EXPECT_TRUE(ApplyTemplate(v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY, 1'000'000, r).ok());
  EXPECT_TRUE(CheckRound(r, 1'000'000).ok());
  return r;
}

TEST(EvaluationRulesTest, RoundsHalfUp) {
  EXPECT_DOUBLE_EQ(RoundHalfUp2(0.125), 0.13);
  EXPECT_DOUBLE_EQ(RoundHalfUp2(2.675), 2.68);  // stored as 2.67499999...
  EXPECT_DOUBLE_EQ(RoundHalfUp2(74.994), 74.99);
  EXPECT_DOUBLE_EQ(RoundHalfUp2(200.0 / 3), 66.67);
  EXPECT_DOUBLE_EQ(RoundHalfUp2(100.0 / 3), 33.33);
}

TEST(EvaluationRulesTest, GradesByTheRoundedScore) {
  auto round = Round();
  EXPECT_EQ(GradeOf(round, 90), "优秀");
  EXPECT_EQ(GradeOf(round, 89.99), "合格");
  EXPECT_EQ(GradeOf(round, 75), "合格");
  EXPECT_EQ(GradeOf(round, 60), "基本合格");
  EXPECT_EQ(GradeOf(round, 59.99), "不合格");
  EXPECT_EQ(GradeOf(round, 0), "不合格");
}

TEST(EvaluationRulesTest, WeightedScoreOfAveragedScores) {
  auto round = Round();  // five criteria, weight 20 each, 0..10
  EXPECT_DOUBLE_EQ(WeightedScore(round, std::vector<int32_t>{10, 10, 10, 10, 10}), 100);
  EXPECT_DOUBLE_EQ(WeightedScore(round, std::vector<int32_t>{10, 0, 5, 5, 5}), 50);
  // Two raters: averages 7.5, 2.5, 5, 5, 5 of 10, equally weighted: 25 of 50.
  ScoreSums sums{{15, 5, 10, 10, 10}, 2};
  EXPECT_DOUBLE_EQ(WeightedScore(round, sums), 50);
  EXPECT_DOUBLE_EQ(WeightedScore(round, ScoreSums{{0, 0, 0, 0, 0}, 0}), 0);
}

TEST(EvaluationRulesTest, ScoresCoverEveryCriterionOnItsScale) {
  auto round = Round();
  google::protobuf::RepeatedPtrField<v1::CriterionScore> scores;
  for (const auto& c : round.criteria()) {
    auto* s = scores.Add();
    s->set_criterion(c.name());
    s->set_score(7);
  }
  std::swap(*scores.Mutable(0), *scores.Mutable(4));  // any order
  auto ok = CheckScores(round, scores);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<int32_t>{7, 7, 7, 7, 7}));
  scores.Mutable(2)->set_score(-1);
  EXPECT_EQ(CheckScores(round, scores).status().code(), absl::StatusCode::kInvalidArgument);
  scores.Mutable(2)->set_score(7);
  scores.RemoveLast();
  EXPECT_EQ(CheckScores(round, scores).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EvaluationRulesTest, OpenAndClosed) {
  auto round = Round();
  const int64_t open = ToMicros(round.open_time()), close = ToMicros(round.close_time());
  EXPECT_TRUE(CheckOpen(round, open).ok());
  EXPECT_FALSE(CheckOpen(round, open - 1).ok());
  EXPECT_FALSE(CheckOpen(round, close).ok());
  EXPECT_FALSE(IsClosed(round, close - 1));
  *round.mutable_closed_time() = ToTimestamp(open + 1);
  EXPECT_TRUE(IsClosed(round, open + 2));
}

TEST(EvaluationBallotTest, BlindSignatureRoundTrip) {
  auto key = NewBallotKey();
  ASSERT_TRUE(key.ok()) << key.status();
  auto blind = clients::Blind(key->public_der);
  ASSERT_TRUE(blind);
  auto signed_blind = SignBlinded(key->private_der, blind->blinded);
  ASSERT_TRUE(signed_blind.ok()) << signed_blind.status();
  auto ballot = clients::Finish(*blind, *signed_blind);
  ASSERT_TRUE(ballot);
  EXPECT_TRUE(VerifyBallot(key->public_der, ballot->token, ballot->signature));
  // The server saw neither the token nor its signature.
  EXPECT_EQ(blind->blinded.find(ballot->token), std::string::npos);
  EXPECT_NE(*signed_blind, ballot->signature);
  // Another token, a damaged signature, another round's key: refused.
  std::string token = ballot->token;
  token[0] ^= 1;
  EXPECT_FALSE(VerifyBallot(key->public_der, token, ballot->signature));
  std::string signature = ballot->signature;
  signature[10] ^= 1;
  EXPECT_FALSE(VerifyBallot(key->public_der, ballot->token, signature));
  auto other = NewBallotKey();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(VerifyBallot(other->public_der, ballot->token, ballot->signature));
  // A signature made with another key does not finish; a blinded value of the wrong size or
  // not below the modulus is refused.
  auto wrong = SignBlinded(other->private_der, blind->blinded);
  if (wrong.ok()) {
    EXPECT_FALSE(clients::Finish(*blind, *wrong));
  }
  EXPECT_EQ(SignBlinded(key->private_der, "short").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      SignBlinded(key->private_der, std::string(blind->blinded.size(), '\xff')).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace branchline::evaluation
