// Evaluation rounds through the real server: templates, idempotent creation, bad input naming
// its field, the phase order and every refusal, one rating per rater (changeable until the
// close), the minimum-raters rule, a subject's own result, and the CSV export.
#include <gmock/gmock.h>

#include <map>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/evaluation_fixture.h"

namespace branchline::testing {
namespace {

// `draft` turned into a rating of organisation `org` itself by `rater` alone.
v1::EvaluationRound GroupRatedBy(v1::EvaluationRound draft, uint64_t org, uint64_t rater) {
  draft.set_organization_id(org);
  draft.set_subject_kind(v1::EVALUATION_SUBJECT_KIND_ORGANIZATION);
  draft.clear_phases();
  draft.add_phases(v1::EVALUATION_PHASE_RATERS);
  draft.set_rater_kind(v1::EVALUATION_RATER_KIND_NAMED);
  draft.add_rater_person_ids(rater);
  return draft;
}

// Where `token`'s pulls of the change feed start now (an empty cursor answers the current end).
std::string CursorNow(v1::SyncService::Stub& sync, const std::string& token) {
  v1::ListChangesRequest r;
  v1::ListChangesResponse out;
  EXPECT_TRUE(sync.ListChanges(TestServer::Ctx(token).get(), r, &out).ok());
  return out.next_cursor();
}

using ::testing::HasSubstr;

TEST_F(EvaluationTest, TemplatesFillTheSeedPractices) {
  v1::EvaluationRound draft;
  draft.set_organization_id(branch_);
  draft.set_title("第三季度五比五看");
  draft.set_period_label("2026Q3");
  auto five = MustCreateRound(draft, v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY);
  ASSERT_EQ(five.criteria_size(), 5);
  EXPECT_EQ(five.criteria(0).name(), "比学习");
  EXPECT_EQ(five.criteria(4).name(), "比爱心");
  EXPECT_EQ(five.criteria(2).weight(), 20);
  EXPECT_EQ(five.phases_size(), 2);
  EXPECT_FALSE(five.anonymous());
  EXPECT_EQ(five.min_raters(), 5);
  EXPECT_EQ(five.template_kind(), v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY);
  ASSERT_EQ(five.grade_bands_size(), 4);
  EXPECT_EQ(five.grade_bands(0).name(), "优秀");
  EXPECT_EQ(five.grade_bands(3).min_score(), 0);
  // The branch's members, the employee d3 is not one.
  EXPECT_THAT(five.subject_ids(), ::testing::UnorderedElementsAre(secretary_id_, d1_id_, d2_id_));
  EXPECT_EQ(ToMicros(five.close_time()) - ToMicros(five.open_time()), 14 * kEvalDay);

  draft.set_title("上半年职工评议支部");
  auto branch = MustCreateRound(draft, v1::EVALUATION_TEMPLATE_BRANCH_HALF_YEARLY);
  EXPECT_TRUE(branch.anonymous());
  EXPECT_FALSE(branch.ballot_public_key().empty());
  EXPECT_THAT(branch.subject_ids(), ::testing::ElementsAre(branch_));
  EXPECT_EQ(branch.criteria(0).scale_max(), 5);

  draft.set_title("年度民主评议");
  auto yearly = MustCreateRound(draft, v1::EVALUATION_TEMPLATE_MEMBER_DEMOCRATIC_YEARLY);
  EXPECT_EQ(yearly.phases_size(), 3);
  EXPECT_EQ(yearly.rater_kind(), v1::EVALUATION_RATER_KIND_MEMBERS);
  draft.set_title("承诺测评");
  auto commitments = MustCreateRound(draft, v1::EVALUATION_TEMPLATE_COMMITMENT_QUARTERLY);
  EXPECT_EQ(commitments.rater_kind(), v1::EVALUATION_RATER_KIND_ALL_STAFF);

  // Listed newest first, to the branch's managers; d1 sees the rounds they take part in.
  v1::ListRoundsRequest list;
  list.set_organization_id(branch_);
  list.set_page_size(3);
  v1::ListRoundsResponse page;
  ASSERT_TRUE(eval_->ListRounds(Ctx(secretary_).get(), list, &page).ok());
  ASSERT_EQ(page.rounds_size(), 3);
  EXPECT_EQ(page.rounds(0).id(), commitments.id());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(eval_->ListRounds(Ctx(secretary_).get(), list, &page).ok());
  ASSERT_EQ(page.rounds_size(), 1);
  EXPECT_EQ(page.rounds(0).id(), five.id());
  EXPECT_TRUE(page.next_page_token().empty());
  v1::ListRoundsRequest mine;
  mine.set_mine(true);
  ASSERT_TRUE(eval_->ListRounds(Ctx(d3_).get(), mine, &page).ok());
  // d3 (an employee) rates in the staff rounds only, and is nobody's subject.
  EXPECT_EQ(page.rounds_size(), 3);
}

TEST_F(EvaluationTest, CreateRoundIsIdempotent) {
  v1::CreateRoundRequest r;
  r.set_request_id("round-2026-members");
  *r.mutable_round() = RoundDraft();
  v1::EvaluationRound first, again;
  ASSERT_TRUE(eval_->CreateRound(Ctx(secretary_).get(), r, &first).ok());
  ASSERT_TRUE(eval_->CreateRound(Ctx(secretary_).get(), r, &again).ok());
  EXPECT_EQ(first.id(), again.id());
  r.mutable_round()->set_title("另一轮");
  auto status = eval_->CreateRound(Ctx(secretary_).get(), r, &again);
  EXPECT_EQ(status.error_code(), grpc::ALREADY_EXISTS);
  v1::ListRoundsRequest list;
  list.set_organization_id(branch_);
  v1::ListRoundsResponse page;
  ASSERT_TRUE(eval_->ListRounds(Ctx(secretary_).get(), list, &page).ok());
  EXPECT_EQ(page.rounds_size(), 1);
}

TEST_F(EvaluationTest, BadRoundsNameTheirField) {
  struct Case {
    std::string field;
    std::function<void(v1::EvaluationRound&)> spoil;
  };
  const std::vector<Case> cases = {
      {"round.title", [](auto& r) { r.set_title(" "); }},
      {"round.period_label", [](auto& r) { r.set_period_label(std::string(41, 'x')); }},
      {"round.subject_kind", [](auto& r) { r.clear_subject_kind(); }},
      {"round.criteria", [](auto& r) { r.clear_criteria(); }},
      {"round.criteria[0].weight", [](auto& r) { r.mutable_criteria(0)->set_weight(0); }},
      {"round.criteria[1].scale_max", [](auto& r) { r.mutable_criteria(1)->set_scale_max(0); }},
      {"round.criteria[1].name", [](auto& r) { r.mutable_criteria(1)->set_name("比学习"); }},
      {"round.phases",
       [](auto& r) {
         r.clear_phases();
         r.add_phases(v1::EVALUATION_PHASE_OVERALL_MARK);
         r.add_phases(v1::EVALUATION_PHASE_SELF_SCORE);
       }},
      {"round.phases",
       [](auto& r) { r.set_subject_kind(v1::EVALUATION_SUBJECT_KIND_ORGANIZATION); }},
      {"round.rater_kind", [](auto& r) { r.clear_rater_kind(); }},
      {"round.close_time", [](auto& r) { *r.mutable_close_time() = r.open_time(); }},
      {"round.grade_bands",
       [](auto& r) {
         auto* b = r.add_grade_bands();
         b->set_name("好");
         b->set_min_score(50);
       }},
      {"round.min_raters", [](auto& r) { r.set_min_raters(-1); }},
      {"round.rater_person_ids", [](auto& r) { r.add_rater_person_ids(1); }},
  };
  for (const auto& c : cases) {
    auto draft = RoundDraft();
    c.spoil(draft);
    v1::EvaluationRound out;
    auto status = CreateRound(draft, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(ViolationField(status), c.field) << status.error_message();
  }
  // Named raters must be people of the subtree.
  auto draft = RoundDraft();
  draft.set_rater_kind(v1::EVALUATION_RATER_KIND_NAMED);
  draft.add_rater_person_ids(outsider_id_);
  v1::EvaluationRound out;
  auto status = CreateRound(draft, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "round.rater_person_ids");
  v1::CreateRoundRequest unknown;
  unknown.set_request_id(TestServer::RequestId());
  *unknown.mutable_round() = RoundDraft();
  unknown.set_template_kind(static_cast<v1::EvaluationTemplate>(42));
  status = eval_->CreateRound(Ctx(secretary_).get(), unknown, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "template_kind");
  // Nothing was written by any of them.
  v1::ListRoundsRequest list;
  list.set_organization_id(branch_);
  v1::ListRoundsResponse page;
  ASSERT_TRUE(eval_->ListRounds(Ctx(secretary_).get(), list, &page).ok());
  EXPECT_EQ(page.rounds_size(), 0);
}

TEST_F(EvaluationTest, PhasesInOrderAndEveryRefusal) {
  auto round = MustCreateRound(RoundDraft());
  // The overall mark waits for the self score.
  auto status = Mark(secretary_, round, d1_id_, {8, 8});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "SELF_SCORE_REQUIRED");
  // Self scores: the subject only.
  EXPECT_EQ(Self(d3_, round, {5, 5}).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Self(outsider_, round, {5, 5}).error_code(), grpc::PERMISSION_DENIED);
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(Self(d1_, round, {9, 9}, &receipt).ok());
  EXPECT_FALSE(receipt.replaced());
  ASSERT_TRUE(Self(d1_, round, {9, 8}, &receipt).ok());
  EXPECT_TRUE(receipt.replaced());
  // Scores: known criteria, within the scale, each once, all given.
  status = Self(d2_, round, {11, 5});
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "scores[0].score");
  v1::SubmitSelfScoreRequest odd;
  odd.set_request_id(TestServer::RequestId());
  odd.set_round_id(round.id());
  auto* s = odd.add_scores();
  s->set_criterion("比爱心");
  s->set_score(5);
  v1::SubmissionReceipt ignored;
  status = eval_->SubmitSelfScore(Ctx(d2_).get(), odd, &ignored);
  EXPECT_EQ(ViolationField(status), "scores[0].criterion");
  s->set_criterion("比学习");
  status = eval_->SubmitSelfScore(Ctx(d2_).get(), odd, &ignored);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "scores");
  *odd.add_scores() = odd.scores(0);
  odd.set_request_id(TestServer::RequestId());
  status = eval_->SubmitSelfScore(Ctx(d2_).get(), odd, &ignored);
  EXPECT_EQ(ViolationField(status), "scores[1].criterion");

