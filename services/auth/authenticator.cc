#include "services/auth/authenticator.h"

#include "branchline/internal/v1/records.pb.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline {

absl::Status StageEndSessions(const storage::Store& store, storage::WriteSet& writes,
                              uint64_t person_id, uint64_t keep_session) {
  return store.Scan(storage::Cf::kSessions, storage::SessionPrefix(person_id), "",
                    [&](std::string_view key, std::string_view) {
                      if (storage::TrailingId(key) != keep_session) {
                        writes.Delete(storage::Cf::kSessions, std::string(key));
                      }
                      return true;
                    });
}

absl::Status StageLiftPasswordChangeOnly(const storage::Store& store, storage::WriteSet& writes,
                                         const Caller& caller) {
  internal::v1::Session session;
  const std::string key = storage::SessionKey(caller.person_id, caller.session_id);
  ASSIGN_OR_RETURN(bool found, store.GetMessage(storage::Cf::kSessions, key, &session));
  if (found && session.password_change_only()) {
    session.set_password_change_only(false);
    writes.PutMessage(storage::Cf::kSessions, key, session);
  }
  return absl::OkStatus();
}

Caller CallerFromPerson(const v1::Person& person, uint64_t session_id) {
  Caller caller;
  caller.person_id = person.id();
  caller.tenant = storage::TenantOfId(person.id());
  caller.session_id = session_id;
  caller.organization_id = person.organization_id();
  caller.role = person.role();
  caller.admin_organization_ids.assign(person.admin_organization_ids().begin(),
                                       person.admin_organization_ids().end());
  caller.system_admin = person.system_admin();
  caller.service_account = person.kind() == v1::PERSON_KIND_SERVICE;
  for (int s : person.scopes()) caller.scopes.push_back(static_cast<v1::Scope>(s));
  return caller;
}

absl::StatusOr<Caller> Authenticator::Authenticate(
    std::string_view authorization, absl::FunctionRef<std::string()> peer_certificate_sha256,
    SessionUse use) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return Refusal(absl::StatusCode::kUnauthenticated, reasons::kMissingAuthorization);
  }
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return DescribedRefusal(absl::StatusCode::kUnauthenticated, reasons::kMissingAuthorization, {},
                            "authorization metadata must be 'Bearer <access token>'");
  }
  ASSIGN_OR_RETURN(auto claims,
                   signer_.Verify(authorization.substr(kBearer.size()), clock_.NowSeconds()));
  internal::v1::Session session;
  ASSIGN_OR_RETURN(
      bool has_session,
      store_.GetMessage(storage::Cf::kSessions,
                        storage::SessionKey(claims.person_id(), claims.session_id()), &session));
  if (!has_session) return Refusal(absl::StatusCode::kUnauthenticated, reasons::kSessionEnded);
  if (!session.client_certificate_sha256().empty() &&
      peer_certificate_sha256() != session.client_certificate_sha256()) {
    return Refusal(absl::StatusCode::kUnauthenticated, reasons::kClientCertificateRequired);
  }
  v1::Person person;
  ASSIGN_OR_RETURN(
      bool has_person,
      store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(claims.person_id()), &person));
  if (!has_person || !person.active()) {
    return Refusal(absl::StatusCode::kUnauthenticated, reasons::kAccountDeactivated);
  }
  if (session.password_change_only() && use != SessionUse::kPasswordChange) {
    return Refusal(absl::StatusCode::kPermissionDenied, reasons::kPasswordChangeRequired,
                   "password_change_required");
  }
  return CallerFromPerson(person, claims.session_id());
}

}  // namespace branchline
