#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/sync.pb.h"
#include "services/attendance/check_ins.h"
#include "services/auth/caller.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/feedback/mailbox.h"
#include "services/study/study_journal.h"
#include "storage/store.h"

namespace branchline {

// UploadActions: the offline queue of a phone, replayed through the same domain calls the
// single RPCs use, each with its own request_id (so each is idempotent on its own) and its own
// answer. A self score or a named rating of an evaluation round is judged by the time it
// arrives (a round closed meanwhile refuses it, as the single RPC would); a ballot rating is
// never part of a batch (see OfflineAction.rating). Anonymous actions (an anonymous letter, a reply
// or rating by receipt code) run unattributed as their own RPCs do, and what they change reaches
// the change log only in a later publication (RecordChangeLater), never beside the caller's named
// actions of the same batch. Thread-safe.
class OfflineBatch {
 public:
  static constexpr int kMaxActions = 100;

  OfflineBatch(const storage::Store& store, CheckIns& check_ins, StudyJournal& journal,
               Mailbox& mailbox, EvaluationRounds& rounds)
      : store_(store),
        check_ins_(check_ins),
        journal_(journal),
        mailbox_(mailbox),
        rounds_(rounds) {}

  absl::StatusOr<v1::UploadActionsResponse> Upload(const Caller& caller,
                                                   const v1::UploadActionsRequest& request);

 private:
  // Runs one action into `result`.
  void Run(const Caller& caller, const v1::OfflineAction& action, v1::ActionResult* result);
  // Whether this caller already has an answer stored for `request_id`.
  bool AlreadyDone(const Caller& caller, const std::string& request_id) const;

  const storage::Store& store_;
  CheckIns& check_ins_;
  StudyJournal& journal_;
  Mailbox& mailbox_;
  EvaluationRounds& rounds_;
};

}  // namespace branchline
