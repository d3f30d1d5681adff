// Anonymous rounds through the real server: ballots (RSA blind signatures) taken once, a
// rating per ballot and subject that its ballot replaces, forged and foreign ballots refused;
// then the database, the change log and the log output are searched byte by byte for
// anything that ties a rating to its rater.
#include <gtest/gtest.h>

#include <sstream>

#include "branchline/internal/v1/evaluation_records.pb.h"
#include "branchline/internal/v1/records.pb.h"
#include "services/common/local_day.h"
#include "spdlog/spdlog.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/services/evaluation_fixture.h"
#include "tests/support/id_encodings.h"

namespace branchline::testing {
namespace {

class EvaluationAnonymityTest : public EvaluationTest {
 protected:
  // The half-yearly staff rating of the branch: anonymous, all staff rate, one subject.
  v1::EvaluationRound BranchRound() {
    v1::EvaluationRound draft;
    draft.set_organization_id(branch_);
    draft.set_title("2026年下半年职工评议支部工作");
    draft.set_period_label("2026H2");
    return MustCreateRound(draft, v1::EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY);
  }
};

TEST_F(EvaluationAnonymityTest, BallotsAreTakenOnceAndRateOncePerSubject) {
  auto round = BranchRound();
  ASSERT_TRUE(round.anonymous());
  // A named rating is refused: the round only takes ballots.
  auto status = Rate(d1_, round, branch_, {5, 5, 5, 5});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ROUND_ANONYMOUS");

  // Taking the ballot: a retry with the same blinded token gets the same signature, another
  // blinded token is refused; outsiders and services take none.
  auto blind = clients::Blind(round.ballot_public_key());
  ASSERT_TRUE(blind);
  v1::IssueBallotRequest issue;
  issue.set_round_id(round.id());
  issue.set_blinded_token(blind->blinded);
  v1::IssueBallotResponse first, again;
  ASSERT_TRUE(eval_->IssueBallot(Ctx(d1_).get(), issue, &first).ok());
  ASSERT_TRUE(eval_->IssueBallot(Ctx(d1_).get(), issue, &again).ok());
  EXPECT_EQ(first.blind_signature(), again.blind_signature());
  auto other = clients::Blind(round.ballot_public_key());
  issue.set_blinded_token(other->blinded);
  status = eval_->IssueBallot(Ctx(d1_).get(), issue, &again);
  EXPECT_EQ(status.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(Reason(status), "BALLOT_ALREADY_ISSUED");
  EXPECT_EQ(eval_->IssueBallot(Ctx(outsider_).get(), issue, &again).error_code(),
            grpc::PERMISSION_DENIED);
  issue.set_blinded_token("short");
  status = eval_->IssueBallot(Ctx(d2_).get(), issue, &again);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "blinded_token");

  auto ballot = clients::Finish(*blind, first.blind_signature());
  ASSERT_TRUE(ballot);
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(RateWithBallot(*ballot, round, branch_, {2, 3, 4, 5}, &receipt).ok());
  EXPECT_FALSE(receipt.replaced());
  ASSERT_TRUE(RateWithBallot(*ballot, round, branch_, {5, 5, 5, 5}, &receipt).ok());
  EXPECT_TRUE(receipt.replaced());
  auto results = MustResults(round.id());
  ASSERT_EQ(results.subjects_size(), 1);
  EXPECT_EQ(results.subjects(0).raters(), 1);
  EXPECT_TRUE(results.subjects(0).too_few_ratings());  // 1 of the default 5
  EXPECT_EQ(results.participating_raters(), 1);        // ballots taken
  EXPECT_EQ(results.eligible_raters(), 4);

  // Forged: a signature of another token, random bytes, a ballot of another round.
  auto forged = *ballot;
  forged.token[0] ^= 1;
  status = RateWithBallot(forged, round, branch_, {5, 5, 5, 5});
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "ballot.signature");
  auto second_round = BranchRound();
  EXPECT_EQ(RateWithBallot(*ballot, second_round, branch_, {5, 5, 5, 5}).error_code(),
            grpc::PERMISSION_DENIED);
  status = RateWithBallot(clients::FinishedBallot{"tiny", "x"}, round, branch_, {5, 5, 5, 5});
  EXPECT_EQ(ViolationField(status), "ballot.token");
  status = RateWithBallot(*ballot, round, d1_id_, {5, 5, 5, 5});
  EXPECT_EQ(ViolationField(status), "subject_id");
  status = RateWithBallot(*ballot, round, branch_, {5, 5, 9, 5});
  EXPECT_EQ(ViolationField(status), "scores[2].score");

