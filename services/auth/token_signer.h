#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "services/auth/token_keys.h"
#include "services/common/hmac_sha256.h"

namespace branchline {

// Signs and verifies access tokens: "bl2.<key id>.<base64url claims>.<base64url HMAC-SHA256>".
// The claims are a serialized internal TokenClaims; the key id (8 hex digits, KeyId) names the
// key that signed, the current one or one kept after a rotation (token_keys.h). Tokens of the
// earlier format "bl1.<claims>.<mac>" (no key id, signed before key ids existed) are verified
// with each kept key, so the tokens of a server upgraded to this version keep working until
// they expire. Thread-safe.
class TokenSigner {
 public:
  static constexpr size_t kKeyBytes = 32;
  // Tolerated clock difference for "issued in the future".
  static constexpr int64_t kMaxSkewSeconds = 60;
  // How long a key stays accepted after it retired: an access token's lifetime (15 minutes,
  // Sessions::kAccessTokenSeconds) plus the clock skew; a token signed with an older key is
  // refused.
  static constexpr int64_t kKeepRetiredSeconds = 15 * 60 + kMaxSkewSeconds;

  // One fixed key (tests, tools).
  explicit TokenSigner(std::string_view key);
  // The current key and the previous ones.
  explicit TokenSigner(const TokenKeys& keys);

  // A signer over the key files at `key_path` (token.key and token.key.previous), made when
  // missing. It follows the files: a rotation by `branchline-server --rotate-token-key` (or
  // keys copied from another server of a cluster) is picked up within kReloadInterval, and at
  // once when a token names a key it does not know. Errors as LoadOrCreateTokenKeys.
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FollowKeyFiles(const std::string& key_path);
  static constexpr std::chrono::seconds kReloadInterval{5};

  // Reads the key file at `path`, or creates it with 32 random bytes and mode 0600. Errors:
  // UNAVAILABLE when it cannot be read or written, DATA_LOSS when it has the wrong size,
  // PERMISSION_DENIED when others may read it.
  static absl::StatusOr<std::string> LoadOrCreateKey(const std::string& path);

  // The id a token carries for `key`: the first 4 bytes of its SHA-256 in hex.
  static std::string KeyId(std::string_view key);

  // Signed with the current key.
  std::string Sign(const internal::v1::TokenClaims& claims) const;
  // The claims of a well-formed, correctly signed, unexpired token; UNAUTHENTICATED with a
  // reason otherwise (a key no longer kept: "signed with a retired key").
  absl::StatusOr<internal::v1::TokenClaims> Verify(std::string_view token,
                                                   int64_t now_seconds) const;

  // The format before key ids ("bl1."), for tests of upgraded servers.
  static std::string SignWithoutKeyIdForTesting(std::string_view key,
                                                const internal::v1::TokenClaims& claims);

 private:
  struct Key {
    std::string id;
    HmacSha256 mac;
    int64_t retired_at;  // 0: the current key
  };
  using Keyring = std::vector<Key>;  // [0] is the current key
  static std::shared_ptr<const Keyring> MakeKeyring(const TokenKeys& keys);
  std::shared_ptr<const Keyring> keyring() const { return std::atomic_load(&keyring_); }
  // Reloads the key files when they changed (`force`: a token named an unknown key; at most
  // once a second) or kReloadInterval passed since the last look.
  void MaybeReload(bool force) const;

  mutable std::shared_ptr<const Keyring> keyring_;
  // Set when following key files.
  std::string key_path_;
  mutable std::mutex reload_mu_;
  mutable std::atomic<int64_t> next_check_ns_{0};
  mutable int64_t next_forced_ns_ = 0;  // under reload_mu_
  mutable std::string files_identity_;  // under reload_mu_
};

}  // namespace branchline
