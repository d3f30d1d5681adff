#include "services/signin/sessions.h"

#include <openssl/crypto.h>
#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "services/auth/authenticator.h"
#include "services/auth/client_certificate.h"
#include "services/auth/key_format.h"
#include "services/common/absl_compat.h"
#include "services/common/digest.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {

bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  randombytes_buf(s.data(), n);
  return s;
}

uint64_t RandomNonZero() {
  uint64_t v = 0;
  while (v == 0) randombytes_buf(&v, sizeof v);
  return v;
}

absl::Status WrongCredentials() {
  return Refusal(absl::StatusCode::kUnauthenticated, reasons::kWrongCredentials);
}

}  // namespace

std::string Sessions::AccessToken(const v1::Person& person, uint64_t session_id,
                                  int64_t now_seconds,
                                  google::protobuf::Timestamp* expire_time) const {
  internal::v1::TokenClaims claims;
  claims.set_version(1);
  claims.set_person_id(person.id());
  claims.set_tenant_id(storage::TenantOfId(person.id()));
  claims.set_session_id(session_id);
  claims.set_issued_at(now_seconds);
  claims.set_expires_at(now_seconds + kAccessTokenSeconds);
  expire_time->set_seconds(claims.expires_at());
  return signer_.Sign(claims);
}

absl::StatusOr<v1::SignInResponse> Sessions::OpenSession(const v1::Person& person,
                                                         std::string_view client_certificate_sha256,
                                                         bool password_change_only) {
  int64_t now = clock_.NowMicros();
  int64_t now_seconds = now / 1'000'000;
  std::string secret = RandomBytes(32);
  internal::v1::Session session;
  session.set_session_id(RandomNonZero());
  session.set_person_id(person.id());
  session.set_tenant_id(storage::TenantOfId(person.id()));
  session.set_refresh_token_hash(Sha256(secret));
  session.set_client_certificate_sha256(std::string(client_certificate_sha256));
  session.set_password_change_only(password_change_only);
  *session.mutable_create_time() = ToTimestamp(now);
  session.mutable_expire_time()->set_seconds(now_seconds + kRefreshTokenSeconds);
  storage::WriteSet writes;
  writes.PutMessage(storage::Cf::kSessions, storage::SessionKey(person.id(), session.session_id()),
                    session);
  RETURN_IF_ERROR(store_.Commit(std::move(writes)));

  v1::SignInResponse response;
  response.set_access_token(AccessToken(person, session.session_id(), now_seconds,
                                        response.mutable_access_token_expire_time()));
  response.set_refresh_token(FormatKey("blr1", {person.id(), session.session_id()}, secret));
  *response.mutable_refresh_token_expire_time() = session.expire_time();
  *response.mutable_person() = person;
  response.set_password_change_required(password_change_only);
  return response;
}

