#pragma once

#include "branchline/v1/sync.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/sync/change_feed.h"
#include "services/sync/notices.h"
#include "services/sync/offline_batch.h"
#include "services/sync/watch_hub.h"

namespace branchline {

// gRPC adapter of SyncService. Unary methods are synchronous like every other service;
// WatchChanges is an AsyncStreamCall (raw, on the async API) so an idle stream holds no thread.
class SyncGrpc final : public v1::SyncService::WithRawMethod_WatchChanges<v1::SyncService::Service>,
                       public AcceptsAsyncCalls {
 public:
  SyncGrpc(const ChangeFeed& feed, Notices& notices, WatchHub& hub, OfflineBatch& batch,
           const Authenticator& auth, StreamEnvironment& streams)
      : feed_(feed), notices_(notices), hub_(hub), batch_(batch), auth_(auth), streams_(streams) {}

  grpc::Status UploadActions(grpc::ServerContext* context, const v1::UploadActionsRequest* request,
                             v1::UploadActionsResponse* response) override;
  // Accepts WatchChanges streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status ListChanges(grpc::ServerContext* context, const v1::ListChangesRequest* request,
                           v1::ListChangesResponse* response) override;
  grpc::Status ListFeed(grpc::ServerContext* context, const v1::ListFeedRequest* request,
                        v1::ListFeedResponse* response) override;
  grpc::Status PostNotice(grpc::ServerContext* context, const v1::PostNoticeRequest* request,
                          v1::Notice* response) override;
  grpc::Status GetNotice(grpc::ServerContext* context, const v1::GetNoticeRequest* request,
                         v1::Notice* response) override;
  grpc::Status ListMyNotices(grpc::ServerContext* context, const v1::ListMyNoticesRequest* request,
                             v1::ListMyNoticesResponse* response) override;
  grpc::Status MarkNoticeRead(grpc::ServerContext* context,
                              const v1::MarkNoticeReadRequest* request,
                              v1::MarkNoticeReadResponse* response) override;
  grpc::Status ListNoticeReaders(grpc::ServerContext* context,
                                 const v1::ListNoticeReadersRequest* request,
                                 v1::ListNoticeReadersResponse* response) override;

 private:
  const ChangeFeed& feed_;
  Notices& notices_;
  WatchHub& hub_;
  OfflineBatch& batch_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
