#include "rpc/services/auth_grpc.h"

#include "rpc/grpc_handler.h"
#include "services/auth/client_address.h"

namespace branchline {

grpc::Status AuthGrpc::SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                              v1::SignInResponse* response) {
  // The throttle counts per address, not per port; behind the edge, per phone's address.
  std::string address =
      ClientAddress(context->peer(), MetadataValue(context, "x-real-ip"), trusted_proxies_);
  return HandleAnonymous(response, [&] {
    return sessions_.SignIn(*request, address, PeerCertificateSha256(*context));
  });
}

grpc::Status AuthGrpc::RefreshToken(grpc::ServerContext* context,
                                    const v1::RefreshTokenRequest* request,
                                    v1::RefreshTokenResponse* response) {
  return HandleAnonymous(
      response, [&] { return sessions_.Refresh(*request, PeerCertificateSha256(*context)); });
}

grpc::Status AuthGrpc::SignOut(grpc::ServerContext* context, const v1::SignOutRequest* request,
                               v1::SignOutResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return sessions_.SignOut(c, *request); });
}

grpc::Status AuthGrpc::ChangePassword(grpc::ServerContext* context,
                                      const v1::ChangePasswordRequest* request,
                                      v1::ChangePasswordResponse* response) {
  // With sign-out, the one call a session opened with someone else's password may make (its
  // line in rpc/methods.cc says kAnySession).
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return sessions_.ChangePassword(c, *request);
  });
}

grpc::Status AuthGrpc::CreateServiceAccount(grpc::ServerContext* context,
                                            const v1::CreateServiceAccountRequest* request,
                                            v1::CreateServiceAccountResponse* response) {
  return HandleAuthenticated(auth_, context, response, [&](const Caller& c) {
    return sessions_.CreateServiceAccount(c, *request);
  });
}

}  // namespace branchline