absl::StatusOr<v1::SignInResponse> Sessions::SignIn(const v1::SignInRequest& request,
                                                    std::string_view client_address,
                                                    std::string_view client_certificate_sha256) {
  uint64_t tenant = request.tenant_id() == 0 ? 1 : request.tenant_id();
  if (tenant > storage::kMaxTenant) return InvalidField("tenant_id", "is out of range");
  v1::Person person;
  internal::v1::Credential credential;

  if (!request.service_key().empty()) {
    std::vector<uint64_t> ids;
    std::string secret;
    // Throttled per key id and address: a stranger's bad keys hold back only that key id from
    // the stranger's address, never another key; malformed keys share one id per address.
    bool parsed = ParseKey(request.service_key(), "bls1", 1, &ids, &secret);
    ASSIGN_OR_RETURN(
        SignInThrottle::Attempt attempt,
        key_throttle_.Begin(parsed ? "key:" + std::to_string(ids[0]) : "key:?", client_address));
    if (!parsed || storage::TenantOfId(ids[0]) != tenant) {
      return Refusal(absl::StatusCode::kUnauthenticated, reasons::kInvalidServiceKey);
    }
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kCredentials,
                                                   storage::RecordKey(ids[0]), &credential));
    if (!found || !SameBytes(credential.service_key_hash(), Sha256(secret))) {
      return Refusal(absl::StatusCode::kUnauthenticated, reasons::kInvalidServiceKey);
    }
    attempt.Succeeded();
    ASSIGN_OR_RETURN(found,
                     store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(ids[0]), &person));
    if (!found || !person.active() || person.kind() != v1::PERSON_KIND_SERVICE) {
      return Refusal(absl::StatusCode::kUnauthenticated, reasons::kInvalidServiceKey);
    }
    // A key bound to a certificate is half of the credential: a leaked key alone is useless.
    if (!credential.client_certificate_sha256().empty()) {
      if (!SameBytes(credential.client_certificate_sha256(), client_certificate_sha256)) {
        return DescribedRefusal(
            absl::StatusCode::kUnauthenticated, reasons::kClientCertificateRequired, {},
            "this service key works only over a connection with its client certificate");
      }
      return OpenSession(person, credential.client_certificate_sha256());
    }
    return OpenSession(person);
  }

  if (request.login().empty()) return InvalidField("login", "is required");
  if (request.password().empty()) return InvalidField("password", "is required");
  // The login is resolved to the person first, so every spelling of one person (employee
  // number, phone) shares one throttle bucket. An unknown login gets a bucket of its own and
  // the same limits, refusals and hashing time, so nothing tells it from a known one.
  const bool too_long = request.login().size() > 64 || request.password().size() > 512;
  std::optional<std::string> id_bytes;
  if (!too_long) {
    for (const auto& key :
         {PeopleDirectory::EmployeeLoginKey(static_cast<uint32_t>(tenant), request.login()),
          PeopleDirectory::PhoneLoginKey(static_cast<uint32_t>(tenant), request.login())}) {
      // Both spellings are always looked up: a known login costs what an unknown one does.
      ASSIGN_OR_RETURN(std::optional<std::string> spelling, store_.Get(storage::Cf::kIndex, key));
      if (!id_bytes) id_bytes = std::move(spelling);
    }
  }
  uint64_t id = id_bytes ? storage::KeyReader(*id_bytes).U64().value_or(0) : 0;
  // An unknown login's bucket is named by its hash: a 4 MiB login costs the throttle 32 bytes.
  const std::string account =
      id != 0 ? "person:" + std::to_string(id)
              : "login:" + std::to_string(tenant) + ":" + Sha256(request.login());
  // Reserved before hashing: concurrent guesses count at once (issue #19).
  ASSIGN_OR_RETURN(SignInThrottle::Attempt attempt, throttle_.Begin(account, client_address));
  if (too_long) return WrongCredentials();
  bool found = false;
  if (id) {
    ASSIGN_OR_RETURN(
        found, store_.GetMessage(storage::Cf::kCredentials, storage::RecordKey(id), &credential));
  }
  if (!found || credential.password_hash().empty()) {
    hasher_.VerifyDummy(request.password());
    return WrongCredentials();
  }
  if (!hasher_.Verify(credential.password_hash(), request.password())) return WrongCredentials();
  attempt.Succeeded();
  ASSIGN_OR_RETURN(found, store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &person));
  if (!found || !person.active())
    return Refusal(absl::StatusCode::kUnauthenticated, reasons::kAccountDeactivated);
  return OpenSession(person, {}, credential.must_change_password());
}

absl::StatusOr<v1::RefreshTokenResponse> Sessions::Refresh(
    const v1::RefreshTokenRequest& request, std::string_view client_certificate_sha256) {
  if (request.refresh_token().empty()) return InvalidField("refresh_token", "is required");
  std::vector<uint64_t> ids;
  std::string secret;
  auto invalid = Refusal(absl::StatusCode::kUnauthenticated, reasons::kRefreshTokenInvalid);
  if (!ParseKey(request.refresh_token(), "blr1", 2, &ids, &secret)) return invalid;
  internal::v1::Session session;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kSessions,
                                                 storage::SessionKey(ids[0], ids[1]), &session));
  int64_t now_seconds = clock_.NowSeconds();
  if (!found || !SameBytes(session.refresh_token_hash(), Sha256(secret)) ||
      session.expire_time().seconds() <= now_seconds) {
    return invalid;
  }
  if (!session.client_certificate_sha256().empty() &&
      !SameBytes(session.client_certificate_sha256(), client_certificate_sha256)) {
    return DescribedRefusal(
        absl::StatusCode::kUnauthenticated, reasons::kClientCertificateRequired, {},
        "this session works only over a connection with its client certificate");
  }
  v1::Person person;
  ASSIGN_OR_RETURN(found,
                   store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(ids[0]), &person));
  if (!found || !person.active())
    return Refusal(absl::StatusCode::kUnauthenticated, reasons::kAccountDeactivated);
  v1::RefreshTokenResponse response;
  response.set_access_token(AccessToken(person, session.session_id(), now_seconds,
                                        response.mutable_access_token_expire_time()));
  return response;
}

