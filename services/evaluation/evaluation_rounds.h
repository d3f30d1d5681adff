#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/evaluation_records.pb.h"
#include "branchline/v1/evaluation.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Evaluation rounds (EvaluationService): creation from templates, the three phases of
// submissions, anonymous ballots, results and their export. The rules without storage are
// services/evaluation/evaluation_rules.h; the layout of a round's entries is in storage/keys.h
// ("Evaluation"); docs/evaluation.md has the model and the anonymity design.
//
// A round's subjects and raters are fixed when it is created (who belongs to the subtree
// then), so a transfer during the round changes neither. Every write is one atomic commit;
// the named writes are idempotent by request_id; an anonymous rating is keyed by its ballot,
// so a retry replaces it with itself. Thread-safe.
class EvaluationRounds {
 public:
  EvaluationRounds(storage::Store& store, const Access& access, const PeopleDirectory& people,
                   const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  // Managers of the organisation. INVALID_ARGUMENT naming round.* (after the template's
  // defaults), NOT_FOUND (organisation, raters), PERMISSION_DENIED, FAILED_PRECONDITION
  // (reason NO_SUBJECTS: a subtree without members).
  absl::StatusOr<v1::EvaluationRound> Create(const Caller& caller,
                                             const v1::CreateRoundRequest& request);
  // Managers of the organisation or an ancestor, SCOPE_EVALUATION_READ services, its raters
  // and subjects. NOT_FOUND, PERMISSION_DENIED.
  absl::StatusOr<v1::EvaluationRound> Get(const Caller& caller,
                                          const v1::GetRoundRequest& request) const;
  // A subtree's rounds (managers, read-scoped services) or the caller's own (mine), newest
  // first, paged.
  absl::StatusOr<v1::ListRoundsResponse> List(const Caller& caller,
                                              const v1::ListRoundsRequest& request) const;
  // Managers of the organisation; a closed round is answered unchanged.
  absl::StatusOr<v1::EvaluationRound> Close(const Caller& caller,
                                            const v1::CloseRoundRequest& request);

  // The three named submissions; see the proto comments for the refusals.
  absl::StatusOr<v1::SubmissionReceipt> SubmitSelfScore(const Caller& caller,
                                                        const v1::SubmitSelfScoreRequest& request);
  absl::StatusOr<v1::SubmissionReceipt> SubmitRating(const Caller& caller,
                                                     const v1::SubmitRatingRequest& request);
  absl::StatusOr<v1::SubmissionReceipt> SubmitOverallMark(
      const Caller& caller, const v1::SubmitOverallMarkRequest& request);

  // Anonymous rounds: signs a rater's blinded token once (a retry with the same blinded
  // token gets the same signature; another is ALREADY_EXISTS), recording only that the
  // caller has taken the round's ballot.
  absl::StatusOr<v1::IssueBallotResponse> IssueBallot(const Caller& caller,
                                                      const v1::IssueBallotRequest& request);
  // Anonymous rounds, no caller: the ballot is the credential. Writes nothing that names a
  // person or holds a time finer than the local day, and no change-log entry.
  absl::StatusOr<v1::SubmissionReceipt> SubmitBallotRating(
      const v1::SubmitBallotRatingRequest& request);

  // Results per subject (paged) and participation: managers of the organisation or an
  // ancestor, SCOPE_EVALUATION_READ services; a subject their own (subject_id set) once the
  // round is closed (FAILED_PRECONDITION, reason ROUND_NOT_CLOSED, before).
  absl::StatusOr<v1::RoundResults> Results(const Caller& caller,
                                           const v1::GetRoundResultsRequest& request) const;
  // The whole round's results as CSV (UTF-8 with BOM, CRLF): managers and read-scoped
  // services.
  absl::StatusOr<std::string> ExportCsv(const Caller& caller,
                                        const v1::ExportRoundResultsRequest& request) const;

 private:
  // The round record of `id`; NOT_FOUND naming `field` when absent (or another tenant's, for
  // a caller), INVALID_ARGUMENT for 0.
  absl::StatusOr<internal::v1::EvaluationRoundRecord> LoadRecord(uint64_t id,
                                                                 std::string_view field) const;
  absl::StatusOr<internal::v1::EvaluationRoundRecord> LoadFor(const Caller& caller, uint64_t id,
                                                              std::string_view field) const;
  // Whether the round has an entry `tag` for `id` (subjects 'j', raters 'r').
  absl::StatusOr<bool> HasEntry(uint64_t round, char tag, uint64_t id) const;
  // Whether the caller manages the round's organisation (or an ancestor).
  absl::StatusOr<bool> ManagesRound(const Caller& caller, const v1::EvaluationRound& round) const;
  // Managers and SCOPE_EVALUATION_READ services.
  absl::StatusOr<bool> ReadsAllResults(const Caller& caller,
                                       const v1::EvaluationRound& round) const;
  // Checks the subject is one of the round's (INVALID_ARGUMENT naming subject_id).
  absl::Status CheckSubject(const v1::EvaluationRound& round, uint64_t subject) const;
  // Stages one submission (replacing the same rater's earlier one) and answers its receipt.
  absl::StatusOr<v1::SubmissionReceipt> StageSubmission(
      Mutation& m, const internal::v1::EvaluationRoundRecord& record, uint64_t subject,
      v1::EvaluationPhase phase, const std::string& rater_key, const std::vector<int32_t>& scores,
      int64_t now) const;
  // One subject's figures.
  absl::StatusOr<v1::SubjectResult> SubjectFigures(const v1::EvaluationRound& round,
                                                   uint64_t subject) const;
  // Eligible and participating raters, with the percentage.
  absl::Status Participation(const internal::v1::EvaluationRoundRecord& record,
                             v1::RoundResults& out) const;

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
