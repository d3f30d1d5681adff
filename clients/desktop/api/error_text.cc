#include "clients/desktop/api/error_text.h"

namespace branchline::desk {

QString DescribeError(const grpc::Status& status, const QString& server_address) {
  const QString detail = QString::fromStdString(status.error_message());
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
