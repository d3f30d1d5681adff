#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace branchline {

// Client certificates bind service accounts to a machine: with --tls-client-ca the server asks
// every TLS client for a certificate (phones may send none) and verifies any it gets against
// that CA. A service account created with a certificate fingerprint works only on connections
// presenting that certificate. The transport reads the peer's certificate
// (rpc/peer_certificate.h); these are the pure parts.

// SHA-256 of the DER encoding of the first certificate in `pem`; "" when it does not parse.
std::string CertificateSha256FromPem(std::string_view pem);

// 64 hex digits, either case, optionally in colon-separated pairs (as `openssl x509
// -fingerprint -sha256` prints them) -> 32 bytes. INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCertificateFingerprint(std::string_view text,
                                                        std::string_view field);

}  // namespace branchline
