#include "clients/desktop/api/error_text.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace branchline::desk {

namespace {

// The server's message for people (google.rpc.LocalizedMessage, in the language the client
// asked for; docs/errors.md), "" when the status has none.
std::string LocalizedMessage(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) return "";
  for (const auto& detail : rpc.details()) {
    google::rpc::LocalizedMessage localized;
    if (detail.Is<google::rpc::LocalizedMessage>() && detail.UnpackTo(&localized)) {
      return localized.message();
    }
  }
  return "";
}

}  // namespace

QString DescribeError(const grpc::Status& status, const QString& server_address) {
  // The localized message when the server gave one (every refusal of ours has one), else the
  // developer message.
  const std::string localized = LocalizedMessage(status);
  const QString detail =
      QString::fromStdString(localized.empty() ? status.error_message() : localized);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return QStringLiteral(
                 "无法连接服务器 Cannot reach the server at %1. Check the network "
                 "and that the server is running, then try again.")
          .arg(server_address);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return QStringLiteral("服务器无响应 The server at %1 did not answer in time; try again.")
          .arg(server_address);
    case grpc::StatusCode::UNAUTHENTICATED:
      return QStringLiteral("请重新登录 Not signed in or the session expired: %1").arg(detail);
    case grpc::StatusCode::PERMISSION_DENIED:
      return QStringLiteral("无权操作 The server refused: %1").arg(detail);
    case grpc::StatusCode::INVALID_ARGUMENT:
      return QStringLiteral("输入有误 Please correct the input: %1").arg(detail);
    case grpc::StatusCode::NOT_FOUND:
      return QStringLiteral("未找到 Not found: %1").arg(detail);
    case grpc::StatusCode::FAILED_PRECONDITION:
      return QStringLiteral("当前无法操作 Not possible now: %1").arg(detail);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return QStringLiteral("请稍后再试 Too many attempts: %1").arg(detail);
    default:
      return QStringLiteral("服务器错误 Server error (%1): %2")
          .arg(static_cast<int>(status.error_code()))
          .arg(detail);
  }
}

}  // namespace branchline::desk
