#pragma once

#include "branchline/v1/audit.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/audit/audit_log.h"
#include "services/auth/authenticator.h"

namespace branchline {

// gRPC adapter of AuditService over AuditLog. ListAuditRecords is synchronous (bounded by its
// scan budget); ExportAuditRecords is a stream (ChunkedExportCall, like the roster CSV), so a
// slow reader holds no thread.
class AuditGrpc final
    : public v1::AuditService::WithRawMethod_ExportAuditRecords<v1::AuditService::Service>,
      public AcceptsAsyncCalls {
 public:
  AuditGrpc(AuditLog& log, const Authenticator& auth, StreamEnvironment& streams)
      : log_(log), auth_(auth), streams_(streams) {}

  // Accepts the ExportAuditRecords streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status ListAuditRecords(grpc::ServerContext* context,
                                const v1::ListAuditRecordsRequest* request,
                                v1::ListAuditRecordsResponse* response) override;

 private:
  AuditLog& log_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
