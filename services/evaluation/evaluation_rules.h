#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "branchline/v1/common.pb.h"
#include "branchline/v1/evaluation.pb.h"
#include "services/common/refusal.h"

namespace branchline::evaluation {

// The pure rules of evaluation rounds: templates, validation of a round and of scores, the
// weighted score and the grade. No storage, no caller; thread-safe.

// Stable reasons (google.rpc.ErrorInfo, domain branchline.v1; the catalogue
// services/common/messages, docs/errors.md) of the FAILED_PRECONDITION and ALREADY_EXISTS
// refusals, so clients can tell them apart without parsing messages.
using reasons::kAlreadyMarked;
using reasons::kBallotAlreadyIssued;
using reasons::kNoSubjects;
using reasons::kPhaseNotInRound;
using reasons::kRoundAnonymous;
using reasons::kRoundClosed;
using reasons::kRoundNotAnonymous;
using reasons::kRoundNotOpen;
using reasons::kSelfScoreRequired;

// Fills what `round` leaves empty from `template_kind` (criteria, phases, subject and rater
// kinds, anonymity when the template is anonymous, closing time = open + the template's
// days), then the defaults of every round (open now, grade bands, min_raters 5).
// INVALID_ARGUMENT naming "template_kind" for an unknown template.
absl::Status ApplyTemplate(v1::EvaluationTemplate template_kind, int64_t now_micros,
                           v1::EvaluationRound& round);

// Checks a round after ApplyTemplate (INVALID_ARGUMENT naming "round.<field>") and sorts its
// grade bands, highest first. Does not look at people or organisations.
absl::Status CheckRound(v1::EvaluationRound& round, int64_t now_micros);

bool HasPhase(const v1::EvaluationRound& round, v1::EvaluationPhase phase);

// The scores in the round's criteria order: every criterion exactly once, each within its
// scale. INVALID_ARGUMENT naming "scores" or "scores[i].criterion" / "scores[i].score".
absl::StatusOr<std::vector<int32_t>> CheckScores(
    const v1::EvaluationRound& round,
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& scores);

// x rounded half up (四舍五入) to 2 decimals. The scores are ratios of small integers, so a
// tiny nudge undoes the double's representation error at exact halves (as clients/common/
// percent.h does for rates).
double RoundHalfUp2(double x);

// Totals of several raters' scores for one subject, in criteria order.
struct ScoreSums {
  std::vector<int64_t> sums;
  int raters = 0;
};

// The weighted score of 100 of averaged scores: 100 × Σ weight_i × (sum_i / raters) /
// scale_max_i / Σ weight; unrounded. 0 when no raters.
double WeightedScore(const v1::EvaluationRound& round, const ScoreSums& sums);
// The same for one submission.
double WeightedScore(const v1::EvaluationRound& round, const std::vector<int32_t>& scores);

// The name of the band of a score already rounded (highest band whose min_score it reaches).
std::string GradeOf(const v1::EvaluationRound& round, double rounded_score);

// Whether submissions are over: closed early or past close_time.
bool IsClosed(const v1::EvaluationRound& round, int64_t now_micros);

// Refuses submissions outside [open, close): FAILED_PRECONDITION with reason ROUND_NOT_OPEN
// or ROUND_CLOSED.
absl::Status CheckOpen(const v1::EvaluationRound& round, int64_t now_micros);

}  // namespace branchline::evaluation