  // After the close neither ballots nor ratings.
  ASSERT_TRUE(Close(round.id()).ok());
  status = RateWithBallot(*ballot, round, branch_, {1, 1, 1, 1});
  EXPECT_EQ(Reason(status), "ROUND_CLOSED");
  issue.set_blinded_token(clients::Blind(round.ballot_public_key())->blinded);
  EXPECT_EQ(Reason(eval_->IssueBallot(Ctx(d2_).get(), issue, &again)), "ROUND_CLOSED");
  EXPECT_EQ(MustResults(round.id()).subjects(0).raters(), 1);
}

TEST_F(EvaluationAnonymityTest, NoStoredByteOrLogLineTiesARatingToItsRater) {
  spdlog::set_level(spdlog::level::trace);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();

  auto round = BranchRound();
  // Every staff member rates (the secretary too); d1 changes their mind once.
  std::map<uint64_t, clients::FinishedBallot> ballots;
  for (auto [id, token] : std::vector<std::pair<uint64_t, std::string>>{
           {d1_id_, d1_}, {d2_id_, d2_}, {d3_id_, d3_}, {secretary_id_, secretary_}}) {
    ballots[id] = TakeBallot(token, round);
    ASSERT_TRUE(RateWithBallot(ballots[id], round, branch_, {4, 4, 3, 5}).ok());
  }
  ASSERT_TRUE(RateWithBallot(ballots[d1_id_], round, branch_, {1, 2, 1, 2}).ok());
  const int64_t day = LocalDay(ClockNow(), 480);

  server_.Stop();
  std::string log =
      ::testing::internal::GetCapturedStdout() + ::testing::internal::GetCapturedStderr();
  spdlog::set_level(spdlog::level::warn);

  std::vector<std::string> raters;
  for (uint64_t id : {d1_id_, d2_id_, d3_id_}) {
    auto e = Encodings(id);
    raters.insert(raters.end(), e.begin(), e.end());
  }
  // The access log: no line for the ballot ratings at all; the raters appear only on their
  // (authenticated) IssueBallot lines.
  std::istringstream lines(log);
  int ballot_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find("SubmitBallotRating"), std::string::npos) << line;
    if (line.find("IssueBallot") != std::string::npos) ++ballot_lines;
    if (Mentions(line, {std::to_string(d1_id_), std::to_string(d2_id_)})) {
      EXPECT_NE(line.find("IssueBallot"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(ballot_lines, 4) << log;

  auto store = storage::Store::Open(server_.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  // The round's entries: the rater set ('r') and the ballots taken ('b') name people by
  // design; a submission ('s') names nobody and holds only the local day.
  int submissions = 0, ballots_taken = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kEvaluations,
                         storage::KeyBuilder(storage::TenantOfId(round.id())).U64(round.id()).key(),
                         "",
                         [&](std::string_view key, std::string_view value) {
                           if (key.size() == 12) return true;  // the round record
                           const char tag = key[12];
                           if (tag == 'b') ++ballots_taken;
                           if (tag != 's') return true;
                           ++submissions;
                           EXPECT_FALSE(Mentions(key, raters));
                           EXPECT_FALSE(Mentions(value, raters));
                           internal::v1::EvaluationSubmissionRecord record;
                           EXPECT_TRUE(record.ParseFromArray(value.data(), value.size()));
                           EXPECT_EQ(record.local_day(), day);
                           // Scores and the day: nothing else.
                           internal::v1::EvaluationSubmissionRecord bare;
                           for (int s : record.scores()) bare.add_scores(s);
                           bare.set_local_day(record.local_day());
                           EXPECT_EQ(bare.SerializeAsString(), value);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(submissions, 4);  // one per ballot: d1's second rating replaced the first
  EXPECT_EQ(ballots_taken, 4);
  // No idempotency entry of a rater (ballot ratings have none; IssueBallot needs none).
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kIdempotency, "", "",
                         [&](std::string_view key, std::string_view value) {
                           storage::KeyReader reader(key);
                           reader.U32();
                           const uint64_t caller = reader.U64().value_or(0);
                           EXPECT_TRUE(caller != d1_id_ && caller != d2_id_ && caller != d3_id_);
                           return true;
                         })
                  .ok());
  // The change log has the round's creation (addressed to its raters, before any rating)
  // and nothing about ratings.
  int round_changes = 0;
  ASSERT_TRUE((*store)
                  ->Scan(storage::Cf::kChanges, "", "",
                         [&](std::string_view, std::string_view value) {
                           internal::v1::ChangeRecord change;
                           EXPECT_TRUE(change.ParseFromArray(value.data(), value.size()));
                           if (change.record_id() != round.id()) return true;
                           ++round_changes;
                           EXPECT_EQ(change.action(), "created");
                           return true;
                         })
                  .ok());
  EXPECT_EQ(round_changes, 1);
}

}  // namespace
}  // namespace branchline::testing
