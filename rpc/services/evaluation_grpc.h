#pragma once

#include "branchline/v1/evaluation.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/evaluation/commitments.h"
#include "services/evaluation/evaluation_rounds.h"
#include "services/evaluation/honours.h"

namespace branchline {

// gRPC adapter of EvaluationService over EvaluationRounds, Commitments and Honours. Synchronous
// (occasional calls of a round's few hundred people), except ExportRoundResults: a stream
// (ChunkedExportCall, like the roster CSV), so a slow reader holds no thread. SubmitBallotRating
// takes no token and leaves no access-log line or metric (the anonymous rater's call).
class EvaluationGrpc final : public v1::EvaluationService::WithRawMethod_ExportRoundResults<
                                 v1::EvaluationService::Service>,
                             public AcceptsAsyncCalls {
 public:
  EvaluationGrpc(EvaluationRounds& rounds, Commitments& commitments, Honours& honours,
                 const Authenticator& auth, StreamEnvironment& streams)
      : rounds_(rounds),
        commitments_(commitments),
        honours_(honours),
        auth_(auth),
        streams_(streams) {}

  // Accepts the ExportRoundResults streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status CreateRound(grpc::ServerContext* context, const v1::CreateRoundRequest* request,
                           v1::EvaluationRound* response) override;
  grpc::Status GetRound(grpc::ServerContext* context, const v1::GetRoundRequest* request,
                        v1::EvaluationRound* response) override;
  grpc::Status ListRounds(grpc::ServerContext* context, const v1::ListRoundsRequest* request,
                          v1::ListRoundsResponse* response) override;
  grpc::Status CloseRound(grpc::ServerContext* context, const v1::CloseRoundRequest* request,
                          v1::EvaluationRound* response) override;
  grpc::Status SubmitSelfScore(grpc::ServerContext* context,
                               const v1::SubmitSelfScoreRequest* request,
                               v1::SubmissionReceipt* response) override;
  grpc::Status SubmitRating(grpc::ServerContext* context, const v1::SubmitRatingRequest* request,
                            v1::SubmissionReceipt* response) override;
  grpc::Status SubmitOverallMark(grpc::ServerContext* context,
                                 const v1::SubmitOverallMarkRequest* request,
                                 v1::SubmissionReceipt* response) override;
  grpc::Status IssueBallot(grpc::ServerContext* context, const v1::IssueBallotRequest* request,
                           v1::IssueBallotResponse* response) override;
  grpc::Status GetRoundResults(grpc::ServerContext* context,
                               const v1::GetRoundResultsRequest* request,
                               v1::RoundResults* response) override;
  grpc::Status RecordCommitment(grpc::ServerContext* context,
                                const v1::RecordCommitmentRequest* request,
                                v1::Commitment* response) override;
  grpc::Status ReportCommitmentProgress(grpc::ServerContext* context,
                                        const v1::ReportCommitmentProgressRequest* request,
                                        v1::Commitment* response) override;
  grpc::Status ListCommitments(grpc::ServerContext* context,
                               const v1::ListCommitmentsRequest* request,
                               v1::ListCommitmentsResponse* response) override;
  grpc::Status CreateCommendation(grpc::ServerContext* context,
                                  const v1::CreateCommendationRequest* request,
                                  v1::Commendation* response) override;
  grpc::Status ListHonours(grpc::ServerContext* context, const v1::ListHonoursRequest* request,
                           v1::ListHonoursResponse* response) override;
  grpc::Status SubmitBallotRating(grpc::ServerContext* context,
                                  const v1::SubmitBallotRatingRequest* request,
                                  v1::SubmissionReceipt* response) override;

 private:
  EvaluationRounds& rounds_;
  Commitments& commitments_;
  Honours& honours_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
