#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/evaluation.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Commendations and the honours board of each organisation (优秀党员, 先进党支部, 星级职工):
// its managers commend people or organisations of its subtree for a period, optionally after
// an evaluation round of the subtree; its staff read the board (ReadsPublishedBoard).
//
// Storage: the record at storage::CommendationKey(id) in kEvaluations, kCommendationByOrg
// (newest first). Each creation is one commit, idempotent by request_id, with a change-log
// entry addressed to the people honoured. Thread-safe.
class Honours {
 public:
  static constexpr int kMaxHonoured = 200;

  Honours(storage::Store& store, const Access& access, const PeopleDirectory& people,
          const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  // Managers of the organisation. INVALID_ARGUMENT naming commendation.*, NOT_FOUND
  // (organisation, people, organisations, round), PERMISSION_DENIED.
  absl::StatusOr<v1::Commendation> Create(const Caller& caller,
                                          const v1::CreateCommendationRequest& request);
  // The organisation's board, newest first, optionally of one period.
  absl::StatusOr<v1::ListHonoursResponse> List(const Caller& caller,
                                               const v1::ListHonoursRequest& request) const;

 private:
  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
