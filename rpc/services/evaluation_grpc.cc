#include "rpc/services/evaluation_grpc.h"

#include "rpc/chunked_export_call.h"
#include "rpc/grpc_handler.h"

namespace branchline {

void EvaluationGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new ChunkedExportCall<v1::ExportRoundResultsRequest, v1::CsvChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &EvaluationGrpc::RequestExportRoundResults),
      [this](const Caller& c, const v1::ExportRoundResultsRequest& r) {
        return rounds_.ExportCsv(c, r);
      });
}

grpc::Status EvaluationGrpc::CreateRound(grpc::ServerContext* context,
                                         const v1::CreateRoundRequest* request,
                                         v1::EvaluationRound* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.Create(c, *request); });
}

grpc::Status EvaluationGrpc::GetRound(grpc::ServerContext* context,
                                      const v1::GetRoundRequest* request,
                                      v1::EvaluationRound* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.Get(c, *request); });
}

grpc::Status EvaluationGrpc::ListRounds(grpc::ServerContext* context,
                                        const v1::ListRoundsRequest* request,
                                        v1::ListRoundsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.List(c, *request); });
}

grpc::Status EvaluationGrpc::CloseRound(grpc::ServerContext* context,
                                        const v1::CloseRoundRequest* request,
                                        v1::EvaluationRound* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.Close(c, *request); });
}

grpc::Status EvaluationGrpc::SubmitSelfScore(grpc::ServerContext* context,
                                             const v1::SubmitSelfScoreRequest* request,
                                             v1::SubmissionReceipt* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.SubmitSelfScore(c, *request); });
}

grpc::Status EvaluationGrpc::SubmitRating(grpc::ServerContext* context,
                                          const v1::SubmitRatingRequest* request,
                                          v1::SubmissionReceipt* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.SubmitRating(c, *request); });
}

grpc::Status EvaluationGrpc::SubmitOverallMark(grpc::ServerContext* context,
                                               const v1::SubmitOverallMarkRequest* request,
                                               v1::SubmissionReceipt* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return rounds_.SubmitOverallMark(c, *request);
  });
}

grpc::Status EvaluationGrpc::IssueBallot(grpc::ServerContext* context,
                                         const v1::IssueBallotRequest* request,
                                         v1::IssueBallotResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.IssueBallot(c, *request); });
}

grpc::Status EvaluationGrpc::GetRoundResults(grpc::ServerContext* context,
                                             const v1::GetRoundResultsRequest* request,
                                             v1::RoundResults* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return rounds_.Results(c, *request); });
}

grpc::Status EvaluationGrpc::RecordCommitment(grpc::ServerContext* context,
                                              const v1::RecordCommitmentRequest* request,
                                              v1::Commitment* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return commitments_.Record(c, *request); });
}

grpc::Status EvaluationGrpc::ReportCommitmentProgress(
    grpc::ServerContext* context, const v1::ReportCommitmentProgressRequest* request,
    v1::Commitment* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return commitments_.Report(c, *request); });
}

grpc::Status EvaluationGrpc::ListCommitments(grpc::ServerContext* context,
                                             const v1::ListCommitmentsRequest* request,
                                             v1::ListCommitmentsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return commitments_.List(c, *request); });
}

grpc::Status EvaluationGrpc::CreateCommendation(grpc::ServerContext* context,
                                                const v1::CreateCommendationRequest* request,
                                                v1::Commendation* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return honours_.Create(c, *request); });
}

grpc::Status EvaluationGrpc::ListHonours(grpc::ServerContext* context,
                                         const v1::ListHonoursRequest* request,
                                         v1::ListHonoursResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return honours_.List(c, *request); });
}

// The anonymous rater's call: no access-log line and no metric (rpc/call_log.h),
// since even "caller=0" with its time would date the rating to the second, beside the rater's
// named calls (docs/evaluation.md, "Anonymity").
grpc::Status EvaluationGrpc::SubmitBallotRating(grpc::ServerContext* context,
                                                const v1::SubmitBallotRatingRequest* request,
                                                v1::SubmissionReceipt* response) {
  SuppressAccessLog(context);
  return HandleAnonymous(response, [&] { return rounds_.SubmitBallotRating(*request); });
}

}  // namespace branchline
