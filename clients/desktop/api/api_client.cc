#include "clients/desktop/api/api_client.h"

#include <QCryptographicHash>
#include <QUuid>

namespace branchline::desk {

ApiClient::ApiClient(const QString& server_address, QObject* parent)
    : QObject(parent), address_(server_address) {
  grpc::ChannelArguments args;
  // A desktop on an office network: notice a dead connection within a minute.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  channel_ = grpc::CreateCustomChannel(server_address.toStdString(),
                                       grpc::InsecureChannelCredentials(), args);
  stubs_ = {v1::AuthService::NewStub(channel_),     v1::OrganizationService::NewStub(channel_),
            v1::PersonService::NewStub(channel_),   v1::AttendanceService::NewStub(channel_),
            v1::StudyService::NewStub(channel_),    v1::FeedbackService::NewStub(channel_),
            v1::CalendarService::NewStub(channel_), v1::EvaluationService::NewStub(channel_),
            v1::RecordsService::NewStub(channel_),  v1::HandbookService::NewStub(channel_),
            v1::FileService::NewStub(channel_)};
  worker_ = new QObject;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.start();
}

ApiClient::~ApiClient() {
  thread_.quit();
  thread_.wait();
}

std::string ApiClient::NewRequestId() {
  return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
}

void ApiClient::Prepare(grpc::ClientContext* context, const std::string& token,
                        std::chrono::seconds deadline) {
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  // Refusals come with a Chinese message to show (docs/errors.md).
  context->AddMetadata("accept-language", "zh-CN");
}

void ApiClient::ReadFile(QObject* receiver, uint64_t file_id, bool thumbnail,
                         std::function<void(const QByteArray&)> done,
                         std::function<void(const QString&)> failed) {
  Enqueue<v1::FileService::Stub>(
      receiver, [this, file_id, thumbnail, done, failed](
                    v1::FileService::Stub* stub, const std::string& token, const QString& address,
                    QPointer<QObject> target) {
        QByteArray file;
        QString error;
        v1::FileContent range;
        do {
          v1::GetFileContentRequest request;
          request.set_id(file_id);
          request.set_offset(static_cast<uint64_t>(file.size()));
          request.set_length(kFileRangeBytes);
          request.set_thumbnail(thumbnail);
          grpc::ClientContext context;
          Prepare(&context, token, kCallDeadline);
          grpc::Status status = stub->GetFileContent(&context, request, &range);
          if (!status.ok()) {
            error = DescribeError(status, address);
            break;
          }
          file.append(range.data().data(), static_cast<qsizetype>(range.data().size()));
          // An empty range before the end would never end; the digest below refuses the rest.
        } while (!range.data().empty() && static_cast<uint64_t>(file.size()) < range.total_bytes());
        if (error.isEmpty() && QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex() !=
                                   QByteArray::fromStdString(range.sha256()).toLower()) {
          error = QStringLiteral(
              "下载不完整 The downloaded file does not match its SHA-256 checksum; try again.");
        }
        if (!error.isEmpty()) file.clear();
        Answer(target, done, failed, std::move(file), error);
      });
}

void ApiClient::Finished() {
  if (--pending_ == 0) emit BusyChanged(false);
}

}  // namespace branchline::desk
