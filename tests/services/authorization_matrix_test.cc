// Every foundation RPC × every kind of caller, each cell the documented outcome. The same
// table is rendered in docs/authorization.md.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "services/auth/token_signer.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;
constexpr auto OK = grpc::OK;
constexpr auto UNAUTH = grpc::UNAUTHENTICATED;
constexpr auto DENIED = grpc::PERMISSION_DENIED;
constexpr auto NOTFOUND = grpc::NOT_FOUND;

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "本支部").id();
    sibling_ = server_.CreateOrg(admin_, root_, "兄弟支部").id();
    member_ = server_.CreatePerson(admin_, branch_, "本人", "self").id();
    server_.CreatePerson(admin_, branch_, "同事", "colleague");
    server_.CreatePerson(admin_, branch_, "书记", "secretary", v1::ROLE_SECRETARY);
    server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);

    v1::CreatePersonRequest above;
    above.set_request_id(TestServer::RequestId());
    above.mutable_person()->set_organization_id(root_);
    above.mutable_person()->set_display_name("组织部");
    above.mutable_person()->set_employee_number("admin-above");
    above.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
    above.mutable_person()->add_admin_organization_ids(root_);
    above.set_initial_password(testing::kPassword);
    v1::Person out;
    ASSERT_TRUE(server_.people().CreatePerson(TestServer::Ctx(admin_).get(), above, &out).ok());

    // Another tenant with its own administrator.
    v1::CreateOrganizationRequest tenant;
    tenant.set_request_id(TestServer::RequestId());
    tenant.mutable_organization()->set_name("另一家公司");
    tenant.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_COMPANY);
    v1::Organization other_root;
    ASSERT_TRUE(
        server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), tenant, &other_root).ok());
    v1::CreatePersonRequest foreign = above;
    foreign.set_request_id(TestServer::RequestId());
    foreign.mutable_person()->set_organization_id(other_root.id());
    foreign.mutable_person()->set_employee_number("foreign-admin");
    foreign.mutable_person()->clear_admin_organization_ids();
    foreign.mutable_person()->add_admin_organization_ids(other_root.id());
    ASSERT_TRUE(server_.people().CreatePerson(TestServer::Ctx(admin_).get(), foreign, &out).ok());
    v1::SignInRequest sign_in;
    sign_in.set_tenant_id(other_root.tenant_id());
    sign_in.set_login("foreign-admin");
    sign_in.set_password(testing::kPassword);
    v1::SignInResponse foreign_session;
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().SignIn(&ctx, sign_in, &foreign_session).ok());

    tokens_["no token"] = "";
    tokens_["tampered"] = Tamper(server_.SignIn("self"));
    tokens_["expired"] = Expired();
    tokens_["other tenant admin"] = foreign_session.access_token();
    tokens_["another member"] = server_.SignIn("colleague");
    tokens_["self"] = server_.SignIn("self");
    tokens_["secretary of branch"] = server_.SignIn("secretary");
    tokens_["secretary of sibling"] = server_.SignIn("sibling-secretary");
    tokens_["admin above"] = server_.SignIn("admin-above");
    tokens_["service with scope"] = ServiceToken(v1::SCOPE_PEOPLE_READ);
    tokens_["service without scope"] = ServiceToken(v1::SCOPE_ATTENDANCE_READ);
  }

  static std::string Tamper(std::string token) {
    token[token.size() / 2] = token[token.size() / 2] == 'a' ? 'b' : 'a';
    return token;
  }
  std::string Expired() {
    std::ifstream in(server_.dir().Sub("data/token.key"), std::ios::binary);
    std::stringstream key;
    key << in.rdbuf();
    internal::v1::TokenClaims claims;
    claims.set_version(1);
    claims.set_person_id(member_);
    claims.set_tenant_id(1);
    claims.set_session_id(1);
    claims.set_issued_at(time(nullptr) - 7200);
    claims.set_expires_at(time(nullptr) - 3600);
    return TokenSigner(key.str()).Sign(claims);
  }
  std::string ServiceToken(v1::Scope scope) {
    v1::CreateServiceAccountRequest create;
    create.set_request_id(TestServer::RequestId());
    create.set_organization_id(branch_);
    create.set_display_name("HR");
    create.add_scopes(scope);
    v1::CreateServiceAccountResponse created;
    EXPECT_TRUE(
        server_.auth().CreateServiceAccount(TestServer::Ctx(admin_).get(), create, &created).ok());
    v1::SignInRequest sign_in;
    sign_in.set_service_key(created.service_key());
    v1::SignInResponse session;
    grpc::ClientContext ctx;
    EXPECT_TRUE(server_.auth().SignIn(&ctx, sign_in, &session).ok());
    return session.access_token();
  }

  // One call per operation, against the branch and the member.
  grpc::StatusCode Call(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    v1::Person person;
    v1::Organization org;
    if (op == "GetPerson") {
      v1::GetPersonRequest r;
      r.set_id(member_);
      return server_.people().GetPerson(ctx.get(), r, &person).error_code();
    }
    if (op == "ListPeople") {
      v1::ListPeopleRequest r;
      r.set_organization_id(branch_);
      v1::ListPeopleResponse out;
      return server_.people().ListPeople(ctx.get(), r, &out).error_code();
    }
    if (op == "CreatePerson") {
      v1::CreatePersonRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_person()->set_organization_id(branch_);
      r.mutable_person()->set_display_name("新人");
      r.mutable_person()->set_employee_number("new-" + r.request_id());
      r.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
      return server_.people().CreatePerson(ctx.get(), r, &person).error_code();
    }
    if (op == "UpdatePerson(role)") {
      v1::UpdatePersonRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_person()->set_id(member_);
      r.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
      r.mutable_update_mask()->add_paths("role");
      return server_.people().UpdatePerson(ctx.get(), r, &person).error_code();
    }
    if (op == "DeactivatePerson") {
      auto victim = server_.CreatePerson(admin_, branch_, "临时", "tmp-" + TestServer::RequestId());
      v1::DeactivatePersonRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(victim.id());
      return server_.people().DeactivatePerson(ctx.get(), r, &person).error_code();
    }
    if (op == "GetOrganization") {
      v1::GetOrganizationRequest r;
      r.set_id(branch_);
      return server_.orgs().GetOrganization(ctx.get(), r, &org).error_code();
    }
    if (op == "ListOrganizations") {
      v1::ListOrganizationsRequest r;
      r.set_parent_id(branch_);
      v1::ListOrganizationsResponse out;
      return server_.orgs().ListOrganizations(ctx.get(), r, &out).error_code();
    }
    if (op == "CreateOrganization") {
      v1::CreateOrganizationRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_organization()->set_parent_id(branch_);
      r.mutable_organization()->set_name("小组");
      r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_GROUP);
      return server_.orgs().CreateOrganization(ctx.get(), r, &org).error_code();
    }
    if (op == "UpdateOrganization") {
      v1::UpdateOrganizationRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_organization()->set_id(branch_);
      r.mutable_organization()->set_name("本支部");
      r.mutable_update_mask()->add_paths("name");
      return server_.orgs().UpdateOrganization(ctx.get(), r, &org).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  TestServer server_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, sibling_ = 0, member_ = 0;
  std::map<std::string, std::string> tokens_;
};

