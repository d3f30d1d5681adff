// Every foundation RPC × every kind of caller, each cell the documented outcome. The same
// table is rendered in docs/authorization.md.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "services/auth/token_signer.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;
using namespace testing::matrix;  // NOLINT: table cell names

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

    tokens_["no token"] = "";
    tokens_["tampered"] = TestServer::TamperedToken(server_.SignIn("self"));
    tokens_["expired"] = server_.ExpiredToken(member_);
    tokens_["other tenant admin"] = server_.ForeignTenantAdminToken();
    tokens_["another member"] = server_.SignIn("colleague");
    tokens_["self"] = server_.SignIn("self");
    tokens_["secretary of branch"] = server_.SignIn("secretary");
    tokens_["secretary of sibling"] = server_.SignIn("sibling-secretary");
    tokens_["admin above"] = server_.AdminAboveToken(root_);
    tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_READ);
    tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_ATTENDANCE_READ);
    tokens_["anonymous receipt holder"] = "";  // no token: only receipt RPCs accept them
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

  // A new person of the branch, made by the system administrator, without a password (no
  // hashing: cells need many). `admin_over` gives them admin scope on it.
  uint64_t NewTarget(v1::Role role, uint64_t admin_over = 0) {
    auto r = NewPersonRequest(role);
    if (admin_over) r.mutable_person()->add_admin_organization_ids(admin_over);
    v1::Person out;
    auto status = server_.people().CreatePerson(TestServer::Ctx(admin_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }
  v1::CreatePersonRequest NewPersonRequest(v1::Role role) {
    return TestServer::NewPersonRequest(branch_, role);
  }

  // The cells of the people-management matrix: each acts on a new person (`op`'s qualifier
  // says who: a member, a secretary of the branch, or an administrator of the tenant whose
  // own organisation is the branch). An ImportPeople cell is the status of its one row.
  grpc::StatusCode Manage(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    v1::Person person;
    const uint64_t admin_in_branch = root_;
    if (op.rfind("UpdatePerson(", 0) == 0) {
      v1::UpdatePersonRequest r;
      r.set_request_id(TestServer::RequestId());
      const bool of_admin = op.find("admin in branch") != std::string::npos;
      const bool of_secretary = op.find(": secretary") != std::string::npos;
      r.mutable_person()->set_id(
          of_admin ? NewTarget(v1::ROLE_EMPLOYEE, admin_in_branch)
                   : NewTarget(of_secretary ? v1::ROLE_SECRETARY : v1::ROLE_FULL_MEMBER));
      if (op.find("new_password") != std::string::npos) {
        r.set_new_password("reset-password-1");
        r.mutable_person()->set_display_name("重置");  // as reproduced: with a field to update
        r.mutable_update_mask()->add_paths("display_name");
      }
      if (op.find("phone") != std::string::npos) {
        r.mutable_person()->set_phone("138" + std::to_string(++phones_ + 10000000));
        r.mutable_update_mask()->add_paths("phone");
      }
      if (op.find("role") != std::string::npos) {
        r.mutable_person()->set_role(v1::ROLE_SECRETARY);
        r.mutable_update_mask()->add_paths("role");
      }
      return server_.people().UpdatePerson(ctx.get(), r, &person).error_code();
    }
    if (op.rfind("DeactivatePerson(", 0) == 0) {
      v1::DeactivatePersonRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(op == "DeactivatePerson(secretary)" ? NewTarget(v1::ROLE_SECRETARY)
                                                   : NewTarget(v1::ROLE_EMPLOYEE, admin_in_branch));
      return server_.people().DeactivatePerson(ctx.get(), r, &person).error_code();
    }
    auto create = NewPersonRequest(op.find("secretary") != std::string::npos ? v1::ROLE_SECRETARY
                                                                             : v1::ROLE_EMPLOYEE);
    if (op == "CreatePerson(admin scope)") {
      create.mutable_person()->add_admin_organization_ids(branch_);
    }
    if (op == "CreatePerson(initial password)") create.set_initial_password(testing::kPassword);
    if (op.rfind("CreatePerson(", 0) == 0) {
      return server_.people().CreatePerson(ctx.get(), create, &person).error_code();
    }
    v1::ImportPeopleRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.add_rows()->mutable_person() = create.person();
    v1::ImportPeopleResponse out;
    auto status = server_.people().ImportPeople(ctx.get(), r, &out);
    if (!status.ok()) return status.error_code();
    EXPECT_EQ(out.results_size(), 1);
    return out.results_size() == 1 ? static_cast<grpc::StatusCode>(out.results(0).status().code())
                                   : grpc::UNKNOWN;
  }

  // The cells of the memberships matrix: each acts on a new member of the branch.
  grpc::StatusCode Membership(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    const uint64_t target = NewTarget(v1::ROLE_FULL_MEMBER);
    if (op == "ListMemberships(member)") {
      v1::ListMembershipsRequest r;
      r.set_person_id(target);
      v1::ListMembershipsResponse out;
      return server_.people().ListMemberships(ctx.get(), r, &out).error_code();
    }
    v1::ChangeMembershipRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_person_id(target);
    if (op == "ChangeMembership(member: new stage, dated)") {
      r.set_role(v1::ROLE_PROBATIONARY_MEMBER);
      r.mutable_effective_date()->set_year(2026);
      r.mutable_effective_date()->set_month(1);
      r.mutable_effective_date()->set_day(15);
    } else if (op == "ChangeMembership(member: to sibling)") {
      r.set_organization_id(sibling_);
    } else if (op == "ChangeMembership(member: to secretary)") {
      r.set_role(v1::ROLE_SECRETARY);
    } else {
      ADD_FAILURE() << "unknown op " << op;
    }
    v1::Person out;
    return server_.people().ChangeMembership(ctx.get(), r, &out).error_code();
  }

  int phones_ = 0;
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
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
  };
  // clang-format on
  testing::ExpectMatrix({"people-and-organizations", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return Call(op, tokens_.at(caller));
                        });
}

