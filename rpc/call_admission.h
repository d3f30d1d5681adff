#pragma once

#include <functional>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "rpc/call_marks.h"
#include "rpc/call_metadata.h"
#include "rpc/peer_certificate.h"
#include "services/auth/authenticator.h"
#include "services/common/audit_trail.h"
#include "services/common/call_cancellation.h"

namespace branchline {

// The per-call steps every authenticated call of ours takes before its domain function, on
// each of the three paths (HandleAuthenticated in grpc_handler.h, AsyncUnaryMethod,
// AsyncStreamCall), written once so the paths cannot drift apart.

// Admits a call, in this order: not when the call interceptor refused it (too large for its
// method, the server stopping; the interceptor answers that); the request parsed by `parse` on the
// paths that receive bytes (null where gRPC parsed it); the caller from the call's `authorization`
// metadata, checked against the connection's client certificate when the session is bound to one.
// A session that may only change its password is admitted where the method's line in
// rpc/methods.cc says Auth::kAnySession (the interceptor marks those calls; rpc/call_marks.h).
absl::StatusOr<Caller> AdmitCall(const Authenticator& auth, const grpc::ServerContextBase* context,
                                 const std::function<bool()>& parse = nullptr);

// What an admitted call's domain function runs under, until destroyed: the caller as the audit
// records of its writes name it, and the cancellation its long loops check (`cancelled`; the
// deadline tells DEADLINE_EXCEEDED from CANCELLED).
class DomainCallScope {
 public:
  DomainCallScope(const Caller& caller, const grpc::ServerContextBase* context,
                  std::function<bool()> cancelled);

 private:
  AuditActorScope actor_;
  CallCancellationScope cancellation_;
};

}  // namespace branchline
