// TLS with a throwaway CA made in the test: the real server binary started with --tls-cert and
// --tls-key serves clients that trust the CA, and refuses plaintext and untrusting clients.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "branchline/v1/auth.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Makes ca.pem and a server certificate for "localhost" signed by it, in `dir`.
void MakeCertificates(const std::string& dir, const std::string& ca_name) {
  std::string cmd = "cd " + dir +
                    " && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=" + ca_name +
                    "' -keyout ca.key -out ca.pem"
                    " && openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost'"
                    " -keyout server.key -out server.csr"
                    " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext"
                    " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
                    " -days 2 -extfile san.ext -out server.pem";
  ASSERT_EQ(std::system((cmd + " > /dev/null 2>&1").c_str()), 0) << cmd;
}

grpc::Status SignIn(std::shared_ptr<grpc::ChannelCredentials> credentials, int port) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), credentials, args);
  auto auth = v1::AuthService::NewStub(channel);
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password("admin-password-1");
  v1::SignInResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return auth->SignIn(&ctx, request, &response);
}

TEST(TlsTest, ServesTrustingClientsOnly) {
  TempDir dir, other_ca;
  MakeCertificates(dir.path(), "Branchline Test CA");
  MakeCertificates(other_ca.path(), "Another CA");
  ServerProcess server(dir.Sub("data"),
                       {"--admin-password", "admin-password-1", "--tls-cert", dir.Sub("server.pem"),
                        "--tls-key", dir.Sub("server.key")});
  ASSERT_NE(server.port(), 0);

  grpc::SslCredentialsOptions trusting;
  trusting.pem_root_certs = Read(dir.Sub("ca.pem"));
  auto status = SignIn(grpc::SslCredentials(trusting), server.port());
  EXPECT_TRUE(status.ok()) << status.error_message();

  grpc::SslCredentialsOptions untrusting;
  untrusting.pem_root_certs = Read(other_ca.Sub("ca.pem"));
  EXPECT_EQ(SignIn(grpc::SslCredentials(untrusting), server.port()).error_code(),
            grpc::UNAVAILABLE);
  EXPECT_EQ(SignIn(grpc::InsecureChannelCredentials(), server.port()).error_code(),
            grpc::UNAVAILABLE);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(TlsTest, MissingCertificateFilesStopTheStart) {
  TempDir dir;
  std::string command = std::string(BRANCHLINE_SERVER_BINARY) +
                        " --listen 127.0.0.1:0 --data-dir " + dir.Sub("data") + " --tls-cert " +
                        dir.Sub("none.pem") + " --tls-key " + dir.Sub("none.key") + " > " +
                        dir.Sub("log") + " 2>&1";
  EXPECT_NE(std::system(command.c_str()), 0);
  EXPECT_NE(Read(dir.Sub("log")).find("cannot read"), std::string::npos) << Read(dir.Sub("log"));
  // Nothing was bootstrapped, so no generated password was printed to a failed start.
  EXPECT_EQ(Read(dir.Sub("log")).find("Initial password"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data")));
}

}  // namespace
}  // namespace branchline
