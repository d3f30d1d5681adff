// Study rules that depend on time, driven by a FakeClock through the domain classes: the
// 24-hour grace period for edits, local-day edges at midnight and New Year, streak gaps,
// offline uploads counted on the device's day, and quiz deadlines.
#include <gtest/gtest.h>

#include "services/study/study_rules.h"
#include "tests/services/study_domain_fixture.h"

namespace branchline {
namespace {

using testing::kMinute;
using testing::kStudyOffset;
using testing::kStudyYear;
constexpr int64_t kHourMicros = 60 * kMinute;

class StudyClockTest : public testing::StudyDomainFixture {
 protected:
  StudyClockTest() : StudyDomainFixture(2) {}

  void SetUp() override {
    StudyDomainFixture::SetUp();
    v1::CreateMaterialRequest r;
    r.set_request_id("material");
    r.mutable_material()->set_organization_id(branch_);
    r.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
    r.mutable_material()->set_title("党章");
    r.mutable_material()->set_body("正文");
    auto m = catalog_->CreateMaterial(admin_, r);
    ASSERT_TRUE(m.ok()) << m.status();
    material_ = m->id();
  }

  // The instant `minutes` after local midnight starting `day`.
  static int64_t At(int64_t day, int64_t minutes) {
    return LocalDayStartMicros(day, kStudyOffset) + minutes * kMinute;
  }

  absl::StatusOr<v1::StudyRecord> Record(int64_t device_micros, int minutes = 30,
                                         const std::string& notes = "") {
    v1::RecordStudyRequest r;
    r.set_request_id("r" + std::to_string(++requests_));
    r.set_material_id(material_);
    r.set_minutes(minutes);
    r.set_notes(notes);
    *r.mutable_device_time() = ToTimestamp(device_micros);
    return journal_->Record(callers_[0], r);
  }

