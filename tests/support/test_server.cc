#include "tests/support/test_server.h"

#include <gtest/gtest.h>

#include <atomic>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace branchline::testing {

TestServer::TestServer() { StartServer(); }

TestServer::~TestServer() { Stop(); }

void TestServer::StartServer() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir_.Sub("data");
  options.admin_password = kAdminPassword;
  options.fast_password_hashing = true;
  options.log_level = "warn";
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
