// The submissions of EvaluationRounds: self scores, named ratings, overall marks, and the
// anonymous path (IssueBallot, SubmitBallotRating).

#include "services/common/audit_trail.h"
#include "services/common/digest.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/evaluation/ballot_keys.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/evaluation/evaluation_rules.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline {

namespace {

// The rater bytes of a named submission: the person id, big-endian.
std::string PersonKey(uint64_t person) { return storage::KeyBuilder().U64(person).key(); }

absl::Status RequirePhase(const v1::EvaluationRound& round, v1::EvaluationPhase phase,
                          std::string_view what) {
  if (evaluation::HasPhase(round, phase)) return absl::OkStatus();
  return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kPhaseNotInRound,
                          "round_id",
                          std::string("the round has no ") + std::string(what) + " phase");
}

// The ballots need: the smallest token is the helper's 32 random bytes; the largest bounds
// the hashing an unauthenticated caller can ask for.
constexpr size_t kMinTokenBytes = 32, kMaxTokenBytes = 256;

}  // namespace

absl::StatusOr<v1::SubmissionReceipt> EvaluationRounds::StageSubmission(
    Mutation& m, const internal::v1::EvaluationRoundRecord& record, uint64_t subject,
    v1::EvaluationPhase phase, const std::string& rater_key, const std::vector<int32_t>& scores,
    int64_t now) const {
  const uint64_t round = record.round().id();
  const std::string key =
      storage::EvaluationSubmissionKey(round, subject, static_cast<uint8_t>(phase), rater_key);
  ASSIGN_OR_RETURN(auto earlier, store_.Get(storage::Cf::kEvaluations, key));
  internal::v1::EvaluationSubmissionRecord submission;
  for (int32_t s : scores) submission.add_scores(s);
  // The local day only: an anonymous rating's time must not single out its rater.
  submission.set_local_day(LocalDay(now, record.utc_offset_minutes()));
  m.writes().PutMessage(storage::Cf::kEvaluations, key, submission);
  v1::SubmissionReceipt receipt;
  receipt.set_round_id(round);
  receipt.set_subject_id(subject);
  receipt.set_phase(phase);
  receipt.set_replaced(earlier.has_value());
  return receipt;
}

absl::StatusOr<v1::SubmissionReceipt> EvaluationRounds::SubmitSelfScore(
    const Caller& caller, const v1::SubmitSelfScoreRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::SubmissionReceipt>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SubmitSelfScore"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::SubmissionReceipt> {
        ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
        const auto& round = record.round();
        ASSIGN_OR_RETURN(bool subject, HasEntry(round.id(), 'j', caller.person_id));
        if (caller.service_account || round.subject_kind() != v1::EVALUATION_SUBJECT_KIND_MEMBERS ||
            !subject) {
          return Denied("scoring oneself in a round one is not a subject of");
        }
        RETURN_IF_ERROR(RequirePhase(round, v1::EVALUATION_PHASE_SELF_SCORE, "self score"));
        ASSIGN_OR_RETURN(auto scores, evaluation::CheckScores(round, request.scores()));
        // The subject's entry serialises the self score with the overall mark.
        m.Lock({storage::EvaluationEntryKey(round.id(), 'j', caller.person_id)});
        RETURN_IF_ERROR(evaluation::CheckOpen(round, now));
        ASSIGN_OR_RETURN(
            auto mark,
            store_.Get(storage::Cf::kEvaluations,
                       storage::EvaluationSubmissionKey(
                           round.id(), caller.person_id,
                           static_cast<uint8_t>(v1::EVALUATION_PHASE_OVERALL_MARK), "")));
        if (mark) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kAlreadyMarked,
                                  "round_id", "the overall mark was given after the self score");
        }
        return StageSubmission(m, record, caller.person_id, v1::EVALUATION_PHASE_SELF_SCORE,
                               PersonKey(caller.person_id), scores, now);
      });
}

