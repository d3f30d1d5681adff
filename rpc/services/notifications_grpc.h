#pragma once

#include "branchline/v1/notifications.grpc.pb.h"
#include "rpc/async_stream_call.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/notifications/devices.h"
#include "services/notifications/notification_settings.h"
#include "services/notifications/outbox.h"

namespace branchline {

// gRPC adapter of NotificationService over Outbox, Devices and NotificationSettingsBook.
// Synchronous (short calls), except StreamOutbox: a stream on the completion-queue pollers
// (AsyncStreamCall, with the stream bounds and the stall watchdog) whose entries are read on
// the blocking pool, as the CSV exports are.
class NotificationsGrpc final
    : public v1::NotificationService::WithRawMethod_StreamOutbox<v1::NotificationService::Service>,
      public AcceptsAsyncCalls {
 public:
  NotificationsGrpc(Outbox& outbox, Devices& devices, NotificationSettingsBook& settings,
                    const Authenticator& auth, StreamEnvironment& streams)
      : outbox_(outbox), devices_(devices), settings_(settings), auth_(auth), streams_(streams) {}

  // Accepts the StreamOutbox streams.
  void AcceptAsyncCalls(grpc::ServerCompletionQueue* queue) override;

  grpc::Status ListMyNotifications(grpc::ServerContext* context,
                                   const v1::ListMyNotificationsRequest* request,
                                   v1::ListMyNotificationsResponse* response) override;
  grpc::Status MarkNotificationsRead(grpc::ServerContext* context,
                                     const v1::MarkNotificationsReadRequest* request,
                                     v1::MarkNotificationsReadResponse* response) override;
  grpc::Status AckOutbox(grpc::ServerContext* context, const v1::AckOutboxRequest* request,
                         v1::OutboxPosition* response) override;
  grpc::Status RegisterDevice(grpc::ServerContext* context,
                              const v1::RegisterDeviceRequest* request,
                              v1::Device* response) override;
  grpc::Status RemoveDevice(grpc::ServerContext* context, const v1::RemoveDeviceRequest* request,
                            v1::RemoveDeviceResponse* response) override;
  grpc::Status ListDevices(grpc::ServerContext* context, const v1::ListDevicesRequest* request,
                           v1::ListDevicesResponse* response) override;
  grpc::Status GetNotificationSettings(grpc::ServerContext* context,
                                       const v1::GetNotificationSettingsRequest* request,
                                       v1::NotificationSettings* response) override;
  grpc::Status UpdateNotificationSettings(grpc::ServerContext* context,
                                          const v1::UpdateNotificationSettingsRequest* request,
                                          v1::NotificationSettings* response) override;
  grpc::Status GetMyNotificationPreferences(grpc::ServerContext* context,
                                            const v1::GetMyNotificationPreferencesRequest* request,
                                            v1::NotificationPreferences* response) override;
  grpc::Status UpdateMyNotificationPreferences(
      grpc::ServerContext* context, const v1::UpdateMyNotificationPreferencesRequest* request,
      v1::NotificationPreferences* response) override;

 private:
  Outbox& outbox_;
  Devices& devices_;
  NotificationSettingsBook& settings_;
  const Authenticator& auth_;
  StreamEnvironment& streams_;
};

}  // namespace branchline
