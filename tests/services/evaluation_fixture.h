// The attendance fleet (attendance_fixture.h: a branch with its secretary, a driver group of
// two members and an employee, a sibling branch's outsider) with EvaluationService, on a
// server whose rounds read a fake clock the tests move past openings and closes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "branchline/v1/evaluation.grpc.pb.h"
#include "clients/common/blind_ballot.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/support/error_details.h"

namespace branchline::testing {

inline constexpr int64_t kEvalDay = 24 * kHour;

// One clock for the process: the server keeps a pointer to it.
inline FakeClock& EvaluationClock() {
  static FakeClock clock(SystemClock().NowMicros());
  return clock;
}

// The ErrorInfo reason of a status ("" without one).
inline std::string Reason(const grpc::Status& status) {
  // Every reasoned refusal also carries its Chinese message (docs/errors.md), all
  // placeholders filled from its metadata.
  RefusalDetails details = DetailsOf(status);
  if (!details.reason.empty()) {
    EXPECT_EQ(details.domain, "branchline.v1");
    EXPECT_EQ(details.locale, "zh-CN") << details.reason;
    EXPECT_FALSE(details.message.empty()) << details.reason;
    EXPECT_EQ(details.message.find('{'), std::string::npos) << details.message;
  }
  return details.reason;
}

class EvaluationTest : public AttendanceTest {
 protected:
  EvaluationTest()
      : AttendanceTest([](ServerOptions& o) { o.evaluation_clock = &EvaluationClock(); }) {}
  explicit EvaluationTest(std::function<void(ServerOptions&)> more)
      : AttendanceTest([more](ServerOptions& o) {
          o.evaluation_clock = &EvaluationClock();
          more(o);
        }) {}

  void SetUp() override {
    EvaluationClock().Set(SystemClock().NowMicros());
    AttendanceTest::SetUp();
    eval_ = v1::EvaluationService::NewStub(server_.channel());
  }

  static int64_t ClockNow() { return EvaluationClock().NowMicros(); }

  // A named round of the branch's members: self score, raters (d1, d2, d3 and the
  // secretary), overall mark; two criteria on 0..10 weighted 60/40; open now for a week.
  v1::EvaluationRound RoundDraft() {
    v1::EvaluationRound r;
    r.set_organization_id(branch_);
    r.set_title("2026年度民主评议党员");
    r.set_period_label("2026");
    r.set_subject_kind(v1::EVALUATION_SUBJECT_KIND_MEMBERS);
    for (auto [name, weight] :
         std::vector<std::pair<std::string, int>>{{"比学习", 60}, {"比贡献", 40}}) {
      auto* c = r.add_criteria();
      c->set_name(name);
      c->set_weight(weight);
      c->set_scale_min(0);
      c->set_scale_max(10);
    }
    r.add_phases(v1::EVALUATION_PHASE_SELF_SCORE);
    r.add_phases(v1::EVALUATION_PHASE_RATERS);
    r.add_phases(v1::EVALUATION_PHASE_OVERALL_MARK);
    r.set_rater_kind(v1::EVALUATION_RATER_KIND_ALL_STAFF);
    *r.mutable_open_time() = ToTimestamp(ClockNow());
    *r.mutable_close_time() = ToTimestamp(ClockNow() + 7 * kEvalDay);
    r.set_min_raters(1);
    return r;
  }

