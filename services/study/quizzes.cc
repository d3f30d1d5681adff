#include "services/study/quizzes.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/study/study_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {
void HideAnswers(google::protobuf::RepeatedPtrField<v1::QuizQuestion>& questions) {
  for (auto& q : questions) q.clear_correct_options();
}
}  // namespace

absl::Status CheckAnswers(const v1::QuizAttempt& attempt,
                          const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers) {
  std::map<int32_t, const v1::QuizQuestion*> drawn;
  for (const auto& q : attempt.questions()) drawn[q.id()] = &q;
  std::set<int32_t> answered;
  for (int i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i];
    std::string f = "answers[" + std::to_string(i) + "]";
    auto it = drawn.find(a.question_id());
    if (it == drawn.end() || !answered.insert(a.question_id()).second) {
      return InvalidField(f + ".question_id", "is not a drawn question, or repeated");
    }
    const v1::QuizQuestion& q = *it->second;
    std::set<int32_t> chosen;
    for (int32_t c : a.chosen_options()) {
      if (c < 0 || c >= q.options_size() || !chosen.insert(c).second) {
        return InvalidField(f + ".chosen_options", "must be distinct option indexes");
      }
    }
    if (q.kind() == v1::QUESTION_KIND_SINGLE_CHOICE && chosen.size() > 1) {
      return InvalidField(f + ".chosen_options", "a single-choice question takes one option");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateQuiz(const v1::Quiz& quiz) {
  RETURN_IF_ERROR(CheckText("quiz.title", TrimAscii(quiz.title()), 1, 200));
  if (quiz.questions_size() < 1 || quiz.questions_size() > 500) {
    return InvalidField("quiz.questions", "must list 1..500 questions");
  }
  for (int i = 0; i < quiz.questions_size(); ++i) {
    const auto& q = quiz.questions(i);
    std::string f = "quiz.questions[" + std::to_string(i) + "]";
    if (q.kind() != v1::QUESTION_KIND_SINGLE_CHOICE &&
        q.kind() != v1::QUESTION_KIND_MULTIPLE_CHOICE) {
      return InvalidField(f + ".kind", "must be SINGLE_CHOICE or MULTIPLE_CHOICE");
    }
    RETURN_IF_ERROR(CheckText(f + ".text", q.text(), 1, 1000, /*multiline=*/true));
    if (q.options_size() < 2 || q.options_size() > 10) {
      return InvalidField(f + ".options", "must list 2..10 options");
    }
    for (const auto& o : q.options()) RETURN_IF_ERROR(CheckText(f + ".options", o, 1, 500));
    std::set<int32_t> correct;
    for (int32_t c : q.correct_options()) {
      if (c < 0 || c >= q.options_size() || !correct.insert(c).second) {
        return InvalidField(f + ".correct_options", "must be distinct option indexes");
      }
    }
    if (correct.empty() || (q.kind() == v1::QUESTION_KIND_SINGLE_CHOICE && correct.size() != 1)) {
      return InvalidField(f + ".correct_options",
                          "a single-choice question has exactly one, a multiple-choice "
                          "question at least one correct option");
    }
  }
  if (quiz.draw_count() < 1 || quiz.draw_count() > quiz.questions_size()) {
    return InvalidField("quiz.draw_count", "must be 1..the number of questions");
  }
  if (quiz.pass_percent() < 1 || quiz.pass_percent() > 100) {
    return InvalidField("quiz.pass_percent", "must be 1..100");
  }
  if (quiz.max_attempts() < 1 || quiz.max_attempts() > 100) {
    return InvalidField("quiz.max_attempts", "must be 1..100");
  }
  if (quiz.time_limit_seconds() < 1 || quiz.time_limit_seconds() > 86400) {
    return InvalidField("quiz.time_limit_seconds", "must be 1..86400");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Quiz> Quizzes::Create(const Caller& caller,
                                         const v1::CreateQuizRequest& request) {
  v1::Quiz quiz = request.quiz();
  quiz.clear_id();
  quiz.clear_create_time();
  quiz.set_title(std::string(TrimAscii(quiz.title())));
  RETURN_IF_ERROR(ValidateQuiz(quiz));
  for (int i = 0; i < quiz.questions_size(); ++i) quiz.mutable_questions(i)->set_id(i);
  return RunIdempotent<v1::Quiz>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateQuiz"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Quiz> {
        ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, quiz.organization_id(),
                                                          "quiz.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating a quiz"));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
        v1::Quiz created = quiz;
        created.set_id(id);
        *created.mutable_create_time() = ToTimestamp(clock_.NowMicros());
        m.writes().PutMessage(storage::Cf::kQuizzes, storage::RecordKey(id), created);
        m.writes().Put(storage::Cf::kIndex, storage::QuizByOrgKey(org.id(), id), "");
        RecordChange(m.writes(), "quiz", id, org.id(), "created");
        return created;
      });
}

