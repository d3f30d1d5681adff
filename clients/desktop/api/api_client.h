#pragma once

#include <grpcpp/grpcpp.h>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/evaluation.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/records.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "clients/desktop/api/error_text.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// The one door to the server. Every call runs on a worker thread (the window never freezes
// while the network is slow or down) and its answer comes back to the caller's thread as a
// queued call on `receiver`; when `receiver` is gone by then, the answer is dropped.
// Calls run one after another in the order they were made.
class ApiClient : public QObject {
  Q_OBJECT

 public:
  explicit ApiClient(const QString& server_address, QObject* parent = nullptr);
  ~ApiClient() override;

  const QString& server_address() const { return address_; }
  // The access token every later call carries (set after sign-in).
  void SetAccessToken(const std::string& token) { token_ = token; }
  // Calls made but not yet answered (UI thread only); tests wait for 0.
  int pending() const { return pending_; }

  // A fresh idempotency key for a mutating call.
  static std::string NewRequestId();

  template <class Stub, class Req, class Resp>
  void Call(QObject* receiver,
            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Req request,
            std::type_identity_t<std::function<void(const Resp&)>> done,
            std::function<void(const QString&)> failed = nullptr) {
    Stub* stub = std::get<std::unique_ptr<Stub>>(stubs_).get();
    const std::string token = token_;
    const QString address = address_;
    ++pending_;
    emit BusyChanged(true);
    QPointer<QObject> target(receiver);
    QMetaObject::invokeMethod(
        worker_,
        [this, stub, method, request = std::move(request), token, address, target, done, failed] {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
          if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
          // Refusals come with a Chinese message to show (docs/errors.md).
          context.AddMetadata("accept-language", "zh-CN");
          Resp response;
          grpc::Status status = (stub->*method)(&context, request, &response);
          QString error = status.ok() ? QString() : DescribeError(status, address);
          QMetaObject::invokeMethod(
              this,
              [this, target, done, failed, response = std::move(response), error] {
                Finished();
                if (!target) return;
                if (error.isEmpty()) {
                  if (done) done(response);
                } else {
                  if (failed) failed(error);
                  emit CallFailed(error);
                }
              },
              Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
  }

 signals:
  // Every failed call, for the status bar (views may also show their own message).
  void CallFailed(const QString& message);
  void BusyChanged(bool busy);

 private:
  void Finished();

  QString address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::tuple<std::unique_ptr<v1::AuthService::Stub>, std::unique_ptr<v1::OrganizationService::Stub>,
             std::unique_ptr<v1::PersonService::Stub>, std::unique_ptr<v1::AttendanceService::Stub>,
             std::unique_ptr<v1::StudyService::Stub>, std::unique_ptr<v1::FeedbackService::Stub>,
             std::unique_ptr<v1::CalendarService::Stub>,
             std::unique_ptr<v1::EvaluationService::Stub>,
             std::unique_ptr<v1::RecordsService::Stub>>
      stubs_;
  std::string token_;
  int pending_ = 0;
  QThread thread_;
  QObject* worker_ = nullptr;  // lives on thread_; owned by thread_'s finished signal
};

}  // namespace branchline::desk
