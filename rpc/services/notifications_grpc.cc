#include "rpc/services/notifications_grpc.h"

#include <cstddef>
#include <utility>
#include <vector>

#include "rpc/grpc_handler.h"

namespace branchline {

namespace {

// One StreamOutbox call: the entries are read on the blocking pool when the call begins (at
// most Outbox::kMaxEntries, found within Outbox::kMaxScanned keys), then written one at a
// time with no thread held while the gateway reads slowly. The stream ends when they are
// sent; the gateway acknowledges what it handed on and calls again.
class OutboxStreamCall final : public AsyncStreamCall {
 public:
  OutboxStreamCall(StreamEnvironment& env, grpc::ServerCompletionQueue* queue, Requester request,
                   const Outbox& outbox)
      : AsyncStreamCall(env, queue),
        env_(env),
        queue_(queue),
        request_fn_(std::move(request)),
        outbox_(outbox) {
    Listen(request_fn_);
  }

 private:
  void ListenForNext() override { new OutboxStreamCall(env_, queue_, request_fn_, outbox_); }

  bool Parse(const grpc::ByteBuffer& bytes) override {
    grpc::ByteBuffer copy(bytes);
    return grpc::SerializationTraits<v1::StreamOutboxRequest>::Deserialize(&copy, &request_).ok();
  }

  bool BeginsBlocking() const override { return true; }

  absl::Status Begin(const Caller& caller) override {
    auto entries = outbox_.Read(caller, request_);
    if (!entries.ok()) return entries.status();
    std::lock_guard lock(mu_);
    entries_ = std::move(*entries);
    return absl::OkStatus();
  }

  void ProduceLocked() override {
    if (sent_ >= entries_.size()) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    QueueLocked(entries_[sent_++]);
  }

  StreamEnvironment& env_;
  grpc::ServerCompletionQueue* const queue_;
  const Requester request_fn_;
  const Outbox& outbox_;
  v1::StreamOutboxRequest request_;
  std::vector<v1::OutboxEntry> entries_;  // guarded by mu_
  size_t sent_ = 0;                       // guarded by mu_
};

}  // namespace

void NotificationsGrpc::AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) {
  new OutboxStreamCall(streams_, queue,
                       AsyncStreamCall::Bind(this, &NotificationsGrpc::RequestStreamOutbox),
                       outbox_);
}

grpc::Status NotificationsGrpc::ListMyNotifications(grpc::ServerContext* context,
                                                    const v1::ListMyNotificationsRequest* request,
                                                    v1::ListMyNotificationsResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return outbox_.ListMine(c, *request); });
}

grpc::Status NotificationsGrpc::MarkNotificationsRead(
    grpc::ServerContext* context, const v1::MarkNotificationsReadRequest* request,
    v1::MarkNotificationsReadResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return outbox_.MarkRead(c, *request); });
}

grpc::Status NotificationsGrpc::AckOutbox(grpc::ServerContext* context,
                                          const v1::AckOutboxRequest* request,
                                          v1::OutboxPosition* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return outbox_.Ack(c, *request); });
}

grpc::Status NotificationsGrpc::RegisterDevice(grpc::ServerContext* context,
                                               const v1::RegisterDeviceRequest* request,
                                               v1::Device* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return devices_.Register(c, *request); });
}

grpc::Status NotificationsGrpc::RemoveDevice(grpc::ServerContext* context,
                                             const v1::RemoveDeviceRequest* request,
                                             v1::RemoveDeviceResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return devices_.Remove(c, *request); });
}

grpc::Status NotificationsGrpc::ListDevices(grpc::ServerContext* context,
                                            const v1::ListDevicesRequest* request,
                                            v1::ListDevicesResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return devices_.List(c, *request); });
}

grpc::Status NotificationsGrpc::GetNotificationSettings(
    grpc::ServerContext* context, const v1::GetNotificationSettingsRequest* request,
    v1::NotificationSettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return settings_.Get(c, *request); });
}

grpc::Status NotificationsGrpc::UpdateNotificationSettings(
    grpc::ServerContext* context, const v1::UpdateNotificationSettingsRequest* request,
    v1::NotificationSettings* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return settings_.Update(c, *request); });
}

grpc::Status NotificationsGrpc::GetMyNotificationPreferences(
    grpc::ServerContext* context, const v1::GetMyNotificationPreferencesRequest*,
    v1::NotificationPreferences* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return settings_.GetMine(c); });
}

grpc::Status NotificationsGrpc::UpdateMyNotificationPreferences(
    grpc::ServerContext* context, const v1::UpdateMyNotificationPreferencesRequest* request,
    v1::NotificationPreferences* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return settings_.UpdateMine(c, *request); });
}

}  // namespace branchline