absl::StatusOr<v1::Quiz> Quizzes::Get(const Caller& caller,
                                      const v1::GetQuizRequest& request) const {
  ASSIGN_OR_RETURN(auto quiz,
                   data_.Load<v1::Quiz>(caller, storage::Cf::kQuizzes, request.id(), "id", "quiz"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, quiz.organization_id(), "id"));
  if (!data_.MayRead(caller, org)) return Denied("reading quiz " + std::to_string(quiz.id()));
  if (!Access::Manages(caller, org)) HideAnswers(*quiz.mutable_questions());
  return quiz;
}

absl::StatusOr<v1::ListQuizzesResponse> Quizzes::List(const Caller& caller,
                                                      const v1::ListQuizzesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto org,
                   data_.access().LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!data_.MayRead(caller, org)) {
    return Denied("listing quizzes of organization " + std::to_string(org.id()));
  }
  bool manages = Access::Manages(caller, org);
  v1::ListQuizzesResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(
          store_, storage::Cf::kIndex, storage::QuizByOrgPrefix(org.id()), request.page_token(),
          page_size, [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
            v1::Quiz quiz;
            ASSIGN_OR_RETURN(
                bool found, store_.GetMessage(storage::Cf::kQuizzes,
                                              storage::RecordKey(storage::TrailingId(key)), &quiz));
            if (!found) return false;
            if (!manages) HideAnswers(*quiz.mutable_questions());
            *response.add_quizzes() = std::move(quiz);
            return true;
          }));
  return response;
}

v1::QuizAttempt Quizzes::ForTaker(v1::QuizAttempt attempt) const {
  if (attempt.state() == v1::QUIZ_ATTEMPT_STATE_IN_PROGRESS) {
    HideAnswers(*attempt.mutable_questions());
    if (CheckBeforeDeadline(clock_.NowMicros(), ToMicros(attempt.deadline())).ok()) {
      return attempt;
    }
    attempt.set_state(v1::QUIZ_ATTEMPT_STATE_EXPIRED);
  }
  return attempt;
}

absl::StatusOr<v1::QuizAttempt> Quizzes::Start(const Caller& caller,
                                               const v1::StartQuizAttemptRequest& request) {
  if (caller.service_account) return Denied("a service account cannot take a quiz");
  return RunIdempotent<v1::QuizAttempt>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "StartQuizAttempt"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::QuizAttempt> {
        ASSIGN_OR_RETURN(auto quiz, data_.Load<v1::Quiz>(caller, storage::Cf::kQuizzes,
                                                         request.quiz_id(), "quiz_id", "quiz"));
        ASSIGN_OR_RETURN(auto org,
                         data_.access().LoadOrg(caller, quiz.organization_id(), "quiz_id"));
        ASSIGN_OR_RETURN(auto own,
                         data_.access().LoadOrg(caller, caller.organization_id, "caller"));
        if (!Access::InSubtree(own, org.id())) {
          return Denied("taking a quiz of another organization");
        }
        // The attempt limit is a count of index entries: serialise this person's starts.
        std::string prefix = storage::QuizAttemptPrefix(caller.person_id, quiz.id());
        m.Lock({prefix});
        int attempts = 0;
        RETURN_IF_ERROR(
            store_.Scan(storage::Cf::kIndex, prefix, "", [&](std::string_view, std::string_view) {
              ++attempts;
              return true;
            }));
        if (attempts >= quiz.max_attempts()) {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "quiz_id",
              "all " + std::to_string(quiz.max_attempts()) + " attempts have been used");
        }
        std::vector<int> order(quiz.questions_size());
        for (int i = 0; i < quiz.questions_size(); ++i) order[i] = i;
        std::mt19937_64 rng(std::random_device{}());
        std::shuffle(order.begin(), order.end(), rng);
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(caller.person_id)));
        int64_t now = clock_.NowMicros();
        v1::QuizAttempt attempt;
        attempt.set_id(id);
        attempt.set_quiz_id(quiz.id());
        attempt.set_person_id(caller.person_id);
        attempt.set_state(v1::QUIZ_ATTEMPT_STATE_IN_PROGRESS);
        for (int i = 0; i < quiz.draw_count(); ++i) {
          *attempt.add_questions() = quiz.questions(order[i]);
        }
        *attempt.mutable_start_time() = ToTimestamp(now);
        *attempt.mutable_deadline() =
            ToTimestamp(now + int64_t{quiz.time_limit_seconds()} * 1'000'000);
        // Stored with the correct answers (for scoring); the answer sent back hides them.
        m.writes().PutMessage(storage::Cf::kQuizAttempts, storage::RecordKey(id), attempt);
        m.writes().Put(storage::Cf::kIndex,
                       storage::QuizAttemptKey(caller.person_id, quiz.id(), id), "");
        HideAnswers(*attempt.mutable_questions());
        return attempt;
      });
}