  grpc::Status CreateRound(const v1::EvaluationRound& draft, v1::EvaluationRound* out,
                           const std::string& token = "",
                           v1::EvaluationTemplate kind = v1::EVALUATION_TEMPLATE_UNSPECIFIED) {
    v1::CreateRoundRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_round() = draft;
    r.set_template_kind(kind);
    return eval_->CreateRound(Ctx(token.empty() ? secretary_ : token).get(), r, out);
  }
  v1::EvaluationRound MustCreateRound(
      const v1::EvaluationRound& draft,
      v1::EvaluationTemplate kind = v1::EVALUATION_TEMPLATE_UNSPECIFIED) {
    v1::EvaluationRound out;
    auto status = CreateRound(draft, &out, "", kind);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Scores for the round's criteria, in order.
  static google::protobuf::RepeatedPtrField<v1::CriterionScore> Scores(
      const v1::EvaluationRound& round, const std::vector<int>& values) {
    google::protobuf::RepeatedPtrField<v1::CriterionScore> out;
    for (size_t i = 0; i < values.size() && i < static_cast<size_t>(round.criteria_size()); ++i) {
      auto* s = out.Add();
      s->set_criterion(round.criteria(static_cast<int>(i)).name());
      s->set_score(values[i]);
    }
    return out;
  }

  grpc::Status Self(const std::string& token, const v1::EvaluationRound& round,
                    const std::vector<int>& values, v1::SubmissionReceipt* out = nullptr) {
    v1::SubmitSelfScoreRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_round_id(round.id());
    *r.mutable_scores() = Scores(round, values);
    v1::SubmissionReceipt ignored;
    return eval_->SubmitSelfScore(Ctx(token).get(), r, out ? out : &ignored);
  }
  grpc::Status Rate(const std::string& token, const v1::EvaluationRound& round, uint64_t subject,
                    const std::vector<int>& values, v1::SubmissionReceipt* out = nullptr) {
    v1::SubmitRatingRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_round_id(round.id());
    r.set_subject_id(subject);
    *r.mutable_scores() = Scores(round, values);
    v1::SubmissionReceipt ignored;
    return eval_->SubmitRating(Ctx(token).get(), r, out ? out : &ignored);
  }
  grpc::Status Mark(const std::string& token, const v1::EvaluationRound& round, uint64_t subject,
                    const std::vector<int>& values) {
    v1::SubmitOverallMarkRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_round_id(round.id());
    r.set_subject_id(subject);
    *r.mutable_scores() = Scores(round, values);
    v1::SubmissionReceipt out;
    return eval_->SubmitOverallMark(Ctx(token).get(), r, &out);
  }

  // Takes `token`'s ballot of an anonymous round (blinded by the client helper).
  clients::FinishedBallot TakeBallot(const std::string& token, const v1::EvaluationRound& round) {
    auto blind = clients::Blind(round.ballot_public_key());
    EXPECT_TRUE(blind.has_value());
    if (!blind) return {};
    v1::IssueBallotRequest r;
    r.set_round_id(round.id());
    r.set_blinded_token(blind->blinded);
    v1::IssueBallotResponse out;
    auto status = eval_->IssueBallot(Ctx(token).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    auto ballot = clients::Finish(*blind, out.blind_signature());
    EXPECT_TRUE(ballot.has_value());
    return ballot.value_or(clients::FinishedBallot{});
  }
  grpc::Status RateWithBallot(const clients::FinishedBallot& ballot,
                              const v1::EvaluationRound& round, uint64_t subject,
                              const std::vector<int>& values,
                              v1::SubmissionReceipt* out = nullptr) {
    v1::SubmitBallotRatingRequest r;
    r.set_round_id(round.id());
    r.set_subject_id(subject);
    *r.mutable_scores() = Scores(round, values);
    r.mutable_ballot()->set_token(ballot.token);
    r.mutable_ballot()->set_signature(ballot.signature);
    v1::SubmissionReceipt ignored;
    return eval_->SubmitBallotRating(Ctx("").get(), r, out ? out : &ignored);
  }

  grpc::Status Results(const std::string& token, uint64_t round, v1::RoundResults* out,
                       uint64_t subject = 0, int page_size = 1000) {
    v1::GetRoundResultsRequest r;
    r.set_round_id(round);
    r.set_subject_id(subject);
    r.set_page_size(page_size);
    return eval_->GetRoundResults(Ctx(token).get(), r, out);
  }
  v1::RoundResults MustResults(uint64_t round) {
    v1::RoundResults out;
    auto status = Results(secretary_, round, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  static const v1::SubjectResult* Find(const v1::RoundResults& results, uint64_t subject) {
    for (const auto& s : results.subjects()) {
      if (s.subject_id() == subject) return &s;
    }
    return nullptr;
  }

  grpc::Status Close(uint64_t round, const std::string& token = "") {
    v1::CloseRoundRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(round);
    v1::EvaluationRound out;
    return eval_->CloseRound(Ctx(token.empty() ? secretary_ : token).get(), r, &out);
  }

  std::string ExportCsv(uint64_t round, grpc::Status* status, const std::string& token = "") {
    v1::ExportRoundResultsRequest r;
    r.set_round_id(round);
    auto ctx = Ctx(token.empty() ? secretary_ : token);
    auto reader = eval_->ExportRoundResults(ctx.get(), r);
    std::string csv;
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) csv += chunk.data();
    *status = reader->Finish();
    return csv;
  }

  std::unique_ptr<v1::EvaluationService::Stub> eval_;
};

}  // namespace branchline::testing
