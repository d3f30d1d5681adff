#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "services/common/hmac_sha256.h"

namespace branchline {

// Signs and verifies access tokens: "bl1.<base64url claims>.<base64url HMAC-SHA256>".
// The claims are a serialized internal TokenClaims; the key is 32 random bytes kept in the
// data directory. Thread-safe (immutable after construction).
class TokenSigner {
 public:
  static constexpr size_t kKeyBytes = 32;
  // Tolerated clock difference for "issued in the future".
  static constexpr int64_t kMaxSkewSeconds = 60;

  explicit TokenSigner(std::string_view key) : mac_(key) {}

  // Reads the key file at `path`, or creates it with 32 random bytes and mode 0600. Errors:
  // UNAVAILABLE when it cannot be read or written, DATA_LOSS when it has the wrong size,
  // PERMISSION_DENIED when others may read it.
  static absl::StatusOr<std::string> LoadOrCreateKey(const std::string& path);

  std::string Sign(const internal::v1::TokenClaims& claims) const;
  // The claims of a well-formed, correctly signed, unexpired token; UNAUTHENTICATED with a
  // reason otherwise.
  absl::StatusOr<internal::v1::TokenClaims> Verify(std::string_view token,
                                                   int64_t now_seconds) const;

 private:
  HmacSha256 mac_;
};

}  // namespace branchline
