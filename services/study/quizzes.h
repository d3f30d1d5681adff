#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/study.pb.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/study/study_data.h"
#include "storage/store.h"

namespace branchline {

// Quizzes: question banks, attempts and scores. Managers of the owning organisation create
// quizzes; people of its subtree take them. The server draws the questions, holds the
// correct answers back until submission, enforces the attempt limit (under a lock on the
// person's attempts at the quiz) and the time limit (answers after the deadline are
// FAILED_PRECONDITION). A passed quiz counts in the person's yearly progress, in the same
// commit as the attempt. Thread-safe.
class Quizzes {
 public:
  Quizzes(storage::Store& store, const StudyData& data, const Clock& clock)
      : store_(store), data_(data), clock_(clock) {}

  absl::StatusOr<v1::Quiz> Create(const Caller& caller, const v1::CreateQuizRequest& request);
  // Correct answers are stripped unless the caller manages the quiz's organisation.
  absl::StatusOr<v1::Quiz> Get(const Caller& caller, const v1::GetQuizRequest& request) const;
  absl::StatusOr<v1::ListQuizzesResponse> List(const Caller& caller,
                                               const v1::ListQuizzesRequest& request) const;
  absl::StatusOr<v1::QuizAttempt> Start(const Caller& caller,
                                        const v1::StartQuizAttemptRequest& request);
  absl::StatusOr<v1::QuizAttempt> Submit(const Caller& caller,
                                         const v1::SubmitQuizAttemptRequest& request);
  absl::StatusOr<v1::ListQuizAttemptsResponse> ListAttempts(
      const Caller& caller, const v1::ListQuizAttemptsRequest& request) const;

 private:
  // The attempt as its taker may see it now: answers hidden until submitted, an unsubmitted
  // attempt past its deadline reported as expired.
  v1::QuizAttempt ForTaker(v1::QuizAttempt attempt) const;

  storage::Store& store_;
  const StudyData& data_;
  const Clock& clock_;
};

// Checks submitted answers against the drawn questions: each answer names a drawn question
// once, with distinct valid option indexes (at most one for a single choice); unanswered
// questions are allowed (they score 0). INVALID_ARGUMENT naming "answers[i].<field>".
absl::Status CheckAnswers(const v1::QuizAttempt& attempt,
                          const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers);

// Checks a quiz's client fields; INVALID_ARGUMENT naming "quiz.<field>".
absl::Status ValidateQuiz(const v1::Quiz& quiz);

}  // namespace branchline
