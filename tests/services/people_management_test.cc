// Who may manage whom (issue #19, findings 1 and 2): no one changes the credentials, role,
// admin scope or active state of someone whose rights are not within their own; setting
// someone else's password is an administrator's right, and such a reset ends the person's
// sessions and makes them choose a new password at the next sign-in.
#include <gtest/gtest.h>

#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;
using testing::ViolationField;
constexpr char kResetPassword[] = "reset-by-admin-1";
constexpr char kOwnPassword[] = "my-own-choice-2";

class PeopleManagementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "运输四队党支部").id();
    member_ = server_.CreatePerson(admin_, branch_, "王师傅", "driver").id();
    secretary_ = server_.CreatePerson(admin_, branch_, "张书记", "secretary", v1::ROLE_SECRETARY);
    // The tenant's IT administrator, whose own organisation is the branch.
    v1::CreatePersonRequest it;
    it.set_request_id(TestServer::RequestId());
    it.mutable_person()->set_organization_id(branch_);
    it.mutable_person()->set_display_name("信息中心");
    it.mutable_person()->set_employee_number("it-admin");
    it.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
    it.mutable_person()->add_admin_organization_ids(root_);
    it.set_initial_password(testing::kPassword);
    ASSERT_TRUE(
        server_.people().CreatePerson(TestServer::Ctx(admin_).get(), it, &tenant_admin_).ok());
  }

  grpc::Status Update(const std::string& token, v1::Person person, std::vector<std::string> paths,
                      const std::string& password = "") {
    v1::UpdatePersonRequest r;
    r.set_request_id(TestServer::RequestId());
    *r.mutable_person() = std::move(person);
    for (auto& p : paths) r.mutable_update_mask()->add_paths(p);
    r.set_new_password(password);
    v1::Person out;
    return server_.people().UpdatePerson(TestServer::Ctx(token).get(), r, &out);
  }
  // A reset as the issue reproduced it (with a display name in the mask, which the server
  // before the fix required); `name_too` false sends the password alone.
  grpc::Status SetPassword(const std::string& token, uint64_t id, const std::string& password,
                           bool name_too = true) {
    v1::Person p;
    p.set_id(id);
    p.set_display_name("重置");
    return Update(token, p,
                  name_too ? std::vector<std::string>{"display_name"} : std::vector<std::string>{},
                  password);
  }
  grpc::Status Deactivate(const std::string& token, uint64_t id) {
    v1::DeactivatePersonRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_id(id);
    v1::Person out;
    return server_.people().DeactivatePerson(TestServer::Ctx(token).get(), r, &out);
  }
  v1::CreatePersonRequest NewPerson(v1::Role role) {
    return TestServer::NewPersonRequest(branch_, role);
  }
  grpc::Status Create(const std::string& token, const v1::CreatePersonRequest& r) {
    v1::Person out;
    return server_.people().CreatePerson(TestServer::Ctx(token).get(), r, &out);
  }
  grpc::StatusCode SignInCode(const std::string& login, const std::string& password,
                              v1::SignInResponse* out = nullptr) {
    v1::SignInRequest r;
    r.set_login(login);
    r.set_password(password);
    v1::SignInResponse response;
    grpc::ClientContext ctx;
    auto code = server_.auth().SignIn(&ctx, r, &response).error_code();
    if (out) *out = response;
    return code;
  }
  grpc::StatusCode GetSelf(const std::string& token, uint64_t id) {
    v1::GetPersonRequest r;
    r.set_id(id);
    v1::Person out;
    return server_.people().GetPerson(TestServer::Ctx(token).get(), r, &out).error_code();
  }

  TestServer server_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, member_ = 0;
  v1::Person secretary_, tenant_admin_;
};

// Finding 1.
TEST_F(PeopleManagementTest, ASecretaryCannotTakeOverTheTenantAdministratorOfTheirBranch) {
  const std::string secretary = server_.SignIn("secretary");
  auto status = SetPassword(secretary, tenant_admin_.id(), kResetPassword);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "new_password");
  EXPECT_EQ(SignInCode("it-admin", kResetPassword), grpc::UNAUTHENTICATED);
  EXPECT_EQ(SignInCode("it-admin", testing::kPassword), grpc::OK);

  // Nor anything else about them: no one manages upward.
  v1::Person renamed = tenant_admin_;
  renamed.set_phone("13800000000");
  status = Update(secretary, renamed, {"phone"});
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "person.admin_organization_ids");
  EXPECT_NE(status.error_message().find("admin scope on organization"), std::string::npos)
      << status.error_message();
  status = Deactivate(secretary, tenant_admin_.id());
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "id");
  EXPECT_EQ(SignInCode("it-admin", testing::kPassword), grpc::OK);
}

