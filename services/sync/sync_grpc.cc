#include "services/sync/sync_grpc.h"

#include <deque>

#include "services/auth/grpc_handler.h"
#include "services/common/async_tag.h"
#include "services/common/errors.h"
#include "services/sync/cursor.h"

namespace branchline {

namespace {

using Clock = std::chrono::steady_clock;

// One WatchChanges stream on the async API: an idle stream holds no thread. It writes one
// message at a time; reads of the change log happen when the hub wakes it or a write
// completes, on the server's pollers, never blocking one for long.
//
// Lifetime: the object waits for a call, serves it and deletes itself once gRPC reports the
// call done and none of its operations (writes, finish, the start itself) is in flight.
class WatchCall final : public WatchHub::Stream {
 public:
  static constexpr int kBatch = 64;

  WatchCall(SyncGrpc& service, grpc::ServerCompletionQueue* completion_queue,
            const ChangeFeed& feed, WatchHub& hub, const Authenticator& auth)
      : service_(service),
        completion_queue_(completion_queue),
        feed_(feed),
        hub_(hub),
        auth_(auth) {
    context_.AsyncNotifyWhenDone(&call_done_tag_);
    service_.RequestWatchChanges(&context_, &request_, &writer_, completion_queue_,
                                 completion_queue_, &accepted_tag_);
  }

  void Wake() override {
    std::lock_guard lock(mu_);
    pending_ = true;
    Pump();
  }

  void Tick(Clock::time_point now) override {
    std::lock_guard lock(mu_);
    if (finishing_ || call_done_ || writing_ || !queue_.empty() || now - last_write_ < heartbeat_) {
      return;
    }
    v1::WatchChangesResponse beat;
    beat.set_heartbeat(true);
    beat.set_cursor(EncodeCursor(interest_.holder_id, position_));
    queue_.push_back(std::move(beat));
    Pump();
  }

  void Shutdown() override {
    std::lock_guard lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "server is shutting down; reconnect and resume from your cursor"));
  }

 private:
  void OnAccepted(bool ok) {
    if (!ok) {  // the server is shutting down; gRPC sends no done tag for a call never started
      delete this;
      return;
    }
    new WatchCall(service_, completion_queue_, feed_, hub_, auth_);  // waits for the next stream
    absl::Status started = Begin();
    Settle([&] {
      if (!started.ok()) FinishLocked(ToGrpcStatus(started));
      --in_flight_;  // the start itself
    });
  }

  absl::Status Begin() {
    auto caller = AuthenticateCall(auth_, &context_);
    if (!caller.ok()) return caller.status();
    int heartbeat = request_.heartbeat_seconds() == 0 ? 30 : request_.heartbeat_seconds();
    if (heartbeat < 5 || heartbeat > 300) {
      return InvalidField("heartbeat_seconds", "must be between 5 and 300");
    }
    auto interest = feed_.PersonInterest(*caller);
    if (!interest.ok()) return interest.status();
    auto position = feed_.Position(*interest, request_.cursor());
    if (!position.ok()) return position.status();
    {
      std::lock_guard lock(mu_);
      interest_ = std::move(*interest);
      position_ = *position;
      heartbeat_ = std::chrono::seconds(heartbeat);
      last_write_ = Clock::now();
      registered_ = true;
    }
    hub_.Register(this, interest_);  // interest_ no longer changes
    Wake();
    return absl::OkStatus();
  }

  void OnWritten(bool ok) {
    Settle([&] {
      writing_ = false;
      --in_flight_;
      // A failed write means the call is over (cancelled, connection gone): the done tag
      // follows and there is nothing more to send.
      if (ok && finishing_) {
        StartFinishLocked();
      } else if (ok) {
        Pump();
      }
    });
  }

  void OnFinished() {
    Settle([&] { --in_flight_; });
  }

  void OnCallDone() {
    Settle([&] { call_done_ = true; });
  }

  // Starts the next write, reading more of the change log when the queue is empty.
  void Pump() {
    if (finishing_ || writing_ || call_done_ || !registered_) return;
    if (queue_.empty() && pending_) {
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
        queue_.push_back(std::move(message));
      }
      position_ = page->next_sequence;
      pending_ = page->has_more;
    }
    if (queue_.empty()) return;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    ++in_flight_;
    last_write_ = Clock::now();
    writer_.Write(current_, &written_tag_);
  }

  // Finishes now, or after the write in flight (gRPC allows one operation at a time).
  void FinishLocked(const grpc::Status& status) {
    if (finishing_ || call_done_) return;
    finishing_ = true;
    final_status_ = status;
    if (!writing_) StartFinishLocked();
  }

  void StartFinishLocked() {
    ++in_flight_;
    writer_.Finish(final_status_, &finished_tag_);
  }

  // Runs `step` under mu_, then deletes the object if gRPC reported the call done and none of
  // its operations is in flight. Outside mu_: the hub calls Wake/Tick with its own lock held
  // and then takes ours.
  template <typename Step>
  void Settle(Step&& step) {
    bool release;
    {
      std::lock_guard lock(mu_);
      step();
      release = call_done_ && in_flight_ == 0;
    }
    if (!release) return;
    if (registered_) hub_.Unregister(this);
    delete this;
  }

  SyncGrpc& service_;
  grpc::ServerCompletionQueue* const completion_queue_;
  const ChangeFeed& feed_;
  WatchHub& hub_;
  const Authenticator& auth_;
  grpc::ServerContext context_;
  v1::WatchChangesRequest request_;
  grpc::ServerAsyncWriter<v1::WatchChangesResponse> writer_{&context_};
  AsyncTag accepted_tag_{[this](bool ok) { OnAccepted(ok); }};
  AsyncTag written_tag_{[this](bool ok) { OnWritten(ok); }};
  AsyncTag finished_tag_{[this](bool) { OnFinished(); }};
  AsyncTag call_done_tag_{[this](bool) { OnCallDone(); }};

  std::mutex mu_;
  ChangeInterest interest_;
  uint64_t position_ = 0;  // everything up to here is queued or sent
  std::chrono::seconds heartbeat_{30};
  Clock::time_point last_write_;
  std::deque<v1::WatchChangesResponse> queue_;
  v1::WatchChangesResponse current_;
  grpc::Status final_status_;
  int in_flight_ = 1;  // the start (authentication, registration) until it returns
  bool registered_ = false;
  bool pending_ = false;
  bool writing_ = false;
  bool finishing_ = false;
  bool call_done_ = false;
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
  new WatchCall(*this, queue, feed_, hub_, auth_);
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
