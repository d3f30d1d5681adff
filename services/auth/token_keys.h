#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace branchline {

// The keys that sign access tokens, kept in the data directory:
//   token.key           the current key: 32 random bytes (mode 0600); signs every new token;
//   token.key.previous  keys retired by rotations (mode 0600), each with the time it retired,
//                       newest first: 8-byte big-endian seconds then the 32-byte key, per key.
// A token names its key (TokenSigner::KeyId), so one signed just before a rotation verifies
// until it expires (15 minutes), and nobody is signed out by a rotation. Refresh tokens do not
// depend on these keys (they are random secrets stored as hashes).
struct TokenKeys {
  struct Retired {
    std::string key;
    int64_t retired_at = 0;  // seconds since the epoch
  };
  std::string current;
  std::vector<Retired> previous;  // newest first
};

// The previous keys' file: the key file's path plus this.
inline constexpr char kPreviousTokenKeysSuffix[] = ".previous";

// Reads the keys, creating the current key file when it is missing (a first start). Errors:
// UNAVAILABLE when a file cannot be read or written, DATA_LOSS when one is malformed,
// PERMISSION_DENIED when others may read one.
absl::StatusOr<TokenKeys> LoadOrCreateTokenKeys(const std::string& key_path);
// The same without creating anything: NOT_FOUND when the current key file is missing.
absl::StatusOr<TokenKeys> LoadTokenKeys(const std::string& key_path);

// Makes a new current key and keeps the old one as a previous key retired at `now_seconds`;
// previous keys retired more than `keep_seconds` before now are dropped (0: the old current
// key is dropped at once too, which ends every access token: for a leaked key). Writes the
// previous keys first, then the current key, each to a temporary file that is synced and
// renamed over the old one (0600), so a server reading them at any moment finds a key for
// every token it signed. Errors as LoadOrCreateTokenKeys; NOT_FOUND without a current key.
absl::StatusOr<TokenKeys> RotateTokenKeys(const std::string& key_path, int64_t now_seconds,
                                          int64_t keep_seconds);

}  // namespace branchline
