#include "rpc/services/study_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status StudyGrpc::CreateMaterial(grpc::ServerContext* context,
                                       const v1::CreateMaterialRequest* request,
                                       v1::Material* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.CreateMaterial(c, *request); });
}

grpc::Status StudyGrpc::GetMaterial(grpc::ServerContext* context,
                                    const v1::GetMaterialRequest* request, v1::Material* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.GetMaterial(c, *request); });
}

grpc::Status StudyGrpc::ListMaterials(grpc::ServerContext* context,
                                      const v1::ListMaterialsRequest* request,
                                      v1::ListMaterialsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.ListMaterials(c, *request); });
}

grpc::Status StudyGrpc::UpdateMaterial(grpc::ServerContext* context,
                                       const v1::UpdateMaterialRequest* request,
                                       v1::Material* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.UpdateMaterial(c, *request); });
}

grpc::Status StudyGrpc::ArchiveMaterial(grpc::ServerContext* context,
                                        const v1::ArchiveMaterialRequest* request,
                                        v1::Material* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return catalog_.ArchiveMaterial(c, *request);
  });
}

grpc::Status StudyGrpc::CreateStudyPlan(grpc::ServerContext* context,
                                        const v1::CreateStudyPlanRequest* request,
                                        v1::StudyPlan* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.CreatePlan(c, *request); });
}

grpc::Status StudyGrpc::GetStudyPlan(grpc::ServerContext* context,
                                     const v1::GetStudyPlanRequest* request,
                                     v1::StudyPlan* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.GetPlan(c, *request); });
}

grpc::Status StudyGrpc::ListStudyPlans(grpc::ServerContext* context,
                                       const v1::ListStudyPlansRequest* request,
                                       v1::ListStudyPlansResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.ListPlans(c, *request); });
}

grpc::Status StudyGrpc::UpdateStudyPlan(grpc::ServerContext* context,
                                        const v1::UpdateStudyPlanRequest* request,
                                        v1::StudyPlan* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.UpdatePlan(c, *request); });
}

grpc::Status StudyGrpc::ListMyPlanItems(grpc::ServerContext* context,
                                        const v1::ListMyPlanItemsRequest* request,
                                        v1::ListMyPlanItemsResponse* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return catalog_.ListMyPlanItems(c, *request);
  });
}

StudyGrpc::StudyGrpc(StudyCatalog& catalog, StudyJournal& journal, const StudyReports& reports,
                     Quizzes& quizzes, const Authenticator& auth)
    : catalog_(catalog),
      journal_(journal),
      reports_(reports),
      quizzes_(quizzes),
      auth_(auth),
      record_study_(auth, this, &StudyGrpc::RequestRecordStudy, journal,
                    &StudyJournal::RecordAsync) {}

void StudyGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  record_study_.Accept(queue);
}

grpc::Status StudyGrpc::UpdateStudyRecord(grpc::ServerContext* context,
                                          const v1::UpdateStudyRecordRequest* request,
                                          v1::StudyRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return journal_.Update(c, *request); });
}

grpc::Status StudyGrpc::DeleteStudyRecord(grpc::ServerContext* context,
                                          const v1::DeleteStudyRecordRequest* request,
                                          v1::DeleteStudyRecordResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return journal_.Delete(c, *request); });
}

grpc::Status StudyGrpc::ListStudyRecords(grpc::ServerContext* context,
                                         const v1::ListStudyRecordsRequest* request,
                                         v1::ListStudyRecordsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return journal_.List(c, *request); });
}

grpc::Status StudyGrpc::GetStudyProgress(grpc::ServerContext* context,
                                         const v1::GetStudyProgressRequest* request,
                                         v1::StudyProgress* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return journal_.Progress(c, *request); });
}

grpc::Status StudyGrpc::GetStudyReport(grpc::ServerContext* context,
                                       const v1::GetStudyReportRequest* request,
                                       v1::StudyReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Report(c, *request); });
}

grpc::Status StudyGrpc::GetLeaderboard(grpc::ServerContext* context,
                                       const v1::GetLeaderboardRequest* request,
                                       v1::GetLeaderboardResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return reports_.Leaderboard(c, *request); });
}

grpc::Status StudyGrpc::GetStudySettings(grpc::ServerContext* context,
                                         const v1::GetStudySettingsRequest* request,
                                         v1::StudySettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.GetSettings(c, *request); });
}

grpc::Status StudyGrpc::SetStudySettings(grpc::ServerContext* context,
                                         const v1::SetStudySettingsRequest* request,
                                         v1::StudySettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return catalog_.SetSettings(c, *request); });
}

grpc::Status StudyGrpc::CreateQuiz(grpc::ServerContext* context,
                                   const v1::CreateQuizRequest* request, v1::Quiz* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.Create(c, *request); });
}

grpc::Status StudyGrpc::GetQuiz(grpc::ServerContext* context, const v1::GetQuizRequest* request,
                                v1::Quiz* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.Get(c, *request); });
}

grpc::Status StudyGrpc::ListQuizzes(grpc::ServerContext* context,
                                    const v1::ListQuizzesRequest* request,
                                    v1::ListQuizzesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.List(c, *request); });
}

grpc::Status StudyGrpc::StartQuizAttempt(grpc::ServerContext* context,
                                         const v1::StartQuizAttemptRequest* request,
                                         v1::QuizAttempt* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.Start(c, *request); });
}

grpc::Status StudyGrpc::SubmitQuizAttempt(grpc::ServerContext* context,
                                          const v1::SubmitQuizAttemptRequest* request,
                                          v1::QuizAttempt* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.Submit(c, *request); });
}

grpc::Status StudyGrpc::ListQuizAttempts(grpc::ServerContext* context,
                                         const v1::ListQuizAttemptsRequest* request,
                                         v1::ListQuizAttemptsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return quizzes_.ListAttempts(c, *request); });
}

}  // namespace branchline