absl::StatusOr<v1::SubmissionReceipt> EvaluationRounds::SubmitRating(
    const Caller& caller, const v1::SubmitRatingRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::SubmissionReceipt>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SubmitRating"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::SubmissionReceipt> {
        ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
        const auto& round = record.round();
        ASSIGN_OR_RETURN(bool rater, HasEntry(round.id(), 'r', caller.person_id));
        if (caller.service_account || !rater) {
          return Denied("rating in a round one is not a rater of");
        }
        RETURN_IF_ERROR(RequirePhase(round, v1::EVALUATION_PHASE_RATERS, "raters"));
        if (round.anonymous()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundAnonymous,
                                  "round_id",
                                  "the round is anonymous: take a ballot (IssueBallot) and rate "
                                  "with SubmitBallotRating");
        }
        RETURN_IF_ERROR(CheckSubject(round, request.subject_id()));
        if (request.subject_id() == caller.person_id) {
          return Denied("rating oneself (that is the self score)");
        }
        ASSIGN_OR_RETURN(auto scores, evaluation::CheckScores(round, request.scores()));
        const std::string rater_key = PersonKey(caller.person_id);
        m.Lock({storage::EvaluationSubmissionKey(round.id(), request.subject_id(),
                                                 static_cast<uint8_t>(v1::EVALUATION_PHASE_RATERS),
                                                 rater_key)});
        RETURN_IF_ERROR(evaluation::CheckOpen(round, now));
        m.writes().Put(storage::Cf::kEvaluations,
                       storage::EvaluationEntryKey(round.id(), 'p', caller.person_id), "");
        return StageSubmission(m, record, request.subject_id(), v1::EVALUATION_PHASE_RATERS,
                               rater_key, scores, now);
      });
}

absl::StatusOr<v1::SubmissionReceipt> EvaluationRounds::SubmitOverallMark(
    const Caller& caller, const v1::SubmitOverallMarkRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::SubmissionReceipt>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SubmitOverallMark"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::SubmissionReceipt> {
        ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
        const auto& round = record.round();
        ASSIGN_OR_RETURN(bool manages, ManagesRound(caller, round));
        if (!manages) return Denied("giving the overall mark of evaluation rounds");
        RETURN_IF_ERROR(RequirePhase(round, v1::EVALUATION_PHASE_OVERALL_MARK, "overall mark"));
        RETURN_IF_ERROR(CheckSubject(round, request.subject_id()));
        if (request.subject_id() == caller.person_id) return Denied("marking oneself");
        ASSIGN_OR_RETURN(auto scores, evaluation::CheckScores(round, request.scores()));
        m.Lock({storage::EvaluationEntryKey(round.id(), 'j', request.subject_id())});
        RETURN_IF_ERROR(evaluation::CheckOpen(round, now));
        if (evaluation::HasPhase(round, v1::EVALUATION_PHASE_SELF_SCORE)) {
          ASSIGN_OR_RETURN(auto self,
                           store_.Get(storage::Cf::kEvaluations,
                                      storage::EvaluationSubmissionKey(
                                          round.id(), request.subject_id(),
                                          static_cast<uint8_t>(v1::EVALUATION_PHASE_SELF_SCORE),
                                          PersonKey(request.subject_id()))));
          if (!self) {
            return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                    reasons::kSelfScoreRequired, "subject_id",
                                    "the subject has not scored themselves yet");
          }
        }
        // One mark per subject, whoever of the managers gives it: the rater bytes are empty.
        return StageSubmission(m, record, request.subject_id(), v1::EVALUATION_PHASE_OVERALL_MARK,
                               "", scores, now);
      });
}