  // Overall mark: managers, never of themselves, not by a member.
  EXPECT_EQ(Mark(d2_, round, d1_id_, {8, 8}).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Self(secretary_, round, {10, 10}).ok());
  EXPECT_EQ(Mark(secretary_, round, secretary_id_, {8, 8}).error_code(), grpc::PERMISSION_DENIED);
  status = Mark(secretary_, round, d3_id_, {8, 8});
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "subject_id");
  ASSERT_TRUE(Mark(secretary_, round, d1_id_, {8, 7}).ok());
  // After the mark, the self score is final.
  status = Self(d1_, round, {10, 10});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ALREADY_MARKED");

  // Ratings: raters only, not of themselves, subjects of the round only.
  EXPECT_EQ(Rate(outsider_, round, d1_id_, {5, 5}).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Rate(d1_, round, d1_id_, {5, 5}).error_code(), grpc::PERMISSION_DENIED);
  status = Rate(d1_, round, d3_id_, {5, 5});
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "subject_id");
  status = Rate(d1_, round, 0, {5, 5});
  EXPECT_EQ(ViolationField(status), "subject_id");
  ASSERT_TRUE(Rate(d3_, round, d1_id_, {6, 7}).ok());
  // A named round takes no ballots.
  v1::IssueBallotRequest ballot;
  ballot.set_round_id(round.id());
  ballot.set_blinded_token(std::string(256, 'x'));
  v1::IssueBallotResponse issued;
  status = eval_->IssueBallot(Ctx(d3_).get(), ballot, &issued);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ROUND_NOT_ANONYMOUS");
  // Unknown and foreign rounds.
  v1::SubmitRatingRequest missing;
  missing.set_request_id(TestServer::RequestId());
  missing.set_round_id(round.id() + 1000);
  status = eval_->SubmitRating(Ctx(d1_).get(), missing, &ignored);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(ViolationField(status), "round_id");
  missing.set_round_id(0);
  EXPECT_EQ(eval_->SubmitRating(Ctx(d1_).get(), missing, &ignored).error_code(),
            grpc::INVALID_ARGUMENT);

  // A round without a self-score phase refuses self scores.
  auto draft = RoundDraft();
  draft.clear_phases();
  draft.add_phases(v1::EVALUATION_PHASE_RATERS);
  auto raters_only = MustCreateRound(draft);
  status = Self(d1_, raters_only, {5, 5});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "PHASE_NOT_IN_ROUND");
  EXPECT_EQ(Reason(Mark(secretary_, raters_only, d1_id_, {5, 5})), "PHASE_NOT_IN_ROUND");

  // Nothing before the opening.
  draft = RoundDraft();
  *draft.mutable_open_time() = ToTimestamp(ClockNow() + kEvalDay);
  auto later = MustCreateRound(draft);
  status = Rate(d3_, later, d1_id_, {5, 5});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ROUND_NOT_OPEN");
  EXPECT_EQ(Reason(Self(d1_, later, {5, 5})), "ROUND_NOT_OPEN");
}

