#pragma once

#include <grpcpp/grpcpp.h>

#include <QByteArray>
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
#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/handbook.grpc.pb.h"
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
    Enqueue<Stub>(receiver, [this, method, request = std::move(request), done, failed](
                                Stub* stub, const std::string& token, const QString& address,
                                QPointer<QObject> target) {
      grpc::ClientContext context;
      Prepare(&context, token, kCallDeadline);
      Resp response;
      grpc::Status status = (stub->*method)(&context, request, &response);
      Answer(target, done, failed, std::move(response),
             status.ok() ? QString() : DescribeError(status, address));
    });
  }

  // A server stream of chunks (an export's file) read whole: `done` gets the `data` bytes of
  // every message in order, or `failed` the error of the stream, never part of a file. The
  // stream is read with the sync API on the worker like every other call, because the class
  // promises one queue in the order of the calls; the callback API would answer on gRPC's
  // threads beside it. Later calls wait behind a download, as behind any slow call.
  template <class Stub, class Req, class Chunk>
  void Download(QObject* receiver,
                std::unique_ptr<grpc::ClientReader<Chunk>> (Stub::*method)(grpc::ClientContext*,
                                                                           const Req&),
                Req request, std::function<void(const QByteArray&)> done,
                std::function<void(const QString&)> failed = nullptr) {
    Enqueue<Stub>(receiver, [this, method, request = std::move(request), done, failed](
                                Stub* stub, const std::string& token, const QString& address,
                                QPointer<QObject> target) {
      grpc::ClientContext context;
      Prepare(&context, token, kDownloadDeadline);
      QByteArray file;
      Chunk chunk;
      std::unique_ptr<grpc::ClientReader<Chunk>> reader = (stub->*method)(&context, request);
      while (reader->Read(&chunk)) {
        file.append(chunk.data().data(), static_cast<qsizetype>(chunk.data().size()));
      }
      grpc::Status status = reader->Finish();
      if (!status.ok()) file.clear();
      Answer(target, done, failed, std::move(file),
             status.ok() ? QString() : DescribeError(status, address));
    });
  }

  // A stored file, or its thumbnail, read whole in ranges (GetFileContent answers at most
  // 1 MiB a call): offset by offset until the file's size, then checked against its SHA-256.
  // `done` gets every byte, or `failed` the error of the range that failed (or that the bytes
  // do not match), never part of a file. On the worker and in the queue like every call.
  void ReadFile(QObject* receiver, uint64_t file_id, bool thumbnail,
                std::function<void(const QByteArray&)> done,
                std::function<void(const QString&)> failed = nullptr);

 signals:
  // Every failed call, for the status bar (views may also show their own message).
  void CallFailed(const QString& message);
  void BusyChanged(bool busy);

 private:
  // A question answered from the server's data: longer would only keep the window waiting on
  // a server that is gone.
  static constexpr std::chrono::seconds kCallDeadline{15};
  // A file the server makes whole before its first chunk (every section read, then drawn) and
  // then sends over an office line: generous, but still ends a call to a server that stopped.
  static constexpr std::chrono::seconds kDownloadDeadline{180};
  // One range of ReadFile, each a call with kCallDeadline: half the server's largest, so a
  // range still arrives in time over a slow office line (35 KB/s).
  static constexpr uint32_t kFileRangeBytes = 512 * 1024;

  // The prologue of every call: counts it as pending (BusyChanged), then queues `work` on the
  // worker behind every earlier call. `work` gets the service's stub, the token and the server
  // address as they are now, and `receiver` as a guard that is null once it is gone.
  template <class Stub, class Work>
  void Enqueue(QObject* receiver, Work work) {
    Stub* stub = std::get<std::unique_ptr<Stub>>(stubs_).get();
    const std::string token = token_;
    const QString address = address_;
    ++pending_;
    emit BusyChanged(true);
    QPointer<QObject> target(receiver);
    QMetaObject::invokeMethod(
        worker_,
        [stub, token, address, target, work = std::move(work)] {
          work(stub, token, address, target);
        },
        Qt::QueuedConnection);
  }

  // Deadline, the caller's token and the language of refusals, on every call alike.
  static void Prepare(grpc::ClientContext* context, const std::string& token,
                      std::chrono::seconds deadline);

  // Back on the UI thread (from the worker): `done` with the value, or `failed` and
  // CallFailed with `error` when it is not empty; nothing when `target` is gone.
  template <class Value, class Done>
  void Answer(QPointer<QObject> target, Done done, std::function<void(const QString&)> failed,
              Value value, QString error) {
    QMetaObject::invokeMethod(
        this,
        [this, target, done, failed, value = std::move(value), error = std::move(error)] {
          Finished();
          if (!target) return;
          if (error.isEmpty()) {
            if (done) done(value);
          } else {
            if (failed) failed(error);
            emit CallFailed(error);
          }
        },
        Qt::QueuedConnection);
  }

  void Finished();

  QString address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::tuple<std::unique_ptr<v1::AuthService::Stub>, std::unique_ptr<v1::OrganizationService::Stub>,
             std::unique_ptr<v1::PersonService::Stub>, std::unique_ptr<v1::AttendanceService::Stub>,
             std::unique_ptr<v1::StudyService::Stub>, std::unique_ptr<v1::FeedbackService::Stub>,
             std::unique_ptr<v1::CalendarService::Stub>,
             std::unique_ptr<v1::EvaluationService::Stub>,
             std::unique_ptr<v1::RecordsService::Stub>, std::unique_ptr<v1::HandbookService::Stub>,
             std::unique_ptr<v1::FileService::Stub>>
      stubs_;
  std::string token_;
  int pending_ = 0;
  QThread thread_;
  QObject* worker_ = nullptr;  // lives on thread_; owned by thread_'s finished signal
};

}  // namespace branchline::desk
