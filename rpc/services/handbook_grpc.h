#pragma once

#include "branchline/v1/handbook.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/handbook/handbooks.h"

namespace branchline {

// gRPC adapter of HandbookService over Handbooks. The Get methods are synchronous (a
// secretary's occasional call, bounded by the one-year period); the exports are streams
// (ChunkedExportCall, like the roster CSV): the file is made on the blocking pool and sent a
// chunk at a time, so a slow reader holds no thread.
class HandbookGrpc final
    : public v1::HandbookService::WithRawMethod_ExportBranchHandbook<
          v1::HandbookService::WithRawMethod_ExportMemberHandbook<v1::HandbookService::Service>>,
      public AcceptsAsyncCalls {
 public:
  HandbookGrpc(const Handbooks& handbooks, const Authenticator& auth, StreamEnvironment& streams)
      : handbooks_(handbooks), auth_(auth), streams_(streams) {}

  // Accepts the export streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status GetBranchHandbook(grpc::ServerContext* context,
                                 const v1::GetBranchHandbookRequest* request,
                                 v1::BranchHandbook* response) override;
  grpc::Status GetMemberHandbook(grpc::ServerContext* context,
                                 const v1::GetMemberHandbookRequest* request,
                                 v1::MemberHandbook* response) override;

 private:
  const Handbooks& handbooks_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
