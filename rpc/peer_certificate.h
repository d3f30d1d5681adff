#pragma once

#include <string>

#include "grpcpp/server_context.h"

namespace branchline {

// SHA-256 of the DER encoding of the verified certificate the peer presented; "" when none
// (plaintext, or TLS without a client certificate). Service accounts bound to a certificate
// compare it (services/auth/client_certificate.h).
std::string PeerCertificateSha256(const grpc::ServerContextBase& context);

}  // namespace branchline
