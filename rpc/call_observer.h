#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "grpcpp/support/status_code_enum.h"

namespace branchline::rpc {

// What the call interceptor (rpc/call_interceptor.h) tells about each call, for the server to
// record: the access log, the metrics and the rapid-reset guard live above the transport, and
// the transport knows none of them. Called from gRPC's threads concurrently.
class CallObserver {
 public:
  virtual ~CallObserver() = default;

  // A streaming call started or ended (ended also when its client went away without a status).
  virtual void StreamStarted() = 0;
  virtual void StreamEnded() = 0;

  // A call's final status went out. Not told for a call that may leave no trace (an anonymous
  // author's, rpc/call_log.h): even its time, next to the author's other calls, could name them.
  struct FinishedCall {
    const char* method;  // the full gRPC method name
    grpc::StatusCode code;
    std::chrono::steady_clock::duration duration;
    uint64_t caller;  // the person the access log may name; 0 for nobody
  };
  virtual void CallFinished(const FinishedCall& call) = 0;

  // A call of ours ended without its request, and not because the request did not parse: it
  // was reset before its message arrived, the signature of an HTTP/2 rapid-reset flood.
  // `peer` is gRPC's name for its connection.
  virtual void ResetBeforeRequest(const std::string& peer) = 0;
};

}  // namespace branchline::rpc
