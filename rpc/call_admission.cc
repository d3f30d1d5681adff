#include "rpc/call_admission.h"

#include <utility>

#include "rpc/grpc_status.h"

namespace branchline {

absl::StatusOr<Caller> AdmitCall(const Authenticator& auth, const grpc::ServerContextBase* context,
                                 const std::function<bool()>& parse) {
  // The interceptor answers the refusal itself (rpc/call_marks.h): this status is
  // replaced.
  if (RefusedBeforeHandler(context)) return absl::AbortedError("refused before the handler");
  if (parse && !parse()) return UnparseableRequestStatus();
  return auth.Authenticate(
      MetadataValue(context, "authorization"),
      [context] { return PeerCertificateSha256(*context); },
      ServesPasswordChangeSessions(context) ? SessionUse::kPasswordChange : SessionUse::kAnyCall);
}

namespace {
AuditActor AuditActorOf(const Caller& caller, const grpc::ServerContextBase* context) {
  return {caller.person_id, caller.organization_id, caller.service_account,
          AuditClient(MetadataValue(context, "user-agent"))};
}
}  // namespace

DomainCallScope::DomainCallScope(const Caller& caller, const grpc::ServerContextBase* context,
                                 std::function<bool()> cancelled)
    : actor_(AuditActorOf(caller, context)),
      cancellation_(std::move(cancelled), context->deadline()) {}

}  // namespace branchline
