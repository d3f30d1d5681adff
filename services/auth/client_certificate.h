#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace branchline {

// Client certificates bind service accounts to a machine: with --tls-client-ca the server asks
// every TLS client for a certificate (phones may send none) and verifies any it gets against
// that CA. A service account created with a certificate fingerprint works only on connections
// presenting that certificate.

// SHA-256 of the DER encoding of the verified certificate the peer presented; "" when none
// (plaintext, or TLS without a client certificate).
std::string PeerCertificateSha256(const grpc::ServerContextBase& context);

// SHA-256 of the DER encoding of the first certificate in `pem`; "" when it does not parse.
std::string CertificateSha256FromPem(std::string_view pem);

// 64 hex digits, either case, optionally in colon-separated pairs (as `openssl x509
// -fingerprint -sha256` prints them) -> 32 bytes. INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCertificateFingerprint(std::string_view text,
                                                        std::string_view field);

}  // namespace branchline
