#pragma once

#include "branchline/v1/feedback.grpc.pb.h"
#include "rpc/async_tag.h"
#include "rpc/async_unary_method.h"
#include "services/auth/authenticator.h"
#include "services/feedback/mailbox.h"

namespace branchline {

// gRPC adapter of FeedbackService over Mailbox. The receipt holder's calls (GetLetterByReceipt,
// ReplyByReceipt, RateLetter with a receipt code) do not authenticate: the code is the only
// credential, and no token or peer address of theirs is looked at or logged. An anonymous
// SubmitLetter leaves no access-log line, so the caller is never recorded for logging.
//
// An anonymous RegisterLetter leaves no access-log line and no metric either: the line would
// name the handler and date, to the second, the writer's visit or call.
//
// SubmitLetter is on the async API (AsyncUnaryMethod): a letter waiting for its WAL sync
// holds no thread.
class FeedbackGrpc final
    : public v1::FeedbackService::WithRawMethod_SubmitLetter<v1::FeedbackService::Service>,
      public AcceptsAsyncCalls {
 public:
  FeedbackGrpc(Mailbox& mailbox, const Authenticator& auth);

  // Accepts SubmitLetter calls.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;
  grpc::Status GetLetter(grpc::ServerContext* context, const v1::GetLetterRequest* request,
                         v1::Letter* response) override;
  grpc::Status ListMyLetters(grpc::ServerContext* context, const v1::ListMyLettersRequest* request,
                             v1::ListLettersResponse* response) override;
  grpc::Status ListInbox(grpc::ServerContext* context, const v1::ListInboxRequest* request,
                         v1::ListLettersResponse* response) override;
  grpc::Status TransitionLetter(grpc::ServerContext* context,
                                const v1::TransitionLetterRequest* request,
                                v1::Letter* response) override;
  grpc::Status EscalateLetter(grpc::ServerContext* context,
                              const v1::EscalateLetterRequest* request,
                              v1::Letter* response) override;
  grpc::Status AssignLetter(grpc::ServerContext* context, const v1::AssignLetterRequest* request,
                            v1::Letter* response) override;
  grpc::Status ReplyToLetter(grpc::ServerContext* context, const v1::ReplyToLetterRequest* request,
                             v1::LetterEvent* response) override;
  grpc::Status AddInternalNote(grpc::ServerContext* context,
                               const v1::AddInternalNoteRequest* request,
                               v1::LetterEvent* response) override;
  grpc::Status ListLetterEvents(grpc::ServerContext* context,
                                const v1::ListLetterEventsRequest* request,
                                v1::ListLetterEventsResponse* response) override;
  grpc::Status GetLetterByReceipt(grpc::ServerContext* context,
                                  const v1::GetLetterByReceiptRequest* request,
                                  v1::GetLetterByReceiptResponse* response) override;
  grpc::Status ReplyByReceipt(grpc::ServerContext* context,
                              const v1::ReplyByReceiptRequest* request,
                              v1::LetterEvent* response) override;
  grpc::Status RateLetter(grpc::ServerContext* context, const v1::RateLetterRequest* request,
                          v1::Letter* response) override;
  grpc::Status GetFeedbackSettings(grpc::ServerContext* context,
                                   const v1::GetFeedbackSettingsRequest* request,
                                   v1::FeedbackSettings* response) override;
  grpc::Status UpdateFeedbackSettings(grpc::ServerContext* context,
                                      const v1::UpdateFeedbackSettingsRequest* request,
                                      v1::FeedbackSettings* response) override;
  grpc::Status GetFeedbackFigures(grpc::ServerContext* context,
                                  const v1::GetFeedbackFiguresRequest* request,
                                  v1::FeedbackFigures* response) override;
  grpc::Status RegisterLetter(grpc::ServerContext* context,
                              const v1::RegisterLetterRequest* request,
                              v1::SubmitLetterResponse* response) override;
  grpc::Status RecordLetterOutcome(grpc::ServerContext* context,
                                   const v1::RecordLetterOutcomeRequest* request,
                                   v1::Letter* response) override;
  grpc::Status MarkLetterMisconduct(grpc::ServerContext* context,
                                    const v1::MarkLetterMisconductRequest* request,
                                    v1::Letter* response) override;

 private:
  Mailbox& mailbox_;
  const Authenticator& auth_;
  AsyncUnaryMethod<v1::SubmitLetterRequest, Encoded<v1::SubmitLetterResponse>> submit_letter_;
};

}  // namespace branchline
