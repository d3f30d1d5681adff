#include "rpc/services/sync_grpc.h"

#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "rpc/grpc_handler.h"
#include "services/common/errors.h"
#include "services/sync/cursor.h"

namespace branchline {

namespace {

using Clock = std::chrono::steady_clock;

// One WatchChanges stream (AsyncStreamCall: no thread while it waits). It writes one message
// at a time; reads of the change log happen when the hub wakes it or a write completes, on the
// server's pollers, never blocking one for long.
class WatchCall final : public AsyncStreamCall, public WatchHub::Stream {
 public:
  static constexpr int kBatch = 64;

  WatchCall(SyncGrpc& service, StreamEnvironment& env, grpc::ServerCompletionQueue* queue,
            const ChangeFeed& feed, WatchHub& hub)
      : AsyncStreamCall(env, queue),
        service_(service),
        env_(env),
        queue_(queue),
        feed_(feed),
        hub_(hub) {
    Listen(Bind(&service_, &SyncGrpc::RequestWatchChanges));
  }

  void Wake() override {
    std::lock_guard lock(mu_);
    pending_ = true;
    PumpLocked();
  }

  void Tick(Clock::time_point now) override {
    std::lock_guard lock(mu_);
    if (!IdleLocked() || now - last_write_locked() < heartbeat_) return;
    v1::WatchChangesResponse beat;
    beat.set_heartbeat(true);
    beat.set_cursor(EncodeCursor(interest_.holder_id, position_));
    QueueLocked(beat);
    PumpLocked();
  }

  void Shutdown() override {
    std::lock_guard lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "server is shutting down; reconnect and resume from your cursor"));
  }

 private:
  void ListenForNext() override { new WatchCall(service_, env_, queue_, feed_, hub_); }

  bool Parse(const grpc::ByteBuffer& bytes) override {
    grpc::ByteBuffer copy(bytes);
    return grpc::SerializationTraits<v1::WatchChangesRequest>::Deserialize(&copy, &request_).ok();
  }

  absl::Status Begin(const Caller& caller) override {
    int heartbeat = request_.heartbeat_seconds() == 0 ? 30 : request_.heartbeat_seconds();
    if (heartbeat < 5 || heartbeat > 300) {
      return InvalidField("heartbeat_seconds", "must be between 5 and 300");
    }
    auto interest = feed_.PersonInterest(caller);
    if (!interest.ok()) return interest.status();
    auto position = feed_.Position(*interest, request_.cursor());
    if (!position.ok()) return position.status();
    {
      std::lock_guard lock(mu_);
      interest_ = std::move(*interest);
      position_ = *position;
      heartbeat_ = std::chrono::seconds(heartbeat);
      pending_ = true;  // everything after the cursor
      registered_ = true;
    }
    hub_.Register(this, interest_);  // interest_ no longer changes
    return absl::OkStatus();
  }

  // Reads the next page of the change log when the hub said there may be more.
  void ProduceLocked() override {
    if (!registered_ || !pending_) return;
    pending_ = false;
    auto page = feed_.Read(interest_, position_, kBatch);
    if (!page.ok()) {
      FinishLocked(ToGrpcStatus(page.status()));
      return;
    }
    for (const auto& change : page->changes) {
      v1::WatchChangesResponse message;
      *message.mutable_change() = ChangeFeed::ToApi(change);
      message.set_cursor(EncodeCursor(interest_.holder_id, change.sequence()));
      QueueLocked(message);
    }
    position_ = page->next_sequence;
    pending_ = page->has_more;
  }

  void Ended() override {
    if (registered_) hub_.Unregister(this);
  }

  SyncGrpc& service_;
  StreamEnvironment& env_;
  grpc::ServerCompletionQueue* const queue_;
  const ChangeFeed& feed_;
  WatchHub& hub_;
  v1::WatchChangesRequest request_;

  // Guarded by mu_ once the stream has begun.
  ChangeInterest interest_;
  uint64_t position_ = 0;  // everything up to here is queued or sent
  std::chrono::seconds heartbeat_{30};
  bool registered_ = false;
  bool pending_ = false;
};

}  // namespace

grpc::Status SyncGrpc::UploadActions(grpc::ServerContext* context,
                                     const v1::UploadActionsRequest* request,
                                     v1::UploadActionsResponse* response) {
  // Logged under the caller even when the batch holds anonymous actions: the upload is theirs,
  // and a missing line would mark exactly the uploads that held one, at the second the feed
  // shows the caller's named actions of the same batch. What the anonymous actions changed
  // reaches the change log only in a later publication (RecordChangeLater).
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return batch_.Upload(c, *request); });
}

grpc::Status SyncGrpc::ListChanges(grpc::ServerContext* context,
                                   const v1::ListChangesRequest* request,
                                   v1::ListChangesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return feed_.ListChanges(c, *request); });
}

void SyncGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new WatchCall(*this, streams_, queue, feed_, hub_);
}

grpc::Status SyncGrpc::ListFeed(grpc::ServerContext* context, const v1::ListFeedRequest* request,
                                v1::ListFeedResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return feed_.ListFeed(c, *request); });
}

grpc::Status SyncGrpc::PostNotice(grpc::ServerContext* context,
                                  const v1::PostNoticeRequest* request, v1::Notice* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return notices_.Post(c, *request); });
}

grpc::Status SyncGrpc::GetNotice(grpc::ServerContext* context, const v1::GetNoticeRequest* request,
                                 v1::Notice* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return notices_.Get(c, *request); });
}

grpc::Status SyncGrpc::ListMyNotices(grpc::ServerContext* context,
                                     const v1::ListMyNoticesRequest* request,
                                     v1::ListMyNoticesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return notices_.ListMine(c, *request); });
}

grpc::Status SyncGrpc::MarkNoticeRead(grpc::ServerContext* context,
                                      const v1::MarkNoticeReadRequest* request,
                                      v1::MarkNoticeReadResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return notices_.MarkRead(c, *request); });
}

grpc::Status SyncGrpc::ListNoticeReaders(grpc::ServerContext* context,
                                         const v1::ListNoticeReadersRequest* request,
                                         v1::ListNoticeReadersResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return notices_.ListReaders(c, *request); });
}

}  // namespace branchline
