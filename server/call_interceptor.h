#pragma once

#include "grpcpp/support/server_interceptor.h"

namespace branchline {

class CancelledCallGuard;
class ServerMetrics;

// One interceptor on every call, for three jobs:
// - the access log: one line per call with method, status, duration and the caller's id
//   (never tokens, passwords, peer addresses, or the author of an anonymous letter);
// - a request gRPC itself could not parse (in practice: a string field that is not valid
//   UTF-8) is INVALID_ARGUMENT, not the INTERNAL that gRPC's protobuf deserializer answers;
// - metrics (when `metrics` is set): calls and latency by method and code, active streams;
// - a request bigger than its method accepts (rpc/methods.h) is RESOURCE_EXHAUSTED
//   naming the field "request", and its handler never runs;
// - (when `churn` is set) a call that ends without a request that parsed is counted against
//   its connection, which is closed when it does so like a rapid-reset flood
//   (server/connection_churn.h).
class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(bool access_log, ServerMetrics* metrics = nullptr,
                                  CancelledCallGuard* churn = nullptr)
      : access_log_(access_log), metrics_(metrics), churn_(churn) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  bool access_log_;
  ServerMetrics* metrics_;
  CancelledCallGuard* churn_;
};

}  // namespace branchline
