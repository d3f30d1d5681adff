#include "rpc/peer_certificate.h"

#include "grpcpp/security/auth_context.h"
#include "services/auth/client_certificate.h"

namespace branchline {

std::string PeerCertificateSha256(const grpc::ServerContextBase& context) {
  auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  // The transport sets this property only for a certificate that passed verification
  // against --tls-client-ca (SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY).
  auto pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return "";
  return CertificateSha256FromPem(std::string_view(pems[0].data(), pems[0].size()));
}

}  // namespace branchline
