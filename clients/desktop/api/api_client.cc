#include "clients/desktop/api/api_client.h"

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
            v1::RecordsService::NewStub(channel_)};
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

void ApiClient::Finished() {
  if (--pending_ == 0) emit BusyChanged(false);
}

}  // namespace branchline::desk