TEST_F(PeopleManagementTest, OnlyAdministratorsSetSomeoneElsesPassword) {
  const std::string secretary = server_.SignIn("secretary");
  auto status = SetPassword(secretary, member_, kResetPassword);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "new_password");
  const std::string it_admin = server_.SignIn("it-admin");
  EXPECT_TRUE(SetPassword(it_admin, member_, kResetPassword).ok());
  EXPECT_TRUE(SetPassword(it_admin, secretary_.id(), kResetPassword).ok());
}

TEST_F(PeopleManagementTest, ACommitteeMemberDoesNotManageTheSecretary) {
  server_.CreatePerson(admin_, branch_, "刘委员", "committee", v1::ROLE_COMMITTEE_MEMBER);
  const std::string committee = server_.SignIn("committee");
  EXPECT_EQ(Deactivate(committee, secretary_.id()).error_code(), grpc::PERMISSION_DENIED);
  v1::Person promoted;
  promoted.set_id(member_);
  promoted.set_role(v1::ROLE_SECRETARY);
  auto status = Update(committee, promoted, {"role"});
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "person.role");
  EXPECT_EQ(Create(committee, NewPerson(v1::ROLE_SECRETARY)).error_code(), grpc::PERMISSION_DENIED);
  // Within their rights they still manage: members, and a fellow committee member.
  promoted.set_role(v1::ROLE_COMMITTEE_MEMBER);
  EXPECT_TRUE(Update(committee, promoted, {"role"}).ok());
  EXPECT_TRUE(Create(committee, NewPerson(v1::ROLE_PROBATIONARY_MEMBER)).ok());
  // The secretary ranks above both.
  const std::string secretary = server_.SignIn("secretary");
  EXPECT_TRUE(Create(secretary, NewPerson(v1::ROLE_SECRETARY)).ok());
  EXPECT_TRUE(Deactivate(secretary, member_).ok());
}