  v1::StudyProgress Progress(int32_t year = 0) {
    v1::GetStudyProgressRequest r;
    r.set_year(year);
    auto p = journal_->Progress(callers_[0], r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::StudyProgress();
  }

  uint64_t material_ = 0;
  int requests_ = 0;
};

TEST_F(StudyClockTest, EditsAndDeletesOnlyWithinTheGracePeriod) {
  auto rec = Record(clock_.NowMicros() - kMinute);
  ASSERT_TRUE(rec.ok()) << rec.status();
  clock_.Advance(kRecordGraceMicros);  // exactly 24 hours later: still allowed
  v1::UpdateStudyRecordRequest u;
  u.set_request_id("u1");
  u.set_id(rec->id());
  u.set_minutes(40);
  u.mutable_update_mask()->add_paths("minutes");
  ASSERT_TRUE(journal_->Update(callers_[0], u).ok());
  clock_.Advance(1);
  u.set_request_id("u2");
  u.set_minutes(50);
  auto late = journal_->Update(callers_[0], u);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  v1::DeleteStudyRecordRequest d;
  d.set_request_id("d1");
  d.set_id(rec->id());
  EXPECT_EQ(journal_->Delete(callers_[0], d).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Progress().total_minutes(), 40);  // the refused edit changed nothing
}

TEST_F(StudyClockTest, RetriesDaysLaterReturnTheFirstAnswer) {
  v1::RecordStudyRequest r;
  r.set_request_id("offline-1");
  r.set_material_id(material_);
  r.set_minutes(25);
  *r.mutable_device_time() = ToTimestamp(clock_.NowMicros() - kMinute);
  auto first = journal_->Record(callers_[0], r);
  ASSERT_TRUE(first.ok()) << first.status();
  // The answer was lost; the phone retries ten days later, when the device time is too old
  // for a new record.
  clock_.Advance(10 * 24 * kHourMicros);
  auto retried = journal_->Record(callers_[0], r);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->SerializeAsString(), first->SerializeAsString());
  r.set_request_id("offline-2");
  auto fresh = journal_->Record(callers_[0], r);
  EXPECT_EQ(fresh.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Progress(kStudyYear).total_minutes(), 25);
}

TEST_F(StudyClockTest, LocalMidnightSplitsDaysAndStreaksCrossNewYear) {
  const int64_t dec31 = CivilToDay(kStudyYear, 12, 31);
  clock_.Set(At(dec31 + 1, 10));  // 00:10 on 1 January
  // 23:59 on 30 and 31 December (15:59 UTC) and 00:05 on 1 January (16:05 UTC on the 31st).
  ASSERT_TRUE(Record(At(dec31 - 1, 23 * 60 + 59)).ok());
  ASSERT_TRUE(Record(At(dec31, 23 * 60 + 59)).ok());
  auto jan1 = Record(At(dec31 + 1, 5));
  ASSERT_TRUE(jan1.ok()) << jan1.status();
  EXPECT_EQ(jan1->local_date(), std::to_string(kStudyYear + 1) + "-01-01");

  auto old_year = Progress(kStudyYear);
  EXPECT_EQ(old_year.study_days(), 2);
  EXPECT_EQ(old_year.longest_streak_days(), 2);
  auto new_year = Progress();  // the current local year is the new one
  EXPECT_EQ(new_year.year(), kStudyYear + 1);
  EXPECT_EQ(new_year.study_days(), 1);
  EXPECT_EQ(new_year.longest_streak_days(), 1);  // the year's own run
  EXPECT_EQ(new_year.current_streak_days(), 3);  // reaches back over New Year
}

TEST_F(StudyClockTest, GapsBreakTheCurrentStreakAndOfflineUploadsCountOnTheirDay) {
  const int64_t d = CivilToDay(kStudyYear, 3, 2);
  clock_.Set(At(d, 8 * 60));
  ASSERT_TRUE(Record(At(d - 5, 20 * 60)).ok());  // uploaded five days late, offline
  ASSERT_TRUE(Record(At(d - 4, 20 * 60)).ok());
  ASSERT_TRUE(Record(At(d - 3, 20 * 60)).ok());
  ASSERT_TRUE(Record(At(d - 1, 20 * 60)).ok());
  auto p = Progress();
  EXPECT_EQ(p.study_days(), 4);
  EXPECT_EQ(p.longest_streak_days(), 3);
  EXPECT_EQ(p.current_streak_days(), 1);  // yesterday; today not studied yet
  clock_.Set(At(d + 1, 8 * 60));          // a day without study
  EXPECT_EQ(Progress().current_streak_days(), 0);
  // The 24-hour cap applies to the device's local day, not the upload day.
  clock_.Set(At(d + 1, 9 * 60));
  ASSERT_TRUE(Record(At(d - 1, 21 * 60), 600).ok());
  ASSERT_TRUE(Record(At(d - 1, 22 * 60), 600).ok());
  auto capped = Record(At(d - 1, 23 * 60), 211);
  EXPECT_EQ(capped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Record(At(d, 9 * 60), 211).ok());  // the next local day is fresh
}

TEST_F(StudyClockTest, QuizAnswersAfterTheDeadlineAreRefused) {
  v1::CreateQuizRequest q;
  q.set_request_id("quiz");
  auto* quiz = q.mutable_quiz();
  quiz->set_organization_id(branch_);
  quiz->set_title("测验");
  auto* question = quiz->add_questions();
  question->set_kind(v1::QUESTION_KIND_SINGLE_CHOICE);
  question->set_text("党的根本宗旨？");
  question->add_options("全心全意为人民服务");
  question->add_options("其他");
  question->add_correct_options(0);
  quiz->set_draw_count(1);
  quiz->set_pass_percent(100);
  quiz->set_max_attempts(3);
  quiz->set_time_limit_seconds(600);
  auto created = quizzes_->Create(admin_, q);
  ASSERT_TRUE(created.ok()) << created.status();

  auto submit = [&](uint64_t attempt, const std::string& id) {
    v1::SubmitQuizAttemptRequest s;
    s.set_request_id(id);
    s.set_attempt_id(attempt);
    auto* a = s.add_answers();
    a->set_question_id(0);
    a->add_chosen_options(0);
    return quizzes_->Submit(callers_[0], s);
  };
  v1::StartQuizAttemptRequest start;
  start.set_request_id("start-1");
  start.set_quiz_id(created->id());
  auto first = quizzes_->Start(callers_[0], start);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(600LL * 1'000'000);  // exactly at the deadline: accepted
  auto on_time = submit(first->id(), "submit-1");
  ASSERT_TRUE(on_time.ok()) << on_time.status();
  EXPECT_TRUE(on_time->passed());

  clock_.Advance(1);
  auto retried = submit(first->id(), "submit-1");  // a retry after the deadline: same answer
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->SerializeAsString(), on_time->SerializeAsString());

  start.set_request_id("start-2");
  auto second = quizzes_->Start(callers_[0], start);
  ASSERT_TRUE(second.ok());
  clock_.Advance(600LL * 1'000'000 + 1);  // one microsecond late
  EXPECT_EQ(submit(second->id(), "submit-2").status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::ListQuizAttemptsRequest list;
  list.set_quiz_id(created->id());
  auto attempts = quizzes_->ListAttempts(callers_[0], list);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->attempts_size(), 2);
  EXPECT_EQ(attempts->attempts(0).state(), v1::QUIZ_ATTEMPT_STATE_SUBMITTED);
  EXPECT_EQ(attempts->attempts(1).state(), v1::QUIZ_ATTEMPT_STATE_EXPIRED);
  EXPECT_EQ(Progress().quizzes_passed(), 1);
}

}  // namespace
}  // namespace branchline
