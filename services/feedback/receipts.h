#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/feedback_records.pb.h"
#include "services/common/hmac_sha256.h"

namespace branchline::feedback {

// Receipt codes of anonymous letters: "<letter id>.<22 base64url characters>".
//
// The secret part is 128 bits derived as HMAC-SHA256(server key, tenant, request id), so a
// retried SubmitLetter (same request id) can show the same code again although the server
// never stores it: the letter keeps only a random salt and SHA-256(salt || secret). Nothing
// that names the author enters the derivation. A lost code cannot be recovered (the request
// id lives only on the author's phone). Thread-safe (immutable after construction).
class Receipts {
 public:
  // `key`: 32 secret bytes kept in the data directory (see server.cc).
  explicit Receipts(std::string_view key) : mac_(key) {}

  // The code of letter `letter_id` submitted with `request_id` in `tenant`.
  std::string Code(uint32_t tenant, uint64_t letter_id, std::string_view request_id) const;

  // Stores a fresh salt and the salted hash of `code`'s secret in `record`.
  static void Seal(internal::v1::LetterRecord& record, std::string_view code);

  // The letter id named by a well-formed code; INVALID_ARGUMENT naming `field` otherwise.
  static absl::StatusOr<uint64_t> LetterId(std::string_view code, std::string_view field);
  // Whether `code` opens `record` (constant-time comparison of the salted hash).
  static bool Opens(const internal::v1::LetterRecord& record, std::string_view code);

 private:
  HmacSha256 mac_;
};

// Hex SHA-256 of `parts` joined: idempotency keys of calls that must not name their caller
// (64 printable characters, so they pass as a request id).
std::string AnonymousRequestKey(std::string_view purpose, uint64_t scope_id,
                                std::string_view request_id);

}  // namespace branchline::feedback
