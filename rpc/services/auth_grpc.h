#pragma once

#include <string>
#include <vector>

#include "branchline/v1/auth.grpc.pb.h"
#include "services/auth/authenticator.h"
#include "services/signin/sessions.h"

namespace branchline {

// gRPC adapter of AuthService over Sessions.
class AuthGrpc final : public v1::AuthService::Service {
 public:
  // `trusted_proxies`: see ClientAddress (client_address.h).
  AuthGrpc(Sessions& sessions, const Authenticator& auth,
           std::vector<std::string> trusted_proxies = {})
      : sessions_(sessions), auth_(auth), trusted_proxies_(std::move(trusted_proxies)) {}

  grpc::Status SignIn(grpc::ServerContext* context, const v1::SignInRequest* request,
                      v1::SignInResponse* response) override;
  grpc::Status RefreshToken(grpc::ServerContext* context, const v1::RefreshTokenRequest* request,
                            v1::RefreshTokenResponse* response) override;
  grpc::Status SignOut(grpc::ServerContext* context, const v1::SignOutRequest* request,
                       v1::SignOutResponse* response) override;
  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              v1::ChangePasswordResponse* response) override;
  grpc::Status CreateServiceAccount(grpc::ServerContext* context,
                                    const v1::CreateServiceAccountRequest* request,
                                    v1::CreateServiceAccountResponse* response) override;

 private:
  Sessions& sessions_;
  const Authenticator& auth_;
  const std::vector<std::string> trusted_proxies_;
};

}  // namespace branchline
