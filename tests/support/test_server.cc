#include "tests/support/test_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/auth/token_signer.h"
#include "tests/storage/test_backends.h"

namespace branchline::testing {

TestServer::TestServer() { StartServer(); }

TestServer::TestServer(std::function<void(ServerOptions&)> configure)
    : configure_(std::move(configure)) {
  StartServer();
}

TestServer::~TestServer() { Stop(); }

storage::StoreOptions TestServer::StoredDataOptions() const {
  storage::StoreOptions options;
  options.path = dir_.Sub("data/db");
  options.postgres = postgres_uri_;  // empty: RocksDB at `path`, as the server opened it
  return options;
}

void TestServer::StartServer() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir_.Sub("data");
  // Backups made by a test stay in its temporary directory, never in the working directory.
  options.backup_dir = dir_.Sub("backups");
  options.admin_password = kAdminPassword;
  options.fast_password_hashing = true;
  options.log_level = "warn";
  // The service suites on PostgreSQL (tests/CMakeLists.txt, postgres_* tests): a fresh
  // database of the storage_postgres fixture per server.
  if (storage::testing::ServiceSuitesOnPostgres()) {
    if (postgres_uri_.empty()) {
      std::string reason;
      auto uri = storage::testing::PostgresDatabase(&reason);
      if (!uri) {
        ADD_FAILURE() << "BRANCHLINE_TEST_STORAGE=postgres but no database: " << reason;
        std::abort();
      }
      postgres_uri_ = *uri;
    }
    options.storage = postgres_uri_;
  }
  if (configure_) configure_(options);
  auto server = BranchlineServer::Start(options);
  if (!server.ok()) {
    ADD_FAILURE() << "server did not start: " << server.status();
    std::abort();
  }
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  auth_ = v1::AuthService::NewStub(channel_);
  orgs_ = v1::OrganizationService::NewStub(channel_);
  people_ = v1::PersonService::NewStub(channel_);
}

void TestServer::Stop() {
  if (server_) server_->Shutdown(2000);
  server_.reset();
}

void TestServer::Restart() {
  Stop();
  StartServer();
}

std::unique_ptr<grpc::ClientContext> TestServer::Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

std::string TestServer::SignIn(const std::string& login, const std::string& password,
                               v1::SignInResponse* out) {
  v1::SignInRequest request;
  request.set_login(login);
  request.set_password(password);
  v1::SignInResponse response;
  grpc::ClientContext ctx;
  auto status = auth_->SignIn(&ctx, request, &response);
  EXPECT_TRUE(status.ok()) << login << ": " << status.error_message();
  if (out) *out = response;
  return response.access_token();
}

uint64_t TestServer::RootOrgId() {
  v1::SignInResponse response;
  SignIn("admin", kAdminPassword, &response);
  return response.person().organization_id();
}

v1::Organization TestServer::CreateOrg(const std::string& token, uint64_t parent,
                                       const std::string& name, v1::OrganizationKind kind) {
  v1::CreateOrganizationRequest request;
  request.set_request_id(RequestId());
  request.mutable_organization()->set_parent_id(parent);
  request.mutable_organization()->set_name(name);
  request.mutable_organization()->set_kind(kind);
  v1::Organization org;
  auto status = orgs_->CreateOrganization(Ctx(token).get(), request, &org);
  EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
  return org;
}

v1::Person TestServer::CreatePerson(const std::string& token, uint64_t org, const std::string& name,
                                    const std::string& employee_number, v1::Role role) {
  v1::CreatePersonRequest request;
  request.set_request_id(RequestId());
  auto* p = request.mutable_person();
  p->set_organization_id(org);
  p->set_display_name(name);
  p->set_employee_number(employee_number);
  p->set_role(role);
  request.set_initial_password(kPassword);
  v1::Person person;
  auto status = people_->CreatePerson(Ctx(token).get(), request, &person);
  EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
  return person;
}

