#include "services/sync/offline_batch.h"

#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "storage/keys.h"

namespace branchline {

namespace {

// Stores the answer (or the error) of one domain call in the result.
template <typename Response, typename Setter>
void Answer(absl::StatusOr<Response> answer, bool already_done, v1::ActionResult* result,
            Setter set) {
  if (!answer.ok()) {
    result->set_outcome(v1::ACTION_OUTCOME_FAILED);
    *result->mutable_error() = ToRpcStatus(answer.status());
    return;
  }
  result->set_outcome(already_done ? v1::ACTION_OUTCOME_ALREADY_DONE : v1::ACTION_OUTCOME_DONE);
  *set(result) = std::move(*answer);
}

}  // namespace

bool OfflineBatch::AlreadyDone(const Caller& caller, const std::string& request_id) const {
  if (request_id.empty()) return false;
  auto stored = store_.Get(storage::Cf::kIdempotency,
                           storage::IdempotencyKey(caller.tenant, caller.person_id, request_id));
  return stored.ok() && stored->has_value();
}

void OfflineBatch::Run(const Caller& caller, const v1::OfflineAction& action,
                       v1::ActionResult* result) {
  switch (action.action_case()) {
    case v1::OfflineAction::kCheckIn: {
      bool done = AlreadyDone(caller, action.check_in().request_id());
      Answer(check_ins_.CheckIn(caller, action.check_in()), done, result,
             [](auto* r) { return r->mutable_check_in(); });
      return;
    }
    case v1::OfflineAction::kLeaveRequest: {
      bool done = AlreadyDone(caller, action.leave_request().request_id());
      Answer(check_ins_.RequestLeave(caller, action.leave_request()), done, result,
             [](auto* r) { return r->mutable_leave_request(); });
      return;
    }
    case v1::OfflineAction::kMakeUp: {
      bool done = AlreadyDone(caller, action.make_up().request_id());
      Answer(check_ins_.MakeUp(caller, action.make_up()), done, result,
             [](auto* r) { return r->mutable_make_up(); });
      return;
    }
    case v1::OfflineAction::kStudyRecord: {
      bool done = AlreadyDone(caller, action.study_record().request_id());
      Answer(journal_.Record(caller, action.study_record()), done, result,
             [](auto* r) { return r->mutable_study_record(); });
      return;
    }
    case v1::OfflineAction::kLetter: {
      // Anonymous letters keep no trace of the caller, not even an "already done" look-up
      // under the caller's id: they always report DONE with the (recomputed) receipt.
      bool done = !action.letter().anonymous() && AlreadyDone(caller, action.letter().request_id());
      Answer(mailbox_.Submit(caller, action.letter()), done, result,
             [](auto* r) { return r->mutable_letter(); });
      return;
    }
    case v1::OfflineAction::kLetterReply:
      Answer(mailbox_.ReplyByReceipt(action.letter_reply()), false, result,
             [](auto* r) { return r->mutable_letter_reply(); });
      return;
    case v1::OfflineAction::kLetterRating: {
      // By receipt: never attributed to the caller; otherwise the named author rates.
      const auto& rating = action.letter_rating();
      bool by_receipt = !rating.receipt_code().empty();
      Answer(mailbox_.Rate(by_receipt ? nullptr : &caller, rating), false, result,
             [](auto* r) { return r->mutable_letter_rating(); });
      return;
    }
    case v1::OfflineAction::kSelfScore: {
      bool done = AlreadyDone(caller, action.self_score().request_id());
      Answer(rounds_.SubmitSelfScore(caller, action.self_score()), done, result,
             [](auto* r) { return r->mutable_self_score(); });
      return;
    }
    case v1::OfflineAction::kRating: {
      bool done = AlreadyDone(caller, action.rating().request_id());
      Answer(rounds_.SubmitRating(caller, action.rating()), done, result,
             [](auto* r) { return r->mutable_rating(); });
      return;
    }
    case v1::OfflineAction::ACTION_NOT_SET:
      break;
  }
  result->set_outcome(v1::ACTION_OUTCOME_FAILED);
  *result->mutable_error() = ToRpcStatus(InvalidField("action", "names no action"));
}

absl::StatusOr<v1::UploadActionsResponse> OfflineBatch::Upload(
    const Caller& caller, const v1::UploadActionsRequest& request) {
  if (request.actions().empty()) return InvalidField("actions", "is empty");
  if (request.actions_size() > kMaxActions) {
    return Refusal(absl::StatusCode::kResourceExhausted, reasons::kTooManyActions, "actions",
                   {{"max", std::to_string(kMaxActions)}});
  }
  v1::UploadActionsResponse response;
  for (int i = 0; i < request.actions_size(); ++i) {
    auto* result = response.add_results();
    result->set_index(i);
    Run(caller, request.actions(i), result);
  }
  return response;
}

}  // namespace branchline
