#include "services/sync/sync_grpc.h"

#include <deque>

#include "services/auth/grpc_handler.h"
#include "services/common/call_log.h"
#include "services/common/errors.h"
#include "services/sync/cursor.h"

namespace branchline {

namespace {

using Clock = std::chrono::steady_clock;

// A stream that failed before it started (bad token, bad cursor): finishes with the status.
class FailedReactor final : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
 public:
  explicit FailedReactor(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

// One live WatchChanges stream. It writes one message at a time; reads of the change log
// happen when the hub wakes it or a write completes, never blocking a gRPC thread for long.
class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchChangesResponse>,
                           public WatchHub::Stream {
 public:
  static constexpr int kBatch = 64;

  WatchReactor(const ChangeFeed& feed, WatchHub& hub, ChangeInterest interest, uint64_t position,
               std::chrono::seconds heartbeat)
      : feed_(feed),
        hub_(hub),
        interest_(std::move(interest)),
        position_(position),
        heartbeat_(heartbeat),
        last_write_(Clock::now()) {
    hub_.Register(this, interest_);
    Wake();
  }

  void Wake() override {
    std::lock_guard lock(mu_);
    pending_ = true;
    Pump();
  }

  void Tick(Clock::time_point now) override {
    std::lock_guard lock(mu_);
    if (finished_ || writing_ || !queue_.empty() || now - last_write_ < heartbeat_) return;
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

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
      return;
    }
    Pump();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
  }

  void OnDone() override {
    hub_.Unregister(this);
    delete this;
  }

 private:
  // Starts the next write, reading more of the change log when the queue is empty.
  void Pump() {
    if (finished_ || writing_) return;
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
    last_write_ = Clock::now();
    StartWrite(&current_);
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  const ChangeFeed& feed_;
  WatchHub& hub_;
  const ChangeInterest interest_;
  std::mutex mu_;
  uint64_t position_;  // everything up to here is queued or sent
  const std::chrono::seconds heartbeat_;
  Clock::time_point last_write_;
  std::deque<v1::WatchChangesResponse> queue_;
  v1::WatchChangesResponse current_;
  bool pending_ = false;
  bool writing_ = false;
  bool finished_ = false;
};

}  // namespace

grpc::Status SyncGrpc::UploadActions(grpc::ServerContext* context,
                                     const v1::UploadActionsRequest* request,
                                     v1::UploadActionsResponse* response) {
  if (OfflineBatch::HasUnattributedActions(*request)) SuppressAccessLog();
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return batch_.Upload(c, *request); });
}

grpc::Status SyncGrpc::ListChanges(grpc::ServerContext* context,
                                   const v1::ListChangesRequest* request,
                                   v1::ListChangesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return feed_.ListChanges(c, *request); });
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* SyncGrpc::WatchChanges(
    grpc::CallbackServerContext* context, const v1::WatchChangesRequest* request) {
  auto caller = AuthenticateCall(auth_, context);
  if (!caller.ok()) return new FailedReactor(caller.status());
  int heartbeat = request->heartbeat_seconds() == 0 ? 30 : request->heartbeat_seconds();
  if (heartbeat < 5 || heartbeat > 300) {
    return new FailedReactor(InvalidField("heartbeat_seconds", "must be between 5 and 300"));
  }
  auto interest = feed_.PersonInterest(*caller);
  if (!interest.ok()) return new FailedReactor(interest.status());
  auto position = feed_.Position(*interest, request->cursor());
  if (!position.ok()) return new FailedReactor(position.status());
  return new WatchReactor(feed_, hub_, std::move(*interest), *position,
                          std::chrono::seconds(heartbeat));
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
