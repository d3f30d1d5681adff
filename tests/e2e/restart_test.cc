// The real server binary: write through the API, stop it (gracefully, then with SIGKILL),
// start it again on the same data directory and read everything back.
#include <gtest/gtest.h>
#include <signal.h>

#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/server.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using testing::TestServer;

struct Client {
  explicit Client(const std::string& address)
      : channel(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        auth(v1::AuthService::NewStub(channel)),
        orgs(v1::OrganizationService::NewStub(channel)),
        people(v1::PersonService::NewStub(channel)) {}

  std::string SignIn(const std::string& login, const std::string& password,
                     v1::SignInResponse* out = nullptr) {
    v1::SignInRequest r;
    r.set_login(login);
    r.set_password(password);
    v1::SignInResponse response;
    grpc::ClientContext ctx;
    auto status = auth->SignIn(&ctx, r, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (out) *out = response;
    return response.access_token();
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AuthService::Stub> auth;
  std::unique_ptr<v1::OrganizationService::Stub> orgs;
  std::unique_ptr<v1::PersonService::Stub> people;
};

// Creates a branch with a person; returns (org id, person id).
std::pair<uint64_t, uint64_t> WriteSomething(Client& c, const std::string& suffix) {
  v1::SignInResponse admin;
  std::string token = c.SignIn("admin", "admin-password-1", &admin);
  v1::CreateOrganizationRequest org_request;
  org_request.set_request_id("org-" + suffix);
  org_request.mutable_organization()->set_parent_id(admin.person().organization_id());
  org_request.mutable_organization()->set_name("煤质化验班党支部 " + suffix);
  org_request.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
  v1::Organization org;
  EXPECT_TRUE(c.orgs->CreateOrganization(TestServer::Ctx(token).get(), org_request, &org).ok());
  v1::CreatePersonRequest person_request;
  person_request.set_request_id("person-" + suffix);
  person_request.mutable_person()->set_organization_id(org.id());
  person_request.mutable_person()->set_display_name("王师傅");
  person_request.mutable_person()->set_employee_number("W-" + suffix);
  person_request.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
  person_request.set_initial_password("password-123");
  v1::Person person;
  EXPECT_TRUE(c.people->CreatePerson(TestServer::Ctx(token).get(), person_request, &person).ok());
  return {org.id(), person.id()};
}

void ReadBack(Client& c, uint64_t org_id, uint64_t person_id, const std::string& suffix) {
  std::string token = c.SignIn("admin", "admin-password-1");
  v1::GetOrganizationRequest get_org;
  get_org.set_id(org_id);
  v1::Organization org;
  ASSERT_TRUE(c.orgs->GetOrganization(TestServer::Ctx(token).get(), get_org, &org).ok());
  EXPECT_EQ(org.name(), "煤质化验班党支部 " + suffix);
  v1::GetPersonRequest get_person;
  get_person.set_id(person_id);
  v1::Person person;
  ASSERT_TRUE(c.people->GetPerson(TestServer::Ctx(token).get(), get_person, &person).ok());
  EXPECT_EQ(person.display_name(), "王师傅");
  c.SignIn("W-" + suffix, "password-123");  // credentials survived too
}

TEST(RestartTest, GracefulStopAndKillKeepEveryAcknowledgedWrite) {
  TempDir dir;
  std::string data = dir.Sub("data");
  std::pair<uint64_t, uint64_t> first, second;
  {
    ServerProcess server(data, {"--admin-password", "admin-password-1"});
    Client c(server.address());
    first = WriteSomething(c, "a");
    EXPECT_EQ(server.Stop(SIGTERM), 0) << server.ReadLog();
    // One access-log line per call, naming the caller but never a secret.
    auto log = server.ReadLog();
    EXPECT_NE(log.find("call method=/branchline.v1.OrganizationService/CreateOrganization "
                       "status=0"),
              std::string::npos)
        << log;
    EXPECT_EQ(log.find("admin-password-1"), std::string::npos);
    EXPECT_EQ(log.find("password-123"), std::string::npos);
    EXPECT_EQ(log.find("bl2."), std::string::npos);  // no access token
    EXPECT_EQ(log.find("bl1."), std::string::npos);
    EXPECT_NE(server.ReadLog().find("shutting down gracefully"), std::string::npos);
  }
  {
    ServerProcess server(data);
    Client c(server.address());
    ReadBack(c, first.first, first.second, "a");
    second = WriteSomething(c, "b");
    server.Stop(SIGKILL);  // no chance to flush anything: the synced WAL must have it
  }
  {
    ServerProcess server(data);
    Client c(server.address());
    ReadBack(c, first.first, first.second, "a");
    ReadBack(c, second.first, second.second, "b");
    // A retried create after the restart is still recognised.
    auto again = WriteSomething(c, "b");
    EXPECT_EQ(again, second);
    EXPECT_EQ(server.Stop(SIGINT), 0);
  }
}

// A second server on a port in use must not start: with gRPC's default SO_REUSEPORT it did,
// and the kernel split new connections between two databases.
TEST(RestartTest, ASecondServerOnTheSamePortRefusesToStart) {
  TestServer first;
  TempDir dir;
  ServerOptions options;
  options.listen = first.address();
  options.data_dir = dir.Sub("data");
  options.admin_password = testing::kAdminPassword;
  options.fast_password_hashing = true;
  options.log_level = "warn";
  auto second = BranchlineServer::Start(options);
  ASSERT_FALSE(second.ok()) << "two servers listen on " << first.address();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_NE(second.status().message().find(first.address()), std::string::npos) << second.status();
  // The first one still answers.
  Client c(first.address());
  c.SignIn("admin", testing::kAdminPassword);
}

TEST(RestartTest, FirstStartPrintsAGeneratedPasswordOnceAndHealthIsServing) {
  TempDir dir;
  std::string data = dir.Sub("data");
  ServerProcess server(data);
  auto log = server.ReadLog();
  auto at = log.find("Initial password for 'admin' (shown once, not logged): ");
  ASSERT_NE(at, std::string::npos) << log;
  std::string password = log.substr(
      at + std::string("Initial password for 'admin' (shown once, not logged): ").size(), 16);
  Client c(server.address());
  c.SignIn("admin", password);

  // The standard health service answers without a token.
  auto health = grpc::health::v1::Health::NewStub(c.channel);
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse serving;
  grpc::ClientContext ctx;
  ASSERT_TRUE(health->Check(&ctx, check, &serving).ok());
  EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  server.Stop(SIGTERM);
  ServerProcess again(data);
  EXPECT_EQ(again.ReadLog().find("Initial password"), std::string::npos);
}

}  // namespace
}  // namespace branchline
