#include "rpc/services/audit_grpc.h"

#include "rpc/chunked_export_call.h"
#include "rpc/grpc_handler.h"

namespace branchline {

void AuditGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new ChunkedExportCall<v1::ExportAuditRecordsRequest, v1::CsvChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &AuditGrpc::RequestExportAuditRecords),
      [this](const Caller& c, const v1::ExportAuditRecordsRequest& r) {
        return log_.ExportCsv(c, r);
      });
}

grpc::Status AuditGrpc::ListAuditRecords(grpc::ServerContext* context,
                                         const v1::ListAuditRecordsRequest* request,
                                         v1::ListAuditRecordsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return log_.List(c, *request); });
}

}  // namespace branchline
