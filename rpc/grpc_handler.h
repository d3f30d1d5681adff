#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "rpc/call_admission.h"
#include "rpc/call_log.h"
#include "rpc/compression.h"
#include "rpc/grpc_status.h"
#include "services/auth/authenticator.h"

namespace branchline {

// The body of every authenticated unary handler on the sync API: admit the call (the
// interceptor's refusal, then the caller; rpc/call_admission.h), name the caller on its
// access-log line, run the domain function under the caller's audit identity and the call's
// cancellation (a long loop stops with CANCELLED once the client is gone, DEADLINE_EXCEEDED
// once the deadline passed), copy its answer out and map the status. Large answers (pages of
// rosters, reports, changes) are gzip-compressed for clients that accept it.
template <typename Response, typename Fn>
grpc::Status HandleAuthenticated(const Authenticator& auth, grpc::ServerContext* context,
                                 Response* out, Fn&& fn) {
  auto caller = AdmitCall(auth, context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  SetLoggedCaller(context, caller->person_id);
  DomainCallScope scope(*caller, context, [context] { return context->IsCancelled(); });
  absl::StatusOr<Response> result = fn(*caller);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = std::move(*result);
  CompressIfLarge(context, out->ByteSizeLong());
  return grpc::Status::OK;
}

// The same for calls that need no caller (sign-in, refresh). When the interceptor refused the
// call, they run on an emptied request and the interceptor replaces their answer
// (rpc/call_marks.h).
template <typename Response, typename Fn>
grpc::Status HandleAnonymous(Response* out, Fn&& fn) {
  absl::StatusOr<Response> result = fn();
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace branchline
