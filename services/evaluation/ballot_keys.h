#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace branchline::evaluation {

// The server's half of RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Deterministic:
// EMSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt, with the client's random token as
// the message). Each anonymous round has its own key, so a ballot is good for one round only.
// The client half (blinding, unblinding) is clients/common/blind_ballot.h. Thread-safe: pure
// functions over DER bytes.

struct BallotKey {
  std::string private_der;  // PKCS#8
  std::string public_der;   // SubjectPublicKeyInfo
};

// 2048 bits: RFC 9474's smallest recommended size; made once per round (about 0.1 s).
inline constexpr int kBallotKeyBits = 2048;

// A fresh key pair. INTERNAL only when OpenSSL fails (no entropy).
absl::StatusOr<BallotKey> NewBallotKey();

// The raw RSA signature (blinded^d mod n) of a blinded token, which must be exactly the
// modulus length and below the modulus: INVALID_ARGUMENT naming "blinded_token" otherwise.
absl::StatusOr<std::string> SignBlinded(std::string_view private_der, std::string_view blinded);

// Whether `signature` is the key's RSASSA-PSS signature of `token`.
bool VerifyBallot(std::string_view public_der, std::string_view token, std::string_view signature);

}  // namespace branchline::evaluation