TEST_F(EvaluationTest, OneRatingPerRaterChangeableUntilTheClose) {
  auto round = MustCreateRound(RoundDraft());
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(Rate(d1_, round, d2_id_, {5, 5}, &receipt).ok());
  EXPECT_FALSE(receipt.replaced());
  ASSERT_TRUE(Rate(d1_, round, d2_id_, {8, 10}, &receipt).ok());
  EXPECT_TRUE(receipt.replaced());
  auto results = MustResults(round.id());
  const auto* d2 = Find(results, d2_id_);
  ASSERT_NE(d2, nullptr);
  EXPECT_EQ(d2->raters(), 1);
  ASSERT_EQ(d2->criteria_size(), 2);
  EXPECT_DOUBLE_EQ(d2->criteria(0).average(), 8);
  // 60 % × 8/10 + 40 % × 10/10 = 88.
  EXPECT_DOUBLE_EQ(d2->rater_score(), 88);
  EXPECT_EQ(d2->final_grade(), "合格");
  EXPECT_EQ(results.participating_raters(), 1);
  EXPECT_EQ(results.eligible_raters(), 4);
  EXPECT_EQ(results.participation_percent(), 25);

  // Closed early by a manager (not by a member); a retry answers it unchanged.
  EXPECT_EQ(Close(round.id(), d1_).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Close(round.id()).ok());
  ASSERT_TRUE(Close(round.id()).ok());
  auto status = Rate(d1_, round, d2_id_, {1, 1});
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ROUND_CLOSED");
  EXPECT_DOUBLE_EQ(Find(MustResults(round.id()), d2_id_)->rater_score(), 88);

  // And at the closing time by itself.
  auto other = MustCreateRound(RoundDraft());
  ASSERT_TRUE(Rate(d1_, other, d2_id_, {5, 5}).ok());
  EvaluationClock().Advance(7 * kEvalDay);
  status = Rate(d1_, other, d2_id_, {6, 6});
  EXPECT_EQ(Reason(status), "ROUND_CLOSED");
  EXPECT_EQ(Reason(Self(d1_, other, {6, 6})), "ROUND_CLOSED");
  EXPECT_TRUE(MustResults(other.id()).closed());
}

