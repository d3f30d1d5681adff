// Fuzzes the credentials a client hands the server: access tokens (TokenSigner::Verify),
// refresh tokens and service keys (ParseKey), client certificate fingerprints. Nothing crashes,
// only canonical spellings are accepted, and a token signed over arbitrary claim bytes is accepted
// only when those claims are well formed and current.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "services/auth/client_certificate.h"
#include "services/auth/key_format.h"
#include "services/auth/token_signer.h"
#include "services/common/absl_compat.h"
#include "storage/key_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;  // fixed, so every input replays the same way

const branchline::TokenSigner& Signer() {
  static const branchline::TokenSigner signer(std::string(32, 'k'));
  return signer;
}

void CheckAccessToken(std::string_view text) {
  auto claims = Signer().Verify(text, kNow);
  if (claims.ok()) {
    // The only token the fuzzer can get accepted is one it could not forge: re-signing the
    // claims must give back exactly the accepted text (in the format it came in: with a key
    // id, or the earlier one without).
    FUZZ_CHECK(Signer().Sign(*claims) == text ||
               branchline::TokenSigner::SignWithoutKeyIdForTesting(std::string(32, 'k'), *claims) ==
                   text);
  } else {
    FUZZ_CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
  }
}

// Signs the input as the claims payload, as if the attacker knew the key's output for it:
// reaches the claims checks behind the MAC.
void CheckSignedPayload(std::string_view payload) {
  branchline::internal::v1::TokenClaims parsed;
  if (!parsed.ParseFromString(std::string(payload))) return;
  std::string token = Signer().Sign(parsed);
  auto claims = Signer().Verify(token, kNow);
  if (!claims.ok()) {
    FUZZ_CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
    return;
  }
  FUZZ_CHECK(claims->version() == 1 && claims->person_id() != 0 && claims->tenant_id() != 0);
  FUZZ_CHECK(branchline::storage::TenantOfId(claims->person_id()) == claims->tenant_id());
  FUZZ_CHECK(claims->expires_at() > kNow);
  FUZZ_CHECK(claims->issued_at() <= kNow + branchline::TokenSigner::kMaxSkewSeconds);
}

void CheckKey(std::string_view text, std::string_view prefix, size_t id_count) {
  std::vector<uint64_t> ids;
  std::string secret;
  if (!branchline::ParseKey(text, prefix, id_count, &ids, &secret)) return;
  FUZZ_CHECK(ids.size() == id_count && secret.size() == 32);
  for (uint64_t id : ids) FUZZ_CHECK(id != 0);
  FUZZ_CHECK(branchline::FormatKey(prefix, ids, secret) == text);
}

// Certificate fingerprints: 32 bytes out, or INVALID_ARGUMENT; and a parsed fingerprint spelled
// back as plain hex parses to the same bytes.
void CheckFingerprint(std::string_view text) {
  auto bytes = branchline::ParseCertificateFingerprint(text, "f");
  if (!bytes.ok()) {
    FUZZ_CHECK(bytes.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(bytes->size() == 32);
  std::string hex;
  for (unsigned char c : *bytes) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  auto again = branchline::ParseCertificateFingerprint(hex, "f");
  FUZZ_CHECK(again.ok() && *again == *bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckAccessToken(text);
  CheckSignedPayload(text);
  CheckKey(text, "blr1", 2);
  CheckKey(text, "bls1", 1);
  CheckFingerprint(text);
  // The same text with the prefixes in front, so short inputs reach the parsers' insides.
  CheckAccessToken("bl1." + std::string(text));
  static const std::string kKeyIdPrefix =
      "bl2." + branchline::TokenSigner::KeyId(std::string(32, 'k')) + ".";
  CheckAccessToken(kKeyIdPrefix + std::string(text));
  CheckKey("blr1." + std::string(text), "blr1", 2);
  CheckKey("bls1." + std::string(text), "bls1", 1);
  return 0;
}
