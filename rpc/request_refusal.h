#pragma once

#include <optional>

#include "absl/status/status.h"

namespace branchline {

// A request the server refuses before its handler runs (today: too big for its method, see
// rpc/methods.h). The call interceptor sees the parsed request first and files the
// refusal under the call (its server context); the authenticated handler helper
// (rpc/grpc_handler.h) answers it instead of running the handler. The interceptor
// also empties the request and rewrites the final status, so a handler that does not check
// (the anonymous ones) runs on an empty request and its answer is replaced.
//
// Keyed by call, not by thread: gRPC may run interceptors on another thread than the handler.
// Thread-safe.
void RefuseRequest(const void* call, absl::Status status);
// The refusal filed for `call`, if any; removes it.
std::optional<absl::Status> TakeRequestRefusal(const void* call);

}  // namespace branchline
