// Quizzes through the real server: banks, drawing, hidden answers, scoring, the attempt
// limit and the time limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "tests/services/study_fixture.h"

namespace branchline {
namespace {

using testing::TestServer;
using testing::ViolationField;

class StudyQuizTest : public testing::StudyFixture {
 protected:
  v1::CreateQuizRequest QuizRequest(int time_limit_seconds = 600) {
    v1::CreateQuizRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* q = r.mutable_quiz();
    q->set_organization_id(branch_);
    q->set_title("党章知识测验");
    for (int i = 0; i < 5; ++i) {
      auto* question = q->add_questions();
      question->set_kind(i % 2 ? v1::QUESTION_KIND_MULTIPLE_CHOICE
                               : v1::QUESTION_KIND_SINGLE_CHOICE);
      question->set_text("第" + std::to_string(i + 1) + "题：党的最高理想是什么？");
      for (int o = 0; o < 4; ++o) question->add_options("选项" + std::to_string(o));
      question->add_correct_options(i % 4);
      if (i % 2) question->add_correct_options((i + 1) % 4);
    }
    q->set_draw_count(3);
    q->set_pass_percent(60);
    q->set_max_attempts(2);
    q->set_time_limit_seconds(time_limit_seconds);
    return r;
  }
  v1::Quiz CreateQuiz(int time_limit_seconds = 600) {
    v1::Quiz quiz;
    auto status = study_->CreateQuiz(Ctx(sec_).get(), QuizRequest(time_limit_seconds), &quiz);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return quiz;
  }
  grpc::Status Start(const std::string& token, uint64_t quiz, v1::QuizAttempt* out,
                     const std::string& request_id = TestServer::RequestId()) {
    v1::StartQuizAttemptRequest r;
    r.set_request_id(request_id);
    r.set_quiz_id(quiz);
    return study_->StartQuizAttempt(Ctx(token).get(), r, out);
  }
  // Answers every drawn question correctly (the bank, from the manager's view, has them).
  v1::SubmitQuizAttemptRequest Answers(const v1::Quiz& bank, const v1::QuizAttempt& attempt,
                                       int wrong) {
    v1::SubmitQuizAttemptRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_attempt_id(attempt.id());
    for (const auto& q : attempt.questions()) {
      auto* a = r.add_answers();
      a->set_question_id(q.id());
      const auto& correct = bank.questions(q.id()).correct_options();
      if (wrong-- > 0) {
        // One option that is not correct: a valid answer, but wrong.
        for (int o = 0; o < 4; ++o) {
          if (std::find(correct.begin(), correct.end(), o) == correct.end()) {
            a->add_chosen_options(o);
            break;
          }
        }
        continue;
      }
      *a->mutable_chosen_options() = correct;
    }
    return r;
  }
};

TEST_F(StudyQuizTest, TakersNeverSeeAnswersBeforeSubmission) {
  auto quiz = CreateQuiz();
  ASSERT_EQ(quiz.questions_size(), 5);
  EXPECT_EQ(quiz.questions(1).correct_options_size(), 2);  // the manager sees them
  v1::GetQuizRequest get;
  get.set_id(quiz.id());
  v1::Quiz seen;
  ASSERT_TRUE(study_->GetQuiz(Ctx(t1_).get(), get, &seen).ok());
  for (const auto& q : seen.questions()) EXPECT_EQ(q.correct_options_size(), 0);
  v1::ListQuizzesRequest list;
  list.set_organization_id(branch_);
  v1::ListQuizzesResponse listed;
  ASSERT_TRUE(study_->ListQuizzes(Ctx(t1_).get(), list, &listed).ok());
  ASSERT_EQ(listed.quizzes_size(), 1);
  for (const auto& q : listed.quizzes(0).questions()) EXPECT_EQ(q.correct_options_size(), 0);
  EXPECT_EQ(study_->GetQuiz(Ctx(sib_).get(), get, &seen).error_code(), grpc::PERMISSION_DENIED);

  v1::QuizAttempt attempt, retried;
  ASSERT_TRUE(Start(t1_, quiz.id(), &attempt, "start-1").ok());
  ASSERT_TRUE(Start(t1_, quiz.id(), &retried, "start-1").ok());  // a retry: same attempt
  EXPECT_EQ(attempt.id(), retried.id());
  ASSERT_EQ(attempt.questions_size(), 3);
  for (const auto& q : attempt.questions()) EXPECT_EQ(q.correct_options_size(), 0);
  EXPECT_EQ(attempt.state(), v1::QUIZ_ATTEMPT_STATE_IN_PROGRESS);
  EXPECT_GT(ToMicros(attempt.deadline()), ToMicros(attempt.start_time()));
  v1::ListQuizAttemptsResponse attempts;
  ASSERT_TRUE(study_->ListQuizAttempts(Ctx(t1_).get(), {}, &attempts).ok());
  ASSERT_EQ(attempts.attempts_size(), 1);
  for (const auto& q : attempts.attempts(0).questions()) EXPECT_EQ(q.correct_options_size(), 0);

  // Submission scores and reveals.
  auto submit = Answers(quiz, attempt, /*wrong=*/1);
  v1::QuizAttempt scored, again;
  ASSERT_TRUE(study_->SubmitQuizAttempt(Ctx(t1_).get(), submit, &scored).ok());
  ASSERT_TRUE(study_->SubmitQuizAttempt(Ctx(t1_).get(), submit, &again).ok());  // retry
  EXPECT_EQ(scored.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(scored.state(), v1::QUIZ_ATTEMPT_STATE_SUBMITTED);
  EXPECT_EQ(scored.correct_count(), 2);
  EXPECT_EQ(scored.score_percent(), 66);
  EXPECT_TRUE(scored.passed());
  for (const auto& q : scored.questions()) EXPECT_GT(q.correct_options_size(), 0);
  // A second submission (new request id) is refused.
  submit.set_request_id(TestServer::RequestId());
  auto status = study_->SubmitQuizAttempt(Ctx(t1_).get(), submit, &again);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  // The pass counts in the progress (20 points by default).
  auto p = Progress(t1_, 0);
  EXPECT_EQ(p.quizzes_passed(), 1);
  EXPECT_EQ(p.points(), 20);
}

TEST_F(StudyQuizTest, AttemptLimitAndForeignAttempts) {
  auto quiz = CreateQuiz();
  v1::QuizAttempt a1, a2, a3;
  ASSERT_TRUE(Start(t1_, quiz.id(), &a1).ok());
  // Someone else may not submit d1's attempt.
  EXPECT_EQ(study_->SubmitQuizAttempt(Ctx(t2_).get(), Answers(quiz, a1, 0), &a3).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(Start(t1_, quiz.id(), &a2).ok());
  auto status = Start(t1_, quiz.id(), &a3);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "quiz_id");
  // A failing score does not pass.
  v1::QuizAttempt scored;
  ASSERT_TRUE(study_->SubmitQuizAttempt(Ctx(t1_).get(), Answers(quiz, a2, 3), &scored).ok());
  EXPECT_EQ(scored.score_percent(), 0);
  EXPECT_FALSE(scored.passed());
  EXPECT_EQ(Progress(t1_, 0).quizzes_passed(), 0);
  // Answers to questions that were not drawn are refused.
  auto bad = Answers(quiz, a1, 0);
  bad.mutable_answers(0)->set_question_id(99);
  status = study_->SubmitQuizAttempt(Ctx(t1_).get(), bad, &scored);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "answers[0].question_id");
  bad = Answers(quiz, a1, 0);
  bad.mutable_answers(1)->add_chosen_options(7);  // no such option
  status = study_->SubmitQuizAttempt(Ctx(t1_).get(), bad, &scored);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "answers[1].chosen_options");
  // Managers read a member's attempts; other members do not.
  v1::ListQuizAttemptsRequest list;
  list.set_person_id(d1_);
  list.set_quiz_id(quiz.id());
  v1::ListQuizAttemptsResponse attempts;
  ASSERT_TRUE(study_->ListQuizAttempts(Ctx(sec_).get(), list, &attempts).ok());
  EXPECT_EQ(attempts.attempts_size(), 2);
  EXPECT_EQ(study_->ListQuizAttempts(Ctx(t2_).get(), list, &attempts).error_code(),
            grpc::PERMISSION_DENIED);
  // The sibling branch's secretary cannot take the branch's quiz.
  EXPECT_EQ(Start(sib_, quiz.id(), &a3).error_code(), grpc::PERMISSION_DENIED);
}

TEST_F(StudyQuizTest, AnswersAfterTheTimeLimitAreRefused) {
  auto quiz = CreateQuiz(/*time_limit_seconds=*/1);
  v1::QuizAttempt attempt;
  ASSERT_TRUE(Start(t1_, quiz.id(), &attempt).ok());
  // The server uses the system clock: wait past the one-second limit.
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(
      std::chrono::microseconds(ToMicros(attempt.deadline()) + 200'000)));
  v1::QuizAttempt scored;
  auto status = study_->SubmitQuizAttempt(Ctx(t1_).get(), Answers(quiz, attempt, 0), &scored);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(Progress(t1_, 0).quizzes_passed(), 0);
  v1::ListQuizAttemptsResponse attempts;
  ASSERT_TRUE(study_->ListQuizAttempts(Ctx(t1_).get(), {}, &attempts).ok());
  ASSERT_EQ(attempts.attempts_size(), 1);
  EXPECT_EQ(attempts.attempts(0).state(), v1::QUIZ_ATTEMPT_STATE_EXPIRED);
  for (const auto& q : attempts.attempts(0).questions()) EXPECT_EQ(q.correct_options_size(), 0);
}

TEST_F(StudyQuizTest, QuizValidationNamesTheField) {
  struct Case {
    std::function<void(v1::Quiz*)> mutate;
    std::string field;
  } cases[] = {
      {[](auto* q) { q->set_title(""); }, "quiz.title"},
      {[](auto* q) { q->clear_questions(); }, "quiz.questions"},
      {[](auto* q) { q->mutable_questions(0)->set_kind(v1::QUESTION_KIND_UNSPECIFIED); },
       "quiz.questions[0].kind"},
      {[](auto* q) { q->mutable_questions(0)->add_correct_options(1); },
       "quiz.questions[0].correct_options"},  // two answers to a single choice
      {[](auto* q) { q->mutable_questions(1)->add_correct_options(9); },
       "quiz.questions[1].correct_options"},
      {[](auto* q) { q->mutable_questions(0)->clear_options(); }, "quiz.questions[0].options"},
      {[](auto* q) { q->set_draw_count(6); }, "quiz.draw_count"},
      {[](auto* q) { q->set_pass_percent(0); }, "quiz.pass_percent"},
      {[](auto* q) { q->set_max_attempts(0); }, "quiz.max_attempts"},
      {[](auto* q) { q->set_time_limit_seconds(0); }, "quiz.time_limit_seconds"},
  };
  for (auto& c : cases) {
    auto r = QuizRequest();
    c.mutate(r.mutable_quiz());
    v1::Quiz out;
    auto status = study_->CreateQuiz(Ctx(sec_).get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(ViolationField(status), c.field);
  }
  v1::Quiz out;
  EXPECT_EQ(study_->CreateQuiz(Ctx(t1_).get(), QuizRequest(), &out).error_code(),
            grpc::PERMISSION_DENIED);
  v1::ListQuizzesRequest list;
  list.set_organization_id(branch_);
  v1::ListQuizzesResponse listed;
  ASSERT_TRUE(study_->ListQuizzes(Ctx(sec_).get(), list, &listed).ok());
  EXPECT_EQ(listed.quizzes_size(), 0);
}

}  // namespace
}  // namespace branchline
