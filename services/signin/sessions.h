#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/auth.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/auth/password_hasher.h"
#include "services/auth/sign_in_throttle.h"
#include "services/auth/token_signer.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Sign-in and sessions: the domain rules behind AuthService.
//
// A session is a record under the person ([tenant][person][session]); its refresh token
// "blr1.<person>.<session>.<secret>" is stored only as the SHA-256 of the secret. Access
// tokens name the session, so ending a session (sign-out, password change, deactivation)
// ends its access tokens at once. Service keys "bls1.<account>.<secret>" are stored as the
// SHA-256 of the secret. Thread-safe.
class Sessions {
 public:
  static constexpr int64_t kAccessTokenSeconds = 15 * 60;
  static constexpr int64_t kRefreshTokenSeconds = 30 * 24 * 3600;

  Sessions(storage::Store& store, PeopleDirectory& people, const Access& access,
           PasswordHasher& hasher, const TokenSigner& signer, const Clock& clock)
      : store_(store),
        people_(people),
        access_(access),
        hasher_(hasher),
        signer_(signer),
        clock_(clock),
        throttle_(clock),
        key_throttle_(clock, SignInThrottle::ServiceKeyLimits()) {}

  // `client_address` (the peer's IP, never stored or logged) feeds the throttle
  // (sign_in_throttle.h): too many failures for one person from one address, for one person
  // from unknown addresses, or from one address, and too many attempts being checked at once,
  // are RESOURCE_EXHAUSTED with RetryInfo, refused without hashing.
  // `client_certificate_sha256` is the connection's verified client certificate ("" when
  // none): a service key bound to a certificate signs in only with it.
  absl::StatusOr<v1::SignInResponse> SignIn(const v1::SignInRequest& request,
                                            std::string_view client_address,
                                            std::string_view client_certificate_sha256 = {});
  absl::StatusOr<v1::RefreshTokenResponse> Refresh(const v1::RefreshTokenRequest& request,
                                                   std::string_view client_certificate_sha256 = {});
  absl::StatusOr<v1::SignOutResponse> SignOut(const Caller& caller,
                                              const v1::SignOutRequest& request);
  absl::StatusOr<v1::ChangePasswordResponse> ChangePassword(
      const Caller& caller, const v1::ChangePasswordRequest& request);
  absl::StatusOr<v1::CreateServiceAccountResponse> CreateServiceAccount(
      const Caller& caller, const v1::CreateServiceAccountRequest& request);

 private:
  // `password_change_only`: the password was set by someone else (Session).
  absl::StatusOr<v1::SignInResponse> OpenSession(const v1::Person& person,
                                                 std::string_view client_certificate_sha256 = {},
                                                 bool password_change_only = false);
  std::string AccessToken(const v1::Person& person, uint64_t session_id, int64_t now_seconds,
                          google::protobuf::Timestamp* expire_time) const;

  storage::Store& store_;
  PeopleDirectory& people_;
  const Access& access_;
  PasswordHasher& hasher_;
  const TokenSigner& signer_;
  const Clock& clock_;
  SignInThrottle throttle_;      // passwords, per person (every login spelling) and address
  SignInThrottle key_throttle_;  // service keys, per key id and address
};

}  // namespace branchline
