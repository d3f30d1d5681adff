// Client certificates for service accounts, with a throwaway CA made by `openssl` in the test:
// the real server with --tls-client-ca still serves clients without a certificate (phones),
// refuses certificates of other CAs, and a service account bound to one certificate signs in
// and calls only over a connection presenting it.
#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using testing::TestServer;

constexpr char kAdminPassword[] = "admin-password-1";

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Run(const std::string& dir, const std::string& commands) {
  std::string cmd = "cd " + dir + " && " + commands + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// ca.pem/ca.key, and a server certificate for localhost signed by it, in `dir`.
void MakeCa(const std::string& dir, const std::string& name) {
  Run(dir,
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
      "'/CN=" +
          name +
          "' -keyout ca.key -out ca.pem"
          " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "
          "'/CN=localhost'"
          " -keyout server.key -out server.csr"
          " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext"
          " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
          " -days 2 -extfile san.ext -out server.pem");
}

// <name>.pem/<name>.key: a client certificate signed by the CA in `dir`.
void MakeClient(const std::string& dir, const std::string& name) {
  Run(dir,
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=" + name +
          "' -keyout " + name + ".key -out " + name + ".csr && openssl x509 -req -in " + name +
          ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " + name + ".pem");
}

// What `openssl x509 -fingerprint -sha256` prints, "AB:CD:...", as an operator would paste it.
std::string Fingerprint(const std::string& dir, const std::string& name) {
  std::string cmd = "openssl x509 -in " + dir + "/" + name + ".pem -noout -fingerprint -sha256";
  std::string line(256, '\0');
  FILE* out = popen(cmd.c_str(), "r");
  EXPECT_NE(out, nullptr) << cmd;
  if (!out) return "";
  line.resize(fread(line.data(), 1, line.size(), out));
  pclose(out);
  auto eq = line.find('=');
  EXPECT_NE(eq, std::string::npos) << line;
  return eq == std::string::npos ? "" : line.substr(eq + 1, 95);
}

class ClientCertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeCa(dir_.path(), "Branchline Test CA");
    MakeClient(dir_.path(), "payroll");
    MakeClient(dir_.path(), "intruder");
    MakeCa(other_.path(), "Another CA");
    MakeClient(other_.path(), "payroll");
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--admin-password", kAdminPassword, "--tls-cert",
                                 dir_.Sub("server.pem"), "--tls-key", dir_.Sub("server.key"),
                                 "--tls-client-ca", dir_.Sub("ca.pem")});
    ASSERT_NE(server_->port(), 0) << server_->ReadLog();
  }
  void TearDown() override { EXPECT_EQ(server_->Stop(SIGTERM), 0); }

  // A channel trusting the test CA, presenting `client` (a file stem in `dir`) if given.
  std::shared_ptr<grpc::Channel> Channel(const std::string& client = "",
                                         const TempDir* dir = nullptr) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(dir_.Sub("ca.pem"));
    if (!client.empty()) {
      const TempDir& d = dir ? *dir : dir_;
      ssl.pem_private_key = Read(d.Sub(client + ".key"));
      ssl.pem_cert_chain = Read(d.Sub(client + ".pem"));
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    // Each channel its own connection: a certificate belongs to a connection.
    args.SetInt("grpc.channel_id", next_channel_++);
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(ssl), args);
  }

  grpc::Status SignIn(std::shared_ptr<grpc::Channel> channel, const v1::SignInRequest& request,
                      v1::SignInResponse* response) {
    auto ctx = TestServer::Ctx("");
    return v1::AuthService::NewStub(channel)->SignIn(ctx.get(), request, response);
  }

  std::string AdminToken() {
    v1::SignInRequest request;
    request.set_login("admin");
    request.set_password(kAdminPassword);
    v1::SignInResponse response;
    EXPECT_TRUE(SignIn(Channel(), request, &response).ok());
    admin_org_ = response.person().organization_id();
    return response.access_token();
  }

  grpc::Status CreateAccount(const std::string& fingerprint,
                             v1::CreateServiceAccountResponse* out) {
    std::string admin = AdminToken();
    v1::CreateServiceAccountRequest request;
    request.set_request_id(TestServer::RequestId());
    request.set_organization_id(admin_org_);
    request.set_display_name("HR payroll");
    request.add_scopes(v1::SCOPE_PEOPLE_READ);
    request.set_client_certificate_sha256(fingerprint);
    return v1::AuthService::NewStub(Channel())->CreateServiceAccount(TestServer::Ctx(admin).get(),
                                                                     request, out);
  }

  grpc::Status ListPeople(std::shared_ptr<grpc::Channel> channel, const std::string& token) {
    v1::ListPeopleRequest request;
    request.set_organization_id(admin_org_);
    v1::ListPeopleResponse response;
    return v1::PersonService::NewStub(channel)->ListPeople(TestServer::Ctx(token).get(), request,
                                                           &response);
  }

  TempDir dir_, other_;
  std::unique_ptr<ServerProcess> server_;
  uint64_t admin_org_ = 0;
  int next_channel_ = 1;
};