TEST_F(AuthorizationMatrixTest, EveryCallerEveryMethod) {
  const std::vector<std::string> ops = {
      "GetPerson",          "ListPeople",         "CreatePerson",
      "UpdatePerson(role)", "DeactivatePerson",   "GetOrganization",
      "ListOrganizations",  "CreateOrganization", "UpdateOrganization"};
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                         GetP    ListP   CreP    UpdP    Deact   GetO    ListO   CreO    UpdO
    {"no token",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",               {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",    {NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND, NOTFOUND}},
    {"another member",        {DENIED, DENIED, DENIED, DENIED, DENIED, OK,     DENIED, DENIED, DENIED}},
    {"self",                  {OK,     DENIED, DENIED, DENIED, DENIED, OK,     DENIED, DENIED, DENIED}},
    {"secretary of branch",   {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
    {"secretary of sibling",  {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"admin above",           {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
    {"service with scope",    {OK,     OK,     DENIED, DENIED, DENIED, OK,     OK,     DENIED, DENIED}},
    {"service without scope", {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
  };
  // clang-format on
  for (const auto& [caller, expected] : table) {
    ASSERT_EQ(expected.size(), ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      EXPECT_EQ(Call(ops[i], tokens_.at(caller)), expected[i]) << caller << " × " << ops[i];
    }
  }
}

TEST_F(AuthorizationMatrixTest, TwoTokensOnOneConnectionEachActAsThemselves) {
  // Both calls share the test server's single channel.
  v1::GetPersonRequest r;
  r.set_id(member_);
  v1::Person out;
  EXPECT_TRUE(server_.people().GetPerson(TestServer::Ctx(tokens_["self"]).get(), r, &out).ok());
  EXPECT_EQ(server_.people()
                .GetPerson(TestServer::Ctx(tokens_["another member"]).get(), r, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_TRUE(server_.people().GetPerson(TestServer::Ctx(tokens_["self"]).get(), r, &out).ok());
}

}  // namespace
}  // namespace branchline