// Finding 2.
TEST_F(PeopleManagementTest, AnHrIntegrationCannotTouchCredentialsOrMintManagers) {
  const std::string hr = server_.ServiceToken(branch_, v1::SCOPE_PEOPLE_WRITE);
  for (uint64_t id : {secretary_.id(), tenant_admin_.id(), member_}) {
    auto status = SetPassword(hr, id, kResetPassword);
    EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED) << id;
    EXPECT_EQ(ViolationField(status), "new_password") << id;
  }
  EXPECT_EQ(SignInCode("secretary", kResetPassword), grpc::UNAUTHENTICATED);

  v1::Person promoted;
  promoted.set_id(member_);
  promoted.set_role(v1::ROLE_SECRETARY);
  auto status = Update(hr, promoted, {"role"});
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "person.role");

  status = Create(hr, NewPerson(v1::ROLE_SECRETARY));
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "person.role");
  auto with_password = NewPerson(v1::ROLE_EMPLOYEE);
  with_password.set_initial_password(kResetPassword);
  status = Create(hr, with_password);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "initial_password");
  auto admin = NewPerson(v1::ROLE_EMPLOYEE);
  admin.mutable_person()->add_admin_organization_ids(branch_);
  status = Create(hr, admin);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "person.admin_organization_ids");

  EXPECT_EQ(Deactivate(hr, secretary_.id()).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(Deactivate(hr, tenant_admin_.id()).error_code(), grpc::PERMISSION_DENIED);

  // Importing: the same rules row by row.
  v1::ImportPeopleRequest import;
  import.set_request_id(TestServer::RequestId());
  *import.add_rows()->mutable_person() = NewPerson(v1::ROLE_SECRETARY).person();
  auto* row = import.add_rows();
  *row->mutable_person() = NewPerson(v1::ROLE_EMPLOYEE).person();
  row->set_initial_password(kResetPassword);
  *import.add_rows()->mutable_person() = NewPerson(v1::ROLE_FULL_MEMBER).person();
  v1::ImportPeopleResponse imported;
  ASSERT_TRUE(server_.people().ImportPeople(TestServer::Ctx(hr).get(), import, &imported).ok());
  ASSERT_EQ(imported.results_size(), 3);
  EXPECT_EQ(imported.results(0).status().code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(imported.results(1).status().code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(imported.results(2).status().code(), grpc::OK);
  EXPECT_EQ(imported.created_count(), 1);

  // What an HR import is for still works: members, their details, leavers.
  EXPECT_TRUE(Create(hr, NewPerson(v1::ROLE_EMPLOYEE)).ok());
  v1::Person moved_phone;
  moved_phone.set_id(member_);
  moved_phone.set_phone("13900000000");
  EXPECT_TRUE(Update(hr, moved_phone, {"phone"}).ok());
  EXPECT_TRUE(Deactivate(hr, member_).ok());
}

TEST_F(PeopleManagementTest, AResetEndsSessionsAndForcesANewPasswordAtSignIn) {
  v1::SignInResponse before;
  ASSERT_EQ(SignInCode("driver", testing::kPassword, &before), grpc::OK);
  EXPECT_FALSE(before.password_change_required());
  ASSERT_TRUE(SetPassword(admin_, member_, kResetPassword, /*name_too=*/false).ok());

  // The sessions the person had are gone: access and refresh tokens.
  EXPECT_EQ(GetSelf(before.access_token(), member_), grpc::UNAUTHENTICATED);
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(before.refresh_token());
  v1::RefreshTokenResponse refreshed;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(server_.auth().RefreshToken(&ctx, refresh, &refreshed).error_code(),
              grpc::UNAUTHENTICATED);
  }
  EXPECT_EQ(SignInCode("driver", testing::kPassword), grpc::UNAUTHENTICATED);

  // The reset password opens a session that may only change it.
  v1::SignInResponse reset;
  ASSERT_EQ(SignInCode("driver", kResetPassword, &reset), grpc::OK);
  EXPECT_TRUE(reset.password_change_required());
  v1::GetPersonRequest get;
  get.set_id(member_);
  v1::Person out;
  auto status = server_.people().GetPerson(TestServer::Ctx(reset.access_token()).get(), get, &out);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "password_change_required");
  refresh.set_refresh_token(reset.refresh_token());
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().RefreshToken(&ctx, refresh, &refreshed).ok());
  }
  EXPECT_EQ(GetSelf(refreshed.access_token(), member_), grpc::PERMISSION_DENIED);

  v1::ChangePasswordRequest change;
  change.set_request_id(TestServer::RequestId());
  change.set_old_password(kResetPassword);
  change.set_new_password(kOwnPassword);
  v1::ChangePasswordResponse changed;
  ASSERT_TRUE(server_.auth()
                  .ChangePassword(TestServer::Ctx(reset.access_token()).get(), change, &changed)
                  .ok());
  EXPECT_EQ(GetSelf(reset.access_token(), member_), grpc::OK);
  v1::SignInResponse after;
  ASSERT_EQ(SignInCode("driver", kOwnPassword, &after), grpc::OK);
  EXPECT_FALSE(after.password_change_required());
  EXPECT_EQ(GetSelf(after.access_token(), member_), grpc::OK);
}

TEST_F(PeopleManagementTest, ARestrictedSessionMaySignOut) {
  ASSERT_TRUE(SetPassword(admin_, member_, kResetPassword).ok());
  v1::SignInResponse reset;
  ASSERT_EQ(SignInCode("driver", kResetPassword, &reset), grpc::OK);
  v1::SignOutRequest r;
  r.set_request_id(TestServer::RequestId());
  v1::SignOutResponse out;
  EXPECT_TRUE(server_.auth().SignOut(TestServer::Ctx(reset.access_token()).get(), r, &out).ok());
  EXPECT_EQ(GetSelf(reset.access_token(), member_), grpc::UNAUTHENTICATED);
}

TEST_F(PeopleManagementTest, NoOneResetsTheirOwnPasswordOrAServiceAccountsThroughUpdatePerson) {
  const std::string it_admin = server_.SignIn("it-admin");
  auto status = SetPassword(it_admin, tenant_admin_.id(), kResetPassword);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_EQ(ViolationField(status), "new_password");

  v1::CreateServiceAccountRequest create;
  create.set_request_id(TestServer::RequestId());
  create.set_organization_id(branch_);
  create.set_display_name("考勤机");
  create.add_scopes(v1::SCOPE_ATTENDANCE_READ);
  v1::CreateServiceAccountResponse account;
  ASSERT_TRUE(
      server_.auth().CreateServiceAccount(TestServer::Ctx(admin_).get(), create, &account).ok());
  status = SetPassword(admin_, account.account().id(), kResetPassword);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ViolationField(status), "new_password");
}

}  // namespace
}  // namespace branchline