TEST_F(ClientCertTest, PhonesWithoutCertificatesAreServed) { EXPECT_FALSE(AdminToken().empty()); }

TEST_F(ClientCertTest, CertificatesOfOtherCasAreRefused) {
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password(kAdminPassword);
  v1::SignInResponse response;
  EXPECT_EQ(SignIn(Channel("payroll", &other_), request, &response).error_code(),
            grpc::UNAVAILABLE);
}

TEST_F(ClientCertTest, BoundKeyWorksOnlyWithItsCertificate) {
  v1::CreateServiceAccountResponse created;
  std::string fingerprint = Fingerprint(dir_.path(), "payroll");
  ASSERT_EQ(fingerprint.size(), 95u) << fingerprint;
  auto status = CreateAccount(fingerprint, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::SignInRequest request;
  request.set_service_key(created.service_key());
  v1::SignInResponse session;

  // The key alone, or with another certificate of the same CA: refused.
  EXPECT_EQ(SignIn(Channel(), request, &session).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(SignIn(Channel("intruder"), request, &session).error_code(), grpc::UNAUTHENTICATED);

  auto payroll = Channel("payroll");
  status = SignIn(payroll, request, &session);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(ListPeople(payroll, session.access_token()).ok());

  // The token, or the refresh token, taken to a connection without the certificate: refused.
  EXPECT_EQ(ListPeople(Channel(), session.access_token()).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(ListPeople(Channel("intruder"), session.access_token()).error_code(),
            grpc::UNAUTHENTICATED);
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(session.refresh_token());
  v1::RefreshTokenResponse refreshed;
  EXPECT_EQ(v1::AuthService::NewStub(Channel())
                ->RefreshToken(TestServer::Ctx("").get(), refresh, &refreshed)
                .error_code(),
            grpc::UNAUTHENTICATED);
  auto ok = v1::AuthService::NewStub(payroll)->RefreshToken(TestServer::Ctx("").get(), refresh,
                                                            &refreshed);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_TRUE(ListPeople(payroll, refreshed.access_token()).ok());
  EXPECT_EQ(ListPeople(Channel(), refreshed.access_token()).error_code(), grpc::UNAUTHENTICATED);
}

TEST_F(ClientCertTest, UnboundKeysAndLowercaseFingerprintsWork) {
  v1::CreateServiceAccountResponse unbound;
  ASSERT_TRUE(CreateAccount("", &unbound).ok());
  v1::SignInRequest request;
  request.set_service_key(unbound.service_key());
  v1::SignInResponse session;
  EXPECT_TRUE(SignIn(Channel(), request, &session).ok());

  std::string fingerprint = Fingerprint(dir_.path(), "payroll");
  std::string plain;
  for (char c : fingerprint) {
    if (c != ':') plain += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  v1::CreateServiceAccountResponse bound;
  ASSERT_TRUE(CreateAccount(plain, &bound).ok());
  request.set_service_key(bound.service_key());
  EXPECT_TRUE(SignIn(Channel("payroll"), request, &session).ok());
}

TEST_F(ClientCertTest, MalformedFingerprintsNameTheField) {
  for (std::string bad : {std::string("abc"), std::string(64, 'g'), std::string(95, ':'),
                          std::string(63, 'a') + ":"}) {
    v1::CreateServiceAccountResponse out;
    auto status = CreateAccount(bad, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(testing::ViolationField(status), "client_certificate_sha256") << bad;
  }
}

TEST(ClientCertStartTest, ClientCaWithoutTlsStopsTheStart) {
  TempDir dir;
  std::string command = std::string(BRANCHLINE_SERVER_BINARY) +
                        " --listen 127.0.0.1:0 --data-dir " + dir.Sub("data") +
                        " --tls-client-ca " + dir.Sub("ca.pem") + " > " + dir.Sub("log") + " 2>&1";
  EXPECT_NE(std::system(command.c_str()), 0);
  EXPECT_NE(Read(dir.Sub("log")).find("--tls-client-ca needs TLS"), std::string::npos)
      << Read(dir.Sub("log"));
}

}  // namespace
}  // namespace branchline