TEST_F(EvaluationTest, ResultsHiddenUntilTheMinimumRaters) {
  auto draft = RoundDraft();
  draft.set_min_raters(3);
  auto round = MustCreateRound(draft);
  ASSERT_TRUE(Rate(d2_, round, d1_id_, {10, 10}).ok());
  ASSERT_TRUE(Rate(d3_, round, d1_id_, {6, 5}).ok());
  auto results = MustResults(round.id());
  const auto* d1 = Find(results, d1_id_);
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->raters(), 2);
  EXPECT_TRUE(d1->too_few_ratings());
  EXPECT_EQ(d1->criteria_size(), 0);
  EXPECT_EQ(d1->distribution_size(), 0);
  EXPECT_EQ(d1->rater_score(), 0);
  EXPECT_TRUE(d1->final_grade().empty());
  ASSERT_TRUE(Rate(secretary_, round, d1_id_, {5, 6}).ok());
  d1 = Find(results = MustResults(round.id()), d1_id_);
  EXPECT_FALSE(d1->too_few_ratings());
  // Averages 7 and 7: 70 points, 基本合格; the raters' own totals 100, 56, 54.
  EXPECT_DOUBLE_EQ(d1->criteria(0).average(), 7);
  EXPECT_DOUBLE_EQ(d1->criteria(0).weighted_points(), 42);
  EXPECT_DOUBLE_EQ(d1->rater_score(), 70);
  EXPECT_EQ(d1->final_grade(), "基本合格");
  std::map<std::string, int> spread;
  for (const auto& g : d1->distribution()) spread[g.grade()] = g.raters();
  EXPECT_EQ(spread["优秀"], 1);
  EXPECT_EQ(spread["不合格"], 2);
  // The overall mark, once given, is the final score.
  ASSERT_TRUE(Self(d1_, round, {9, 9}).ok());
  ASSERT_TRUE(Mark(secretary_, round, d1_id_, {9, 10}).ok());
  d1 = Find(results = MustResults(round.id()), d1_id_);
  EXPECT_DOUBLE_EQ(d1->self_score(), 90);
  EXPECT_DOUBLE_EQ(d1->overall_mark(), 94);
  EXPECT_DOUBLE_EQ(d1->final_score(), 94);
  EXPECT_EQ(d1->final_grade(), "优秀");
}

