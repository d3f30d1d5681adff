#pragma once

#include <grpcpp/support/status.h>

#include <QString>

namespace branchline::desk {

// The sentence the secretary sees when a call fails: what went wrong in words, never a bare
// status code, so "the server is down" and "you may not do this" are told apart. The server's
// google.rpc.LocalizedMessage (Chinese: the client asks for zh-CN) when the status has one.
QString DescribeError(const grpc::Status& status, const QString& server_address);

}  // namespace branchline::desk
