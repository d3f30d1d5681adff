#pragma once

#include "branchline/v1/study.grpc.pb.h"
#include "rpc/async_tag.h"
#include "rpc/async_unary_method.h"
#include "services/auth/authenticator.h"
#include "services/study/quizzes.h"
#include "services/study/study_catalog.h"
#include "services/study/study_journal.h"
#include "services/study/study_reports.h"

namespace branchline {

// gRPC adapter of StudyService over the study domain classes: one line per method.
// RecordStudy, a daily write of every member, is on the async API (AsyncUnaryMethod): a
// record waiting for its WAL sync holds no thread.
class StudyGrpc final
    : public v1::StudyService::WithRawMethod_RecordStudy<v1::StudyService::Service>,
      public AcceptsAsyncCalls {
 public:
  StudyGrpc(StudyCatalog& catalog, StudyJournal& journal, const StudyReports& reports,
            Quizzes& quizzes, const Authenticator& auth);

  // Accepts RecordStudy calls.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status CreateMaterial(grpc::ServerContext* context,
                              const v1::CreateMaterialRequest* request,
                              v1::Material* response) override;
  grpc::Status GetMaterial(grpc::ServerContext* context, const v1::GetMaterialRequest* request,
                           v1::Material* response) override;
  grpc::Status ListMaterials(grpc::ServerContext* context, const v1::ListMaterialsRequest* request,
                             v1::ListMaterialsResponse* response) override;
  grpc::Status UpdateMaterial(grpc::ServerContext* context,
                              const v1::UpdateMaterialRequest* request,
                              v1::Material* response) override;
  grpc::Status ArchiveMaterial(grpc::ServerContext* context,
                               const v1::ArchiveMaterialRequest* request,
                               v1::Material* response) override;
  grpc::Status CreateStudyPlan(grpc::ServerContext* context,
                               const v1::CreateStudyPlanRequest* request,
                               v1::StudyPlan* response) override;
  grpc::Status GetStudyPlan(grpc::ServerContext* context, const v1::GetStudyPlanRequest* request,
                            v1::StudyPlan* response) override;
  grpc::Status ListStudyPlans(grpc::ServerContext* context,
                              const v1::ListStudyPlansRequest* request,
                              v1::ListStudyPlansResponse* response) override;
  grpc::Status UpdateStudyPlan(grpc::ServerContext* context,
                               const v1::UpdateStudyPlanRequest* request,
                               v1::StudyPlan* response) override;
  grpc::Status ListMyPlanItems(grpc::ServerContext* context,
                               const v1::ListMyPlanItemsRequest* request,
                               v1::ListMyPlanItemsResponse* response) override;
  grpc::Status UpdateStudyRecord(grpc::ServerContext* context,
                                 const v1::UpdateStudyRecordRequest* request,
                                 v1::StudyRecord* response) override;
  grpc::Status DeleteStudyRecord(grpc::ServerContext* context,
                                 const v1::DeleteStudyRecordRequest* request,
                                 v1::DeleteStudyRecordResponse* response) override;
  grpc::Status ListStudyRecords(grpc::ServerContext* context,
                                const v1::ListStudyRecordsRequest* request,
                                v1::ListStudyRecordsResponse* response) override;
  grpc::Status GetStudyProgress(grpc::ServerContext* context,
                                const v1::GetStudyProgressRequest* request,
                                v1::StudyProgress* response) override;
  grpc::Status GetStudyReport(grpc::ServerContext* context,
                              const v1::GetStudyReportRequest* request,
                              v1::StudyReport* response) override;
  grpc::Status GetLeaderboard(grpc::ServerContext* context,
                              const v1::GetLeaderboardRequest* request,
                              v1::GetLeaderboardResponse* response) override;
  grpc::Status GetStudySettings(grpc::ServerContext* context,
                                const v1::GetStudySettingsRequest* request,
                                v1::StudySettings* response) override;
  grpc::Status SetStudySettings(grpc::ServerContext* context,
                                const v1::SetStudySettingsRequest* request,
                                v1::StudySettings* response) override;
  grpc::Status CreateQuiz(grpc::ServerContext* context, const v1::CreateQuizRequest* request,
                          v1::Quiz* response) override;
  grpc::Status GetQuiz(grpc::ServerContext* context, const v1::GetQuizRequest* request,
                       v1::Quiz* response) override;
  grpc::Status ListQuizzes(grpc::ServerContext* context, const v1::ListQuizzesRequest* request,
                           v1::ListQuizzesResponse* response) override;
  grpc::Status StartQuizAttempt(grpc::ServerContext* context,
                                const v1::StartQuizAttemptRequest* request,
                                v1::QuizAttempt* response) override;
  grpc::Status SubmitQuizAttempt(grpc::ServerContext* context,
                                 const v1::SubmitQuizAttemptRequest* request,
                                 v1::QuizAttempt* response) override;
  grpc::Status ListQuizAttempts(grpc::ServerContext* context,
                                const v1::ListQuizAttemptsRequest* request,
                                v1::ListQuizAttemptsResponse* response) override;

 private:
  StudyCatalog& catalog_;
  StudyJournal& journal_;
  const StudyReports& reports_;
  Quizzes& quizzes_;
  const Authenticator& auth_;
  AsyncUnaryMethod<v1::RecordStudyRequest, Encoded<v1::StudyRecord>> record_study_;
};

}  // namespace branchline