TEST_F(EvaluationTest, SubjectsReadTheirOwnResultOnceClosed) {
  auto round = MustCreateRound(RoundDraft());
  ASSERT_TRUE(Rate(d2_, round, d1_id_, {7, 7}).ok());
  v1::RoundResults out;
  auto status = Results(d1_, round.id(), &out, d1_id_);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "ROUND_NOT_CLOSED");
  ASSERT_TRUE(Close(round.id()).ok());
  ASSERT_TRUE(Results(d1_, round.id(), &out, d1_id_).ok());
  ASSERT_EQ(out.subjects_size(), 1);
  EXPECT_DOUBLE_EQ(out.subjects(0).rater_score(), 70);
  EXPECT_EQ(Results(d1_, round.id(), &out, d2_id_).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Results(d1_, round.id(), &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Results(d3_, round.id(), &out).error_code(), grpc::PERMISSION_DENIED);
}

TEST_F(EvaluationTest, ExportsTheResultsAsCsv) {
  auto round = MustCreateRound(RoundDraft());
  ASSERT_TRUE(Rate(d2_, round, d1_id_, {7, 8}).ok());
  grpc::Status status;
  std::string csv = ExportCsv(round.id(), &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(csv, HasSubstr("对象编号,对象,评价人数,比学习平均分,比贡献平均分,评价得分"));
  EXPECT_THAT(csv,
              HasSubstr(std::to_string(d1_id_) + ",张师傅,1,7.00,8.00,74.00,,,74.00,基本合格"));
  EXPECT_THAT(csv, HasSubstr("参评人数 1/4"));
  ExportCsv(round.id(), &status, d1_);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
}

// A new round is in the change feed of its raters and subjects only: a driver of the same
// group who neither rates nor is rated is not told of it.
TEST_F(EvaluationTest, OnlyItsRatersAndSubjectsAreToldOfANewRound) {
  auto sync = v1::SyncService::NewStub(server_.channel());
  const std::string d1_cursor = CursorNow(*sync, d1_), d2_cursor = CursorNow(*sync, d2_);
  auto draft = GroupRatedBy(RoundDraft(), group_, d1_id_);
  auto round = MustCreateRound(draft);
  auto told = [&](const std::string& token, const std::string& from) {
    v1::ListChangesRequest r;
    r.set_cursor(from);
    r.set_page_size(1000);
    v1::ListChangesResponse out;
    EXPECT_TRUE(sync->ListChanges(Ctx(token).get(), r, &out).ok());
    for (const auto& c : out.changes()) {
      if (c.kind() == "evaluation_round" && c.record_id() == round.id()) return true;
    }
    return false;
  };
  EXPECT_TRUE(told(d1_, d1_cursor));
  EXPECT_FALSE(told(d2_, d2_cursor));
  // Nor may d2 read it.
  v1::GetRoundRequest get;
  get.set_id(round.id());
  v1::EvaluationRound out;
  EXPECT_EQ(eval_->GetRound(Ctx(d2_).get(), get, &out).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(eval_->GetRound(Ctx(d1_).get(), get, &out).ok());
}

// A round that opens later is in its raters' feed twice: when it is created, and again when it
// opens (the publication pass after open_time, dated open_time), still to its raters only.
class ScheduledRoundTest : public EvaluationTest {
 protected:
  ScheduledRoundTest()
      : EvaluationTest([](ServerOptions& o) { o.publication_clock = &EvaluationClock(); }) {}
};

TEST_F(ScheduledRoundTest, ItsRatersAreToldAgainWhenItOpens) {
  auto sync = v1::SyncService::NewStub(server_.channel());
  const std::map<std::string, std::string> cursors = {{d1_, CursorNow(*sync, d1_)},
                                                      {d2_, CursorNow(*sync, d2_)}};
  auto actions = [&](const std::string& token, uint64_t round_id) {
    v1::ListChangesRequest r;
    r.set_cursor(cursors.at(token));
    r.set_page_size(1000);
    v1::ListChangesResponse out;
    EXPECT_TRUE(sync->ListChanges(Ctx(token).get(), r, &out).ok());
    std::vector<std::pair<std::string, int64_t>> seen;  // action, commit time
    for (const auto& c : out.changes()) {
      if (c.kind() == "evaluation_round" && c.record_id() == round_id) {
        seen.emplace_back(c.action(), ToMicros(c.commit_time()));
      }
    }
    return seen;
  };
  auto draft = GroupRatedBy(RoundDraft(), group_, d1_id_);
  const int64_t opens = ClockNow() + kEvalDay;
  *draft.mutable_open_time() = ToTimestamp(opens);
  *draft.mutable_close_time() = ToTimestamp(opens + 7 * kEvalDay);
  auto round = MustCreateRound(draft);
  ASSERT_EQ(actions(d1_, round.id()).size(), 1u);
  EXPECT_EQ(actions(d1_, round.id())[0].first, "created");

  auto published = server_.server().PublishDeferredChangesNow();
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(actions(d1_, round.id()).size(), 1u) << "not before it opens";
  EvaluationClock().Set(opens + kMin);
  ASSERT_TRUE(server_.server().PublishDeferredChangesNow().ok());
  const auto seen = actions(d1_, round.id());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].first, "opened");
  EXPECT_EQ(seen[1].second, opens);
  EXPECT_TRUE(actions(d2_, round.id()).empty()) << "no rater, no change";
  EXPECT_TRUE(Rate(d1_, round, group_, {6, 7}).ok()) << "open now";
  // A round open from the start has no second entry.
  auto now_open = MustCreateRound(RoundDraft());
  EvaluationClock().Set(opens + 2 * kEvalDay);
  ASSERT_TRUE(server_.server().PublishDeferredChangesNow().ok());
  EXPECT_EQ(actions(d1_, now_open.id()).size(), 1u);
}

}  // namespace
}  // namespace branchline::testing
