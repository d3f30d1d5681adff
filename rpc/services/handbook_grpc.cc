#include "rpc/services/handbook_grpc.h"

#include "rpc/chunked_export_call.h"
#include "rpc/grpc_handler.h"

namespace branchline {

void HandbookGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new ChunkedExportCall<v1::ExportBranchHandbookRequest, v1::HandbookChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &HandbookGrpc::RequestExportBranchHandbook),
      [this](const Caller& c, const v1::ExportBranchHandbookRequest& r) {
        return handbooks_.BranchFile(c, r);
      });
  new ChunkedExportCall<v1::ExportMemberHandbookRequest, v1::HandbookChunk>(
      streams_, queue, AsyncStreamCall::Bind(this, &HandbookGrpc::RequestExportMemberHandbook),
      [this](const Caller& c, const v1::ExportMemberHandbookRequest& r) {
        return handbooks_.MemberFile(c, r);
      });
}

grpc::Status HandbookGrpc::GetBranchHandbook(grpc::ServerContext* context,
                                             const v1::GetBranchHandbookRequest* request,
                                             v1::BranchHandbook* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return handbooks_.Branch(c, *request); });
}

grpc::Status HandbookGrpc::GetMemberHandbook(grpc::ServerContext* context,
                                             const v1::GetMemberHandbookRequest* request,
                                             v1::MemberHandbook* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return handbooks_.Member(c, *request); });
}

}  // namespace branchline
