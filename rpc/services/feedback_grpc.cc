#include "rpc/services/feedback_grpc.h"

#include "rpc/call_log.h"
#include "rpc/grpc_handler.h"

namespace branchline {

FeedbackGrpc::FeedbackGrpc(Mailbox& mailbox, const Authenticator& auth)
    : mailbox_(mailbox),
      auth_(auth),
      submit_letter_(auth, this, &FeedbackGrpc::RequestSubmitLetter, mailbox, &Mailbox::SubmitAsync,
                     // Authenticated (only members may write) but never attributed: nothing
                     // that outlives the call, such as the access log, may name an anonymous
                     // letter's author.
                     [](const v1::SubmitLetterRequest& request) { return request.anonymous(); }) {}

void FeedbackGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  submit_letter_.Accept(queue);
}

grpc::Status FeedbackGrpc::GetLetter(grpc::ServerContext* context,
                                     const v1::GetLetterRequest* request, v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Get(c, *request); });
}

grpc::Status FeedbackGrpc::ListMyLetters(grpc::ServerContext* context,
                                         const v1::ListMyLettersRequest* request,
                                         v1::ListLettersResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.ListMine(c, *request); });
}

grpc::Status FeedbackGrpc::ListInbox(grpc::ServerContext* context,
                                     const v1::ListInboxRequest* request,
                                     v1::ListLettersResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.ListInbox(c, *request); });
}

grpc::Status FeedbackGrpc::TransitionLetter(grpc::ServerContext* context,
                                            const v1::TransitionLetterRequest* request,
                                            v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Transition(c, *request); });
}

grpc::Status FeedbackGrpc::EscalateLetter(grpc::ServerContext* context,
                                          const v1::EscalateLetterRequest* request,
                                          v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Escalate(c, *request); });
}

grpc::Status FeedbackGrpc::AssignLetter(grpc::ServerContext* context,
                                        const v1::AssignLetterRequest* request,
                                        v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Assign(c, *request); });
}

grpc::Status FeedbackGrpc::ReplyToLetter(grpc::ServerContext* context,
                                         const v1::ReplyToLetterRequest* request,
                                         v1::LetterEvent* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Reply(c, *request); });
}

grpc::Status FeedbackGrpc::AddInternalNote(grpc::ServerContext* context,
                                           const v1::AddInternalNoteRequest* request,
                                           v1::LetterEvent* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.AddNote(c, *request); });
}

grpc::Status FeedbackGrpc::ListLetterEvents(grpc::ServerContext* context,
                                            const v1::ListLetterEventsRequest* request,
                                            v1::ListLetterEventsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.ListEvents(c, *request); });
}

// The receipt holder's calls are the anonymous author's own: they leave no access-log line and
// no metric (rpc/call_log.h), since even "caller=0" with its time, or a counter of
// a method only anonymous authors call, dates what the author did to the second and puts it
// beside their named calls.
grpc::Status FeedbackGrpc::GetLetterByReceipt(grpc::ServerContext* context,
                                              const v1::GetLetterByReceiptRequest* request,
                                              v1::GetLetterByReceiptResponse* response) {
  SuppressAccessLog(context);
  return HandleAnonymous(response, [&] { return mailbox_.GetByReceipt(*request); });
}

grpc::Status FeedbackGrpc::ReplyByReceipt(grpc::ServerContext* context,
                                          const v1::ReplyByReceiptRequest* request,
                                          v1::LetterEvent* response) {
  SuppressAccessLog(context);  // the receipt holder: see GetLetterByReceipt
  return HandleAnonymous(response, [&] { return mailbox_.ReplyByReceipt(*request); });
}

grpc::Status FeedbackGrpc::RateLetter(grpc::ServerContext* context,
                                      const v1::RateLetterRequest* request, v1::Letter* response) {
  if (!request->receipt_code().empty()) {
    SuppressAccessLog(context);  // the receipt holder: see GetLetterByReceipt
    return HandleAnonymous(response, [&] { return mailbox_.Rate(nullptr, *request); });
  }
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Rate(&c, *request); });
}

grpc::Status FeedbackGrpc::GetFeedbackSettings(grpc::ServerContext* context,
                                               const v1::GetFeedbackSettingsRequest* request,
                                               v1::FeedbackSettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.GetSettings(c, *request); });
}

grpc::Status FeedbackGrpc::UpdateFeedbackSettings(grpc::ServerContext* context,
                                                  const v1::UpdateFeedbackSettingsRequest* request,
                                                  v1::FeedbackSettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.UpdateSettings(c, *request); });
}

grpc::Status FeedbackGrpc::GetFeedbackFigures(grpc::ServerContext* context,
                                              const v1::GetFeedbackFiguresRequest* request,
                                              v1::FeedbackFigures* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Figures(c, *request); });
}

grpc::Status FeedbackGrpc::RegisterLetter(grpc::ServerContext* context,
                                          const v1::RegisterLetterRequest* request,
                                          v1::SubmitLetterResponse* response) {
  if (request->anonymous()) SuppressAccessLog(context);
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.Register(c, *request); });
}

grpc::Status FeedbackGrpc::RecordLetterOutcome(grpc::ServerContext* context,
                                               const v1::RecordLetterOutcomeRequest* request,
                                               v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.RecordOutcome(c, *request); });
}

grpc::Status FeedbackGrpc::MarkLetterMisconduct(grpc::ServerContext* context,
                                                const v1::MarkLetterMisconductRequest* request,
                                                v1::Letter* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return mailbox_.MarkMisconduct(c, *request); });
}

}  // namespace branchline
