#pragma once

#include <atomic>
#include <cstdint>

#include "grpcpp/support/server_interceptor.h"
#include "rpc/call_observer.h"

namespace branchline::rpc {

// What a stop needs to know of the calls (server.cc Shutdown), kept by the interceptor.
struct CallsInProgress {
  // Unary calls from their start to their end.
  std::atomic<int> unary{0};
  // When the last call of any kind started (steady clock, ns).
  std::atomic<int64_t> last_start_ns{0};
  // Set by a stop: every new call of ours is refused with UNAVAILABLE before its handler runs.
  std::atomic<bool> stopping{false};
};

// One interceptor on every call: the steps every call passes whatever its handler's shape
// (sync, async, stream), at its start and at its final status.
// - A request bigger than its method accepts (rpc/methods.h) is RESOURCE_EXHAUSTED naming the
//   field "request", and its handler never runs.
// - A request gRPC itself could not parse (in practice: a string field that is not valid
//   UTF-8) is INVALID_ARGUMENT, not the INTERNAL that gRPC's protobuf deserializer answers.
// - Every refusal gets a google.rpc.LocalizedMessage in the caller's language.
// - `calls` (when set) counts the calls in progress, and once a stop began every new call of
//   ours is refused with UNAVAILABLE ("the server is stopping"), which clients retry with the
//   same request_id, before its handler runs.
// - `observer` (when set) is told of streams, of each call's final status (with the caller
//   the access log may name) and of calls reset before their request arrived.
class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(CallObserver* observer = nullptr,
                                  CallsInProgress* calls = nullptr)
      : observer_(observer), calls_(calls) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  CallObserver* observer_;
  CallsInProgress* calls_;
};

}  // namespace branchline::rpc