absl::StatusOr<v1::IssueBallotResponse> EvaluationRounds::IssueBallot(
    const Caller& caller, const v1::IssueBallotRequest& request) {
  ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.round_id(), "round_id"));
  const auto& round = record.round();
  ASSIGN_OR_RETURN(bool rater, HasEntry(round.id(), 'r', caller.person_id));
  if (caller.service_account || !rater)
    return Denied("taking a ballot of a round one does not rate");
  if (!round.anonymous()) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundNotAnonymous,
                            "round_id", "the round is not anonymous: rate with SubmitRating");
  }
  if (request.blinded_token().empty()) return InvalidField("blinded_token", "is required");
  if (evaluation::IsClosed(round, clock_.NowMicros())) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundClosed,
                            "round_id", "the round is closed");
  }
  const std::string key = storage::EvaluationEntryKey(round.id(), 'b', caller.person_id);
  const std::string hash = Sha256(request.blinded_token());
  Mutation m(store_);
  m.Lock({key});
  internal::v1::EvaluationBallotRecord ballot;
  ASSIGN_OR_RETURN(bool taken, store_.GetMessage(storage::Cf::kEvaluations, key, &ballot));
  if (taken && ballot.blinded_token_sha256() != hash) {
    return DescribedRefusal(absl::StatusCode::kAlreadyExists, reasons::kBallotAlreadyIssued,
                            "blinded_token",
                            "you already took this round's ballot (with another blinded token)");
  }
  v1::IssueBallotResponse response;
  ASSIGN_OR_RETURN(*response.mutable_blind_signature(),
                   evaluation::SignBlinded(record.ballot_private_key(), request.blinded_token()));
  if (!taken) {
    ballot.set_blinded_token_sha256(hash);
    m.writes().PutMessage(storage::Cf::kEvaluations, key, ballot);
    // Not idempotent by request id (the ballot is its own key), so not audited by
    // RunIdempotent: the record that the rater took a ballot, as the access log has it.
    StageAuditRecord(m.writes(), caller.tenant, caller.person_id, "IssueBallot", request,
                     clock_.NowMicros(), hash);
    RETURN_IF_ERROR(CommitMutation(m));
  }
  return response;
}

absl::StatusOr<v1::SubmissionReceipt> EvaluationRounds::SubmitBallotRating(
    const v1::SubmitBallotRatingRequest& request) {
  const int64_t now = clock_.NowMicros();
  ASSIGN_OR_RETURN(auto record, LoadRecord(request.round_id(), "round_id"));
  const auto& round = record.round();
  if (!round.anonymous()) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kRoundNotAnonymous,
                            "round_id", "the round is not anonymous: rate with SubmitRating");
  }
  const auto& token = request.ballot().token();
  if (token.size() < kMinTokenBytes || token.size() > kMaxTokenBytes) {
    return InvalidField("ballot.token", "must be 32-256 bytes");
  }
  if (!evaluation::VerifyBallot(round.ballot_public_key(), token, request.ballot().signature())) {
    return FieldError(absl::StatusCode::kPermissionDenied, "ballot.signature",
                      "is not this round's signature of the token");
  }
  RETURN_IF_ERROR(CheckSubject(round, request.subject_id()));
  ASSIGN_OR_RETURN(auto scores, evaluation::CheckScores(round, request.scores()));
  // Keyed by the token's hash: the same ballot replaces its rating, and nothing maps it
  // back to the person who took it (the server signed only a blinded value).
  const std::string rater_key = Sha256(token);
  Mutation m(store_);
  m.Lock({storage::EvaluationSubmissionKey(round.id(), request.subject_id(),
                                           static_cast<uint8_t>(v1::EVALUATION_PHASE_RATERS),
                                           rater_key)});
  RETURN_IF_ERROR(evaluation::CheckOpen(round, now));
  ASSIGN_OR_RETURN(auto receipt,
                   StageSubmission(m, record, request.subject_id(), v1::EVALUATION_PHASE_RATERS,
                                   rater_key, scores, now));
  RETURN_IF_ERROR(CommitMutation(m));
  return receipt;
}

}  // namespace branchline