v1::CreatePersonRequest TestServer::NewPersonRequest(uint64_t org, v1::Role role) {
  v1::CreatePersonRequest r;
  r.set_request_id(RequestId());
  r.mutable_person()->set_organization_id(org);
  r.mutable_person()->set_display_name("新人");
  r.mutable_person()->set_employee_number("n-" + r.request_id());
  r.mutable_person()->set_role(role);
  return r;
}

std::string TestServer::AdminAboveToken(uint64_t org) {
  v1::CreatePersonRequest above;
  above.set_request_id(RequestId());
  above.mutable_person()->set_organization_id(org);
  above.mutable_person()->set_display_name("组织部");
  above.mutable_person()->set_employee_number("admin-above");
  above.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
  above.mutable_person()->add_admin_organization_ids(org);
  above.set_initial_password(kPassword);
  v1::Person out;
  auto status = people_->CreatePerson(Ctx(AdminToken()).get(), above, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return SignIn("admin-above");
}

std::string TestServer::ForeignTenantAdminToken(v1::SignInRequest* credentials) {
  std::string admin = AdminToken();
  v1::CreateOrganizationRequest tenant;
  tenant.set_request_id(RequestId());
  tenant.mutable_organization()->set_name("另一家公司");
  tenant.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_COMPANY);
  v1::Organization root;
  EXPECT_TRUE(orgs_->CreateOrganization(Ctx(admin).get(), tenant, &root).ok());
  v1::CreatePersonRequest foreign;
  foreign.set_request_id(RequestId());
  foreign.mutable_person()->set_organization_id(root.id());
  foreign.mutable_person()->set_display_name("外单位管理员");
  foreign.mutable_person()->set_employee_number("foreign-admin");
  foreign.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
  foreign.mutable_person()->add_admin_organization_ids(root.id());
  foreign.set_initial_password(kPassword);
  v1::Person out;
  EXPECT_TRUE(people_->CreatePerson(Ctx(admin).get(), foreign, &out).ok());
  v1::SignInRequest sign_in;
  sign_in.set_tenant_id(root.tenant_id());
  sign_in.set_login("foreign-admin");
  sign_in.set_password(kPassword);
  if (credentials) *credentials = sign_in;
  v1::SignInResponse session;
  grpc::ClientContext ctx;
  EXPECT_TRUE(auth_->SignIn(&ctx, sign_in, &session).ok());
  return session.access_token();
}

std::string TestServer::ServiceToken(uint64_t org, v1::Scope scope,
                                     v1::SignInRequest* credentials) {
  v1::CreateServiceAccountRequest create;
  create.set_request_id(RequestId());
  create.set_organization_id(org);
  create.set_display_name("HR 系统");
  create.add_scopes(scope);
  v1::CreateServiceAccountResponse created;
  EXPECT_TRUE(auth_->CreateServiceAccount(Ctx(AdminToken()).get(), create, &created).ok());
  v1::SignInRequest sign_in;
  sign_in.set_service_key(created.service_key());
  if (credentials) *credentials = sign_in;
  v1::SignInResponse session;
  grpc::ClientContext ctx;
  EXPECT_TRUE(auth_->SignIn(&ctx, sign_in, &session).ok());
  return session.access_token();
}

std::string TestServer::ExpiredToken(uint64_t person_id) const {
  std::ifstream in(dir_.Sub("data/token.key"), std::ios::binary);
  std::stringstream key;
  key << in.rdbuf();
  internal::v1::TokenClaims claims;
  claims.set_version(1);
  claims.set_person_id(person_id);
  claims.set_tenant_id(person_id >> 40);
  claims.set_session_id(1);
  claims.set_issued_at(time(nullptr) - 7200);
  claims.set_expires_at(time(nullptr) - 3600);
  return TokenSigner(key.str()).Sign(claims);
}

std::string TestServer::TamperedToken(std::string token) {
  char& c = token[token.size() / 2];
  c = c == 'a' ? 'b' : 'a';
  return token;
}

std::string TestServer::RequestId() {
  static std::atomic<uint64_t> counter{0};
  return "req-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

std::string ViolationField(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return "";
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field();
    }
  }
  return "";
}

}  // namespace branchline::testing
