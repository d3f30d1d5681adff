#include "services/auth/auth_grpc.h"

#include "services/auth/grpc_handler.h"

namespace branchline {

grpc::Status AuthGrpc::SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                              v1::SignInResponse* response) {
  // "ipv4:1.2.3.4:5678" -> "ipv4:1.2.3.4": the throttle counts per address, not per port.
  std::string peer = context->peer();
  auto port = peer.rfind(':');
  std::string address = port == std::string::npos ? peer : peer.substr(0, port);
  return HandleAnonymous(response, [&] { return sessions_.SignIn(*request, address); });
}

grpc::Status AuthGrpc::RefreshToken(grpc::ServerContext*, const v1::RefreshTokenRequest* request,
                                    v1::RefreshTokenResponse* response) {
  return HandleAnonymous(response, [&] { return sessions_.Refresh(*request); });
}

grpc::Status AuthGrpc::SignOut(grpc::ServerContext* context, const v1::SignOutRequest* request,
                               v1::SignOutResponse* response) {
  return HandleAuthenticated(auth_, context, response,
                             [&](const Caller& c) { return sessions_.SignOut(c, *request); });
}

grpc::Status AuthGrpc::ChangePassword(grpc::ServerContext* context,
                                      const v1::ChangePasswordRequest* request,
                                      v1::ChangePasswordResponse* response) {
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