absl::StatusOr<v1::QuizAttempt> Quizzes::Submit(const Caller& caller,
                                                const v1::SubmitQuizAttemptRequest& request) {
  int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::QuizAttempt>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SubmitQuizAttempt"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::QuizAttempt> {
        if (request.attempt_id() == 0) return InvalidField("attempt_id", "is required");
        ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, caller.person_id, "caller"));
        ASSIGN_OR_RETURN(auto org,
                         data_.access().LoadOrg(caller, person.organization_id(), "caller"));
        int32_t year = YearOfDay(LocalDay(now, org.utc_offset_minutes()));
        std::string attempt_key = storage::RecordKey(request.attempt_id());
        std::string progress_key = storage::StudyProgressKey(person.id(), year);
        m.Lock({attempt_key, progress_key});
        ASSIGN_OR_RETURN(auto attempt, data_.Load<v1::QuizAttempt>(
                                           caller, storage::Cf::kQuizAttempts, request.attempt_id(),
                                           "attempt_id", "quiz attempt"));
        if (attempt.person_id() != caller.person_id) {
          return Denied("submitting another person's quiz attempt");
        }
        if (attempt.state() != v1::QUIZ_ATTEMPT_STATE_IN_PROGRESS) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kAttemptAlreadySubmitted,
                         "attempt_id");
        }
        RETURN_IF_ERROR(CheckBeforeDeadline(now, ToMicros(attempt.deadline())));
        RETURN_IF_ERROR(CheckAnswers(attempt, request.answers()));
        ASSIGN_OR_RETURN(auto quiz, data_.Load<v1::Quiz>(caller, storage::Cf::kQuizzes,
                                                         attempt.quiz_id(), "attempt_id", "quiz"));
        ScoreAttempt(attempt, request.answers(), quiz.pass_percent());
        attempt.set_state(v1::QUIZ_ATTEMPT_STATE_SUBMITTED);
        *attempt.mutable_submit_time() = ToTimestamp(now);
        auto& w = m.writes();
        w.PutMessage(storage::Cf::kQuizAttempts, attempt_key, attempt);
        if (attempt.passed()) {
          ASSIGN_OR_RETURN(auto progress, data_.LoadProgress(person.id(), year));
          const auto& passed = progress.passed_quiz_ids();
          if (std::find(passed.begin(), passed.end(), quiz.id()) == passed.end()) {
            progress.add_passed_quiz_ids(quiz.id());
            w.PutMessage(storage::Cf::kStudyRecords, progress_key, progress);
          }
        }
        RecordChange(w, "quiz_attempt", attempt.id(), org.id(), "submitted", {person.id()});
        return attempt;
      });
}

absl::StatusOr<v1::ListQuizAttemptsResponse> Quizzes::ListAttempts(
    const Caller& caller, const v1::ListQuizAttemptsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  uint64_t person_id = request.person_id() ? request.person_id() : caller.person_id;
  ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, person_id, "person_id"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, person.organization_id(), "person_id"));
  if (!StudyData::MayReadPersonStudy(caller, person, org)) {
    return Denied("reading the quiz attempts of person " + std::to_string(person.id()));
  }
  v1::ListQuizAttemptsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex,
               storage::QuizAttemptPrefix(person.id(), request.quiz_id()), request.page_token(),
               page_size, [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::QuizAttempt attempt;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kQuizAttempts,
                                       storage::RecordKey(storage::TrailingId(key)), &attempt));
                 if (!found) return false;
                 *response.add_attempts() = ForTaker(std::move(attempt));
                 return true;
               }));
  return response;
}

}  // namespace branchline
