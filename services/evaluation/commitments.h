#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/evaluation.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Members' public commitments (承诺) for a year or quarter, tied to their post, and the
// progress they report on them (EvaluationService). A commitment belongs to the member's
// organisation when it is recorded and is published to the staff of that organisation's
// branch: everyone whose own organisation is the listed organisation or below it reads the
// commitments of its subtree; so do its managers and SCOPE_EVALUATION_READ services. The
// quarterly staff rating of how members kept them is an evaluation round
// (EVALUATION_TEMPLATE_COMMITMENT_QUARTERLY).
//
// Storage: the record at storage::CommitmentKey(id) in kEvaluations; kCommitmentBySubtree
// (the organisation and each ancestor) and kCommitmentByPerson, newest first. Every write is
// one commit, idempotent by request_id. Thread-safe.
// Whether the caller reads what `org` publishes to its staff (commitments, the honours
// board): its managers, SCOPE_EVALUATION_READ services, and people whose own organisation is
// `org` or below it.
absl::StatusOr<bool> ReadsPublishedBoard(const Access& access, const Caller& caller,
                                         const v1::Organization& org);

class Commitments {
 public:
  static constexpr int kMaxProgressReports = 100;

  Commitments(storage::Store& store, const Access& access, const Clock& clock)
      : store_(store), access_(access), clock_(clock) {}

  // The caller's own, when a party member. INVALID_ARGUMENT naming commitment.period_label,
  // commitment.text or commitment.post; PERMISSION_DENIED for others.
  absl::StatusOr<v1::Commitment> Record(const Caller& caller,
                                        const v1::RecordCommitmentRequest& request);
  // Appends a progress report to the caller's own commitment. INVALID_ARGUMENT (text,
  // commitment_id), NOT_FOUND, PERMISSION_DENIED (another's), RESOURCE_EXHAUSTED (more than
  // kMaxProgressReports).
  absl::StatusOr<v1::Commitment> Report(const Caller& caller,
                                        const v1::ReportCommitmentProgressRequest& request);
  // An organisation's subtree's (see the class comment for who reads) or the caller's own
  // (mine), newest first, optionally of one period.
  absl::StatusOr<v1::ListCommitmentsResponse> List(const Caller& caller,
                                                   const v1::ListCommitmentsRequest& request) const;

 private:
  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
};

}  // namespace branchline
