// --trusted-proxy: behind the nginx edge the sign-in throttle counts phones by the X-Real-IP
// the edge sends, so one address guessing passwords does not lock out everyone else; and the
// header is ignored from connections that are not the trusted proxy, so a client cannot pick
// a fresh throttle bucket by sending it.
#include <gtest/gtest.h>
#include <signal.h>

#include "branchline/v1/auth.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;

grpc::StatusCode SignIn(v1::AuthService::Stub& auth, const std::string& real_ip,
                        const std::string& login, const std::string& password) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-real-ip", real_ip);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SignInRequest request;
  request.set_login(login);
  request.set_password(password);
  v1::SignInResponse response;
  return auth.SignIn(&ctx, request, &response).error_code();
}

// 50 failures (the per-address limit) from `guesser`, each for another login so the
// per-account limit never applies.
void Guess(v1::AuthService::Stub& auth, const std::string& guesser) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(SignIn(auth, guesser, "nobody-" + std::to_string(i), "wrong-password"),
              grpc::UNAUTHENTICATED);
  }
}

TEST(TrustedProxyTest, ThrottleCountsTheAddressTheEdgePassesOn) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"),
                       {"--admin-password", "admin-password-1", "--trusted-proxy", "127.0.0.1"});
  auto auth = v1::AuthService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  Guess(*auth, "198.51.100.1");
  EXPECT_EQ(SignIn(*auth, "198.51.100.1", "admin", "admin-password-1"), grpc::RESOURCE_EXHAUSTED);
  // Another phone behind the same edge signs in.
  EXPECT_EQ(SignIn(*auth, "198.51.100.2", "admin", "admin-password-1"), grpc::OK);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(TrustedProxyTest, UntrustedClientsCannotChooseTheirAddress) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--admin-password", "admin-password-1"});
  auto auth = v1::AuthService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  Guess(*auth, "198.51.100.1");
  // Without --trusted-proxy the header means nothing: still this connection's address.
  EXPECT_EQ(SignIn(*auth, "198.51.100.2", "admin", "admin-password-1"), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace branchline
