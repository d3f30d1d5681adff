#include "rpc/services/records_grpc.h"

#include "rpc/grpc_handler.h"

namespace branchline {

grpc::Status RecordsGrpc::SaveMeetingRecord(grpc::ServerContext* context,
                                            const v1::SaveMeetingRecordRequest* request,
                                            v1::MeetingRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.Save(c, *request); });
}

grpc::Status RecordsGrpc::GetMeetingRecord(grpc::ServerContext* context,
                                           const v1::GetMeetingRecordRequest* request,
                                           v1::MeetingRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.Get(c, *request); });
}

grpc::Status RecordsGrpc::ListMeetingRecordRevisions(
    grpc::ServerContext* context, const v1::ListMeetingRecordRevisionsRequest* request,
    v1::ListMeetingRecordRevisionsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.ListRevisions(c, *request); });
}

grpc::Status RecordsGrpc::LockMeetingRecord(grpc::ServerContext* context,
                                            const v1::LockMeetingRecordRequest* request,
                                            v1::MeetingRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.Lock(c, *request); });
}

grpc::Status RecordsGrpc::UpdateProblem(grpc::ServerContext* context,
                                        const v1::UpdateProblemRequest* request,
                                        v1::MeetingRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.UpdateProblem(c, *request); });
}

grpc::Status RecordsGrpc::FixProblem(grpc::ServerContext* context,
                                     const v1::FixProblemRequest* request,
                                     v1::MeetingRecord* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return minutes_.FixProblem(c, *request); });
}

grpc::Status RecordsGrpc::ListOpenProblems(grpc::ServerContext* context,
                                           const v1::ListOpenProblemsRequest* request,
                                           v1::ListOpenProblemsResponse* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return minutes_.ListOpenProblems(c, *request);
  });
}

grpc::Status RecordsGrpc::SetLedgerItems(grpc::ServerContext* context,
                                         const v1::SetLedgerItemsRequest* request,
                                         v1::LedgerItems* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.SetItems(c, *request); });
}

grpc::Status RecordsGrpc::ListLedgerItems(grpc::ServerContext* context,
                                          const v1::ListLedgerItemsRequest* request,
                                          v1::LedgerItems* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.ListItems(c, *request); });
}

grpc::Status RecordsGrpc::CreateLedgerEntry(grpc::ServerContext* context,
                                            const v1::CreateLedgerEntryRequest* request,
                                            v1::LedgerEntry* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.Create(c, *request); });
}

grpc::Status RecordsGrpc::UpdateLedgerEntry(grpc::ServerContext* context,
                                            const v1::UpdateLedgerEntryRequest* request,
                                            v1::LedgerEntry* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.Update(c, *request); });
}

grpc::Status RecordsGrpc::VoidLedgerEntry(grpc::ServerContext* context,
                                          const v1::VoidLedgerEntryRequest* request,
                                          v1::LedgerEntry* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.Void(c, *request); });
}

grpc::Status RecordsGrpc::ListLedgerEntries(grpc::ServerContext* context,
                                            const v1::ListLedgerEntriesRequest* request,
                                            v1::ListLedgerEntriesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.List(c, *request); });
}

grpc::Status RecordsGrpc::GetLedgerReport(grpc::ServerContext* context,
                                          const v1::GetLedgerReportRequest* request,
                                          v1::LedgerReport* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return ledger_.Report(c, *request); });
}

}  // namespace branchline
