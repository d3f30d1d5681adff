#pragma once

#include <atomic>
#include <cstdint>

#include "grpcpp/support/server_interceptor.h"

namespace branchline {

class CancelledCallGuard;
class ServerMetrics;

// What a stop needs to know of the calls (server.cc Shutdown), kept by the interceptor.
struct CallsInProgress {
  // Unary calls from their start to their end.
  std::atomic<int> unary{0};
  // When the last call of any kind started (steady clock, ns).
  std::atomic<int64_t> last_start_ns{0};
  // Set by a stop: every new call of ours is refused with UNAVAILABLE before its handler runs.
  std::atomic<bool> stopping{false};
};

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
//   (server/connection_churn.h);
// - (when `calls` is set) calls in progress are counted there, and once a stop began every new
//   call of ours is refused with UNAVAILABLE ("the server is stopping"), which clients retry
//   with the same request_id, before its handler runs.
class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(bool access_log, ServerMetrics* metrics = nullptr,
                                  CancelledCallGuard* churn = nullptr,
                                  CallsInProgress* calls = nullptr)
      : access_log_(access_log), metrics_(metrics), churn_(churn), calls_(calls) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  bool access_log_;
  ServerMetrics* metrics_;
  CancelledCallGuard* churn_;
  CallsInProgress* calls_;
};

}  // namespace branchline
