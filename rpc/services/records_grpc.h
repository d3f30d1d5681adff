#pragma once

#include "branchline/v1/records.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/records/ledger.h"
#include "services/records/meeting_records.h"

namespace branchline {

// gRPC adapter of RecordsService over MeetingRecords and Ledger: each method authenticates,
// calls the domain class and maps its status. Synchronous: these are a secretary's occasional
// calls, bounded by their pages (the report by its 366-day period).
class RecordsGrpc final : public v1::RecordsService::Service {
 public:
  RecordsGrpc(MeetingRecords& minutes, Ledger& ledger, const Authenticator& auth)
      : minutes_(minutes), ledger_(ledger), auth_(auth) {}

  grpc::Status SaveMeetingRecord(grpc::ServerContext* context,
                                 const v1::SaveMeetingRecordRequest* request,
                                 v1::MeetingRecord* response) override;
  grpc::Status GetMeetingRecord(grpc::ServerContext* context,
                                const v1::GetMeetingRecordRequest* request,
                                v1::MeetingRecord* response) override;
  grpc::Status ListMeetingRecordRevisions(
      grpc::ServerContext* context, const v1::ListMeetingRecordRevisionsRequest* request,
      v1::ListMeetingRecordRevisionsResponse* response) override;
  grpc::Status LockMeetingRecord(grpc::ServerContext* context,
                                 const v1::LockMeetingRecordRequest* request,
                                 v1::MeetingRecord* response) override;
  grpc::Status UpdateProblem(grpc::ServerContext* context, const v1::UpdateProblemRequest* request,
                             v1::MeetingRecord* response) override;
  grpc::Status FixProblem(grpc::ServerContext* context, const v1::FixProblemRequest* request,
                          v1::MeetingRecord* response) override;
  grpc::Status ListOpenProblems(grpc::ServerContext* context,
                                const v1::ListOpenProblemsRequest* request,
                                v1::ListOpenProblemsResponse* response) override;
  grpc::Status SetLedgerItems(grpc::ServerContext* context,
                              const v1::SetLedgerItemsRequest* request,
                              v1::LedgerItems* response) override;
  grpc::Status ListLedgerItems(grpc::ServerContext* context,
                               const v1::ListLedgerItemsRequest* request,
                               v1::LedgerItems* response) override;
  grpc::Status CreateLedgerEntry(grpc::ServerContext* context,
                                 const v1::CreateLedgerEntryRequest* request,
                                 v1::LedgerEntry* response) override;
  grpc::Status UpdateLedgerEntry(grpc::ServerContext* context,
                                 const v1::UpdateLedgerEntryRequest* request,
                                 v1::LedgerEntry* response) override;
  grpc::Status VoidLedgerEntry(grpc::ServerContext* context,
                               const v1::VoidLedgerEntryRequest* request,
                               v1::LedgerEntry* response) override;
  grpc::Status ListLedgerEntries(grpc::ServerContext* context,
                                 const v1::ListLedgerEntriesRequest* request,
                                 v1::ListLedgerEntriesResponse* response) override;
  grpc::Status GetLedgerReport(grpc::ServerContext* context,
                               const v1::GetLedgerReportRequest* request,
                               v1::LedgerReport* response) override;

 private:
  MeetingRecords& minutes_;
  Ledger& ledger_;
  const Authenticator& auth_;
};

}  // namespace branchline
