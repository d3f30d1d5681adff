#pragma once

#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "services/auth/caller.h"
#include "services/auth/token_signer.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Turns the `authorization` metadata of a call into a Caller. Every service calls it first;
// health and reflection do not.
//
// UNAUTHENTICATED when the metadata is missing, the token is malformed, tampered, expired
// or issued in the future, its session was ended (sign-out, password change), or the
// person is deactivated. Thread-safe.
// What a call needs of its session. A session opened with a password someone else set (an
// administrator's reset) may only change the password or sign out.
enum class SessionUse { kAnyCall, kPasswordChange };

class Authenticator {
 public:
  Authenticator(const storage::Store& store, const TokenSigner& signer, const Clock& clock)
      : store_(store), signer_(signer), clock_(clock) {}

  // `authorization` is the raw metadata value, "Bearer <token>". A session bound to a client
  // certificate (a service account's) is accepted only when `peer_certificate_sha256()`
  // returns that certificate's SHA-256; it is called only for such sessions (parsing the
  // peer's certificate on every call would cost every caller). PERMISSION_DENIED naming
  // `password_change_required` when the session may only change its password and `use` is
  // not kPasswordChange.
  absl::StatusOr<Caller> Authenticate(std::string_view authorization,
                                      absl::FunctionRef<std::string()> peer_certificate_sha256,
                                      SessionUse use = SessionUse::kAnyCall) const;
  // The same on a connection without a client certificate.
  absl::StatusOr<Caller> Authenticate(std::string_view authorization,
                                      SessionUse use = SessionUse::kAnyCall) const {
    return Authenticate(
        authorization, [] { return std::string(); }, use);
  }

 private:
  const storage::Store& store_;
  const TokenSigner& signer_;
  const Clock& clock_;
};

// Stages the deletion of every session of `person_id` except `keep_session`: their refresh
// and access tokens stop working once the write commits.
absl::Status StageEndSessions(const storage::Store& store, storage::WriteSet& writes,
                              uint64_t person_id, uint64_t keep_session = 0);

// Stages lifting the password-change-only restriction of the caller's own session (after
// they changed their password).
absl::Status StageLiftPasswordChangeOnly(const storage::Store& store, storage::WriteSet& writes,
                                         const Caller& caller);

// The Caller of an active person (used after sign-in too).
Caller CallerFromPerson(const v1::Person& person, uint64_t session_id);

}  // namespace branchline
