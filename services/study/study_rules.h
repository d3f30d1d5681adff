#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "branchline/internal/v1/study_progress.pb.h"
#include "branchline/v1/study.pb.h"

namespace branchline {

// The pure rules of study check-ins: dates, streaks, points, settings and quiz scoring. No
// storage, no clock: callers pass "now" and the records, so every rule is unit-testable.

inline constexpr int kMinRecordMinutes = 1;
inline constexpr int kMaxRecordMinutes = 600;
inline constexpr int kMaxMinutesPerDay = 24 * 60;
// Own records may be edited or deleted this long after the server received them.
inline constexpr int64_t kRecordGraceMicros = 24 * 3600 * 1'000'000LL;

// "YYYY-MM-DD" of a local day number, and back (nullopt unless a valid calendar date).
std::string FormatLocalDate(int64_t day);
std::optional<int64_t> ParseLocalDate(std::string_view date);
// The calendar year of a local day number.
int32_t YearOfDay(int64_t day);

struct Streaks {
  int32_t current = 0;  // consecutive study days ending `today` or the day before
  int32_t longest = 0;  // longest run of consecutive study days
};
// Streaks over the days with study (any order, repeats allowed). A run still counts as
// current when its last day is yesterday: today is not over yet.
Streaks ComputeStreaks(std::vector<int64_t> study_days, int64_t today);

// Settings with every unset (zero) field replaced by the default.
v1::StudySettings WithDefaults(v1::StudySettings settings);
// OK when every set field is in range; INVALID_ARGUMENT naming "settings.<field>".
absl::Status ValidateSettings(const v1::StudySettings& settings);

// Points of a year's progress under `rule` (documented on v1::StudyService).
int64_t ComputePoints(const internal::v1::StudyProgressRecord& progress,
                      const v1::PointsRule& rule);

// Whether a drawn question is answered correctly: the chosen set equals the correct set.
bool AnswerCorrect(const v1::QuizQuestion& question, const v1::QuizAnswer& answer);
// Scores `attempt` (its drawn questions carry the correct options) against `answers`:
// fills answers, correct_count, score_percent and passed.
void ScoreAttempt(v1::QuizAttempt& attempt,
                  const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers,
                  int32_t pass_percent);
// OK while answers are accepted (now <= deadline); FAILED_PRECONDITION once it has passed.
absl::Status CheckBeforeDeadline(int64_t now_micros, int64_t deadline_micros);

}  // namespace branchline