// Who may manage whom (issue #19): credentials, roles, admin scope and the active state of a
// person need all of that person's rights among the caller's own; setting someone else's
// password needs admin scope. "service with scope" has SCOPE_PEOPLE_WRITE here (an HR
// import), "service without scope" SCOPE_PEOPLE_READ.
TEST_F(AuthorizationMatrixTest, WhoMayManageWhom) {
  tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_WRITE);
  tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_READ);
  tokens_["system administrator"] = admin_;
  const std::vector<std::string> ops = {"UpdatePerson(new_password: member)",
                                        "UpdatePerson(new_password: secretary)",
                                        "UpdatePerson(new_password: admin in branch)",
                                        "UpdatePerson(phone: member)",
                                        "UpdatePerson(phone: admin in branch)",
                                        "UpdatePerson(role: member to secretary)",
                                        "DeactivatePerson(secretary)",
                                        "DeactivatePerson(admin in branch)",
                                        "CreatePerson(secretary)",
                                        "CreatePerson(admin scope)",
                                        "CreatePerson(initial password)",
                                        "ImportPeople(row: member)",
                                        "ImportPeople(row: secretary)"};
  const auto NF = NOTFOUND;
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                         PwMem   PwSec   PwAdm   PhMem   PhAdm   Role    DeSec   DeAdm   CrSec   CrAdm   CrPw    ImMem   ImSec
    {"no token",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",               {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",    {NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF,     NF}},
    {"another member",        {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"self",                  {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"secretary of branch",   {DENIED, DENIED, DENIED, OK,     DENIED, OK,     OK,     DENIED, OK,     DENIED, OK,     OK,     OK}},
    {"secretary of sibling",  {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"admin above",           {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
    {"service with scope",    {DENIED, DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK,     DENIED}},
    {"service without scope", {DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
  };
  // clang-format on
  testing::ExpectMatrix({"people-management", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return Manage(op, tokens_.at(caller));
                        });
}

// Memberships with dates: a transfer or a new stage is a change of the person's organisation or
// role, so the rule of WhoMayManageWhom applies (and the new organisation must be managed too);
// a history reads like the person. Tokens as in WhoMayManageWhom.
TEST_F(AuthorizationMatrixTest, WhoMayChangeMemberships) {
  tokens_["service with scope"] = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_WRITE);
  tokens_["service without scope"] = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_READ);
  tokens_["system administrator"] = admin_;
  const std::vector<std::string> ops = {
      "ChangeMembership(member: new stage, dated)", "ChangeMembership(member: to sibling)",
      "ChangeMembership(member: to secretary)", "ListMemberships(member)"};
  const auto NF = NOTFOUND;
  // clang-format off
  const std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> table = {
    //                         Stage   Move    ToSec   List
    {"no token",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",              {UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",               {UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",    {NF,     NF,     NF,     NF}},
    {"another member",        {DENIED, DENIED, DENIED, DENIED}},
    {"self",                  {DENIED, DENIED, DENIED, DENIED}},
    {"secretary of branch",   {OK,     DENIED, OK,     OK}},
    {"secretary of sibling",  {DENIED, DENIED, DENIED, DENIED}},
    {"admin above",           {OK,     OK,     OK,     OK}},
    {"service with scope",    {OK,     DENIED, DENIED, DENIED}},
    {"service without scope", {DENIED, DENIED, DENIED, OK}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",  {OK,     OK,     OK,     OK}},
  };
  // clang-format on
  testing::ExpectMatrix({"memberships", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return Membership(op, tokens_.at(caller));
                        });
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