absl::StatusOr<v1::SignOutResponse> Sessions::SignOut(const Caller& caller,
                                                      const v1::SignOutRequest& request) {
  return RunIdempotent<v1::SignOutResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "SignOut"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::SignOutResponse> {
        m.writes().Delete(storage::Cf::kSessions,
                          storage::SessionKey(caller.person_id, caller.session_id));
        return v1::SignOutResponse();
      });
}

absl::StatusOr<v1::ChangePasswordResponse> Sessions::ChangePassword(
    const Caller& caller, const v1::ChangePasswordRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  if (caller.service_account) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                            reasons::kServiceAccountNoPassword, {},
                            "service accounts have keys, not passwords");
  }
  if (request.old_password().empty()) return InvalidField("old_password", "is required");
  RETURN_IF_ERROR(ValidatePassword(request.new_password(), "new_password"));
  ASSIGN_OR_RETURN(std::string new_hash, hasher_.Hash(request.new_password()));
  return RunIdempotent<v1::ChangePasswordResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ChangePassword"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::ChangePasswordResponse> {
        std::string key = storage::RecordKey(caller.person_id);
        m.Lock({key});
        internal::v1::Credential credential;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kCredentials, key, &credential));
        if (!found || !hasher_.Verify(credential.password_hash(), request.old_password())) {
          return Refusal(absl::StatusCode::kInvalidArgument, reasons::kOldPasswordWrong,
                         "old_password");
        }
        credential.set_password_hash(new_hash);
        credential.set_credential_version(credential.credential_version() + 1);
        credential.set_must_change_password(false);
        m.writes().PutMessage(storage::Cf::kCredentials, key, credential);
        RETURN_IF_ERROR(StageEndSessions(store_, m.writes(), caller.person_id, caller.session_id));
        // The session that changed the password may do everything again.
        RETURN_IF_ERROR(StageLiftPasswordChangeOnly(store_, m.writes(), caller));
        return v1::ChangePasswordResponse();
      });
}

absl::StatusOr<v1::CreateServiceAccountResponse> Sessions::CreateServiceAccount(
    const Caller& caller, const v1::CreateServiceAccountRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  RETURN_IF_ERROR(CheckText("display_name", TrimAscii(request.display_name()), 1, 50));
  if (request.scopes().empty()) return InvalidField("scopes", "at least one scope is required");
  for (int s : request.scopes()) {
    if (!v1::Scope_IsValid(s) || s == v1::SCOPE_UNSPECIFIED) {
      return InvalidField("scopes", "contains an unknown scope");
    }
  }
  std::string certificate_sha256;
  if (!request.client_certificate_sha256().empty()) {
    ASSIGN_OR_RETURN(certificate_sha256,
                     ParseCertificateFingerprint(request.client_certificate_sha256(),
                                                 "client_certificate_sha256"));
  }
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Administers(caller, org)) {
    return Denied("creating a service account needs admin scope on organization " +
                  std::to_string(org.id()));
  }
  v1::Person account;
  account.set_organization_id(org.id());
  account.set_display_name(request.display_name());
  account.set_kind(v1::PERSON_KIND_SERVICE);
  *account.mutable_scopes() = request.scopes();
  // Admin scope over the organisation covers any scope there; checked like every grant.
  RETURN_IF_ERROR(
      people_.RequireRightsWithin(caller, account, "scopes", "creating a service account"));
  std::string secret = RandomBytes(32);
  bool created_now = false;
  ASSIGN_OR_RETURN(
      auto response,
      RunIdempotent<v1::CreateServiceAccountResponse>(
          store_, {caller.tenant, caller.person_id, request.request_id(), "CreateServiceAccount"},
          request, clock_.NowMicros(),
          [&](Mutation& m) -> absl::StatusOr<v1::CreateServiceAccountResponse> {
            internal::v1::Credential credential;
            credential.set_service_key_hash(Sha256(secret));
            credential.set_client_certificate_sha256(certificate_sha256);
            v1::CreateServiceAccountResponse stored;
            ASSIGN_OR_RETURN(*stored.mutable_account(), people_.StageNew(m, account, credential));
            created_now = true;
            // The stored answer has no key: keys exist only as hashes. A retry after a lost
            // answer gets the account without its key.
            return stored;
          }));
  if (created_now) {
    response.set_service_key(FormatKey("bls1", {response.account().id()}, secret));
  }
  return response;
}

}  // namespace branchline
