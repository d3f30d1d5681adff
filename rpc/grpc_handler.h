#pragma once

#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "rpc/call_log.h"
#include "rpc/compression.h"
#include "rpc/grpc_status.h"
#include "rpc/peer_certificate.h"
#include "rpc/request_refusal.h"
#include "services/auth/authenticator.h"
#include "services/common/audit_trail.h"
#include "services/common/call_cancellation.h"

namespace branchline {

// The value of one metadata entry of the call ("" when absent).
inline std::string_view MetadataValue(const grpc::ServerContextBase* context,
                                      std::string_view key) {
  const auto& md = context->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

// The caller of a call: its `authorization` metadata, checked against the client certificate
// of the connection when the session is bound to one. `use`: see SessionUse.
inline absl::StatusOr<Caller> AuthenticateCall(const Authenticator& auth,
                                               const grpc::ServerContextBase* context,
                                               SessionUse use = SessionUse::kAnyCall) {
  return auth.Authenticate(
      MetadataValue(context, "authorization"),
      [context] { return PeerCertificateSha256(*context); }, use);
}

// The caller as the audit records of the call's writes name it.
inline AuditActor AuditActorOf(const Caller& caller, const grpc::ServerContextBase* context) {
  return {caller.person_id, caller.organization_id, caller.service_account,
          AuditClient(MetadataValue(context, "user-agent"))};
}

// CallCancelled() for a sync call: installed by every handler whose work can be long
// (HandleAuthenticated, the CSV streams), so long loops stop with CANCELLED, or
// DEADLINE_EXCEEDED once the call's deadline has passed.
inline CallCancellationScope CancellationOf(const grpc::ServerContext* context) {
  return CallCancellationScope([context] { return context->IsCancelled(); }, context->deadline());
}

// The body of every authenticated unary handler: authenticate the caller from the call's
// metadata, run the domain function, copy its answer out and map the status. Large answers
// (pages of rosters, reports, changes) are gzip-compressed for clients that accept it.
template <typename Response, typename Fn>
grpc::Status HandleAuthenticated(const Authenticator& auth, grpc::ServerContext* context,
                                 Response* out, Fn&& fn, SessionUse use = SessionUse::kAnyCall) {
  if (auto refused = TakeRequestRefusal(static_cast<const grpc::ServerContextBase*>(context))) {
    return ToGrpcStatus(*refused);
  }
  auto caller = AuthenticateCall(auth, context, use);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  SetLoggedCaller(caller->person_id);
  AuditActorScope actor(AuditActorOf(*caller, context));
  CallCancellationScope cancellation = CancellationOf(context);
  absl::StatusOr<Response> result = fn(*caller);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = std::move(*result);
  CompressIfLarge(context, out->ByteSizeLong());
  return grpc::Status::OK;
}

// The same for calls that need no caller (sign-in, refresh).
template <typename Response, typename Fn>
grpc::Status HandleAnonymous(Response* out, Fn&& fn) {
  absl::StatusOr<Response> result = fn();
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace branchline
