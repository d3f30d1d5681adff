#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "services/auth/token_signer.h"
#include "storage/key_codec.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

class AuthServiceTest : public ::testing::Test {
 protected:
  grpc::Status Get(const std::string& token, uint64_t id) {
    v1::GetPersonRequest get;
    get.set_id(id);
    v1::Person out;
    return server_.people().GetPerson(TestServer::Ctx(token).get(), get, &out);
  }
  grpc::Status SignIn(const std::string& login, const std::string& password,
                      v1::SignInResponse* out) {
    v1::SignInRequest request;
    request.set_login(login);
    request.set_password(password);
    grpc::ClientContext ctx;
    return server_.auth().SignIn(&ctx, request, out);
  }
  TokenSigner ServerSigner() {
    std::ifstream in(server_.dir().Sub("data/token.key"), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return TokenSigner(s.str());
  }

  TestServer server_;
  std::string admin_ = server_.AdminToken();
  uint64_t root_ = server_.RootOrgId();
  v1::Organization branch_ = server_.CreateOrg(admin_, root_, "收费站党支部");
  v1::Person driver_ = server_.CreatePerson(admin_, branch_.id(), "刘师傅", "T100");
};

TEST_F(AuthServiceTest, WrongPasswordAndUnknownLoginLookTheSame) {
  v1::SignInResponse out;
  auto wrong = SignIn("T100", "wrong-password", &out);
  auto unknown = SignIn("nobody", "wrong-password", &out);
  EXPECT_EQ(wrong.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(unknown.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_message(), unknown.error_message());
  auto empty = SignIn("", "x", &out);
  EXPECT_EQ(empty.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(empty), "login");
}

// The throttle resolves logins to people; an unknown login must still be throttled, refused
// and worded exactly like a real one, or the refusals would tell which logins exist.
TEST_F(AuthServiceTest, UnknownAndRealLoginsAreThrottledAlike) {
  v1::SignInResponse out;
  std::vector<grpc::Status> held;
  for (const std::string login : {"T100", "nobody"}) {
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(SignIn(login, "wrong-" + std::to_string(i), &out).error_code(),
                grpc::UNAUTHENTICATED);
    }
    held.push_back(SignIn(login, "wrong-again", &out));
  }
  EXPECT_EQ(held[0].error_code(), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(held[1].error_code(), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(held[0].error_message(), held[1].error_message());
  EXPECT_EQ(held[0].error_details(), held[1].error_details());
}

TEST_F(AuthServiceTest, MissingMalformedTamperedExpiredTokensAreUnauthenticated) {
  auto token = server_.SignIn("T100");
  EXPECT_TRUE(Get(token, driver_.id()).ok());
  EXPECT_EQ(Get("", driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Get("not-a-token", driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  std::string tampered = token;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Get(tampered, driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  // A correctly signed token that expired a minute ago.
  auto signer = ServerSigner();
  v1::SignInResponse response;
  server_.SignIn("T100", testing::kPassword, &response);
  internal::v1::TokenClaims claims;
  claims.set_version(1);
  claims.set_person_id(driver_.id());
  claims.set_tenant_id(1);
  claims.set_session_id(1);
  int64_t now = time(nullptr);
  claims.set_issued_at(now - 3600);
  claims.set_expires_at(now - 60);
  auto status = Get(signer.Sign(claims), driver_.id());
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("expired"), std::string::npos);
}

TEST_F(AuthServiceTest, RefreshThenSignOutEndsTheSession) {
  v1::SignInResponse signed_in;
  ASSERT_TRUE(SignIn("T100", testing::kPassword, &signed_in).ok());
  v1::RefreshTokenRequest refresh;
  refresh.set_refresh_token(signed_in.refresh_token());
  v1::RefreshTokenResponse refreshed;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().RefreshToken(&ctx, refresh, &refreshed).ok());
  }
  EXPECT_TRUE(Get(refreshed.access_token(), driver_.id()).ok());

  v1::SignOutRequest sign_out;
  sign_out.set_request_id(TestServer::RequestId());
  v1::SignOutResponse out;
  ASSERT_TRUE(
      server_.auth().SignOut(TestServer::Ctx(refreshed.access_token()).get(), sign_out, &out).ok());
  EXPECT_EQ(Get(refreshed.access_token(), driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Get(signed_in.access_token(), driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  grpc::ClientContext ctx;
  EXPECT_EQ(server_.auth().RefreshToken(&ctx, refresh, &refreshed).error_code(),
            grpc::UNAUTHENTICATED);
}

TEST_F(AuthServiceTest, ChangePasswordKeepsThisSessionAndEndsOthers) {
  auto other = server_.SignIn("T100");
  auto current = server_.SignIn("T100");
  v1::ChangePasswordRequest change;
  change.set_request_id(TestServer::RequestId());
  change.set_old_password("wrong-old-password");
  change.set_new_password("新密码-abcdef");
  v1::ChangePasswordResponse out;
  auto status = server_.auth().ChangePassword(TestServer::Ctx(current).get(), change, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "old_password");
  change.set_request_id(TestServer::RequestId());
  change.set_old_password(testing::kPassword);
  ASSERT_TRUE(server_.auth().ChangePassword(TestServer::Ctx(current).get(), change, &out).ok());
  EXPECT_TRUE(Get(current, driver_.id()).ok());
  EXPECT_EQ(Get(other, driver_.id()).error_code(), grpc::UNAUTHENTICATED);
  v1::SignInResponse response;
  EXPECT_EQ(SignIn("T100", testing::kPassword, &response).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_TRUE(SignIn("T100", "新密码-abcdef", &response).ok());
}

TEST_F(AuthServiceTest, ServiceAccountSignsInWithItsKeyAndKeepsToItsScopes) {
  v1::CreateServiceAccountRequest create;
  create.set_request_id(TestServer::RequestId());
  create.set_organization_id(branch_.id());
  create.set_display_name("HR 系统");
  create.add_scopes(v1::SCOPE_PEOPLE_READ);
  v1::CreateServiceAccountResponse created;
  ASSERT_TRUE(
      server_.auth().CreateServiceAccount(TestServer::Ctx(admin_).get(), create, &created).ok());
  EXPECT_EQ(created.service_key().rfind("bls1.", 0), 0u);
  EXPECT_EQ(created.account().kind(), v1::PERSON_KIND_SERVICE);

  v1::SignInRequest sign_in;
  sign_in.set_service_key(created.service_key());
  v1::SignInResponse session;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().SignIn(&ctx, sign_in, &session).ok());
  }
  EXPECT_TRUE(Get(session.access_token(), driver_.id()).ok());  // people.read in its subtree
  EXPECT_TRUE(Get(session.access_token(), created.account().id()).ok());  // itself
  // No write scope: cannot create people.
  v1::CreatePersonRequest person;
  person.set_request_id(TestServer::RequestId());
  person.mutable_person()->set_organization_id(branch_.id());
  person.mutable_person()->set_display_name("x");
  person.mutable_person()->set_employee_number("X1");
  person.mutable_person()->set_role(v1::ROLE_EMPLOYEE);
  v1::Person out;
  EXPECT_EQ(server_.people()
                .CreatePerson(TestServer::Ctx(session.access_token()).get(), person, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  // A wrong key.
  std::string wrong = created.service_key();
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  sign_in.set_service_key(wrong);
  grpc::ClientContext ctx;
  EXPECT_EQ(server_.auth().SignIn(&ctx, sign_in, &session).error_code(), grpc::UNAUTHENTICATED);
  // A retry of the creation returns the same account but never the key again.
  v1::CreateServiceAccountResponse again;
  ASSERT_TRUE(
      server_.auth().CreateServiceAccount(TestServer::Ctx(admin_).get(), create, &again).ok());
  EXPECT_EQ(again.account().id(), created.account().id());
  EXPECT_TRUE(again.service_key().empty());
}

TEST_F(AuthServiceTest, ServiceAccountsNeedAdminScopeAndValidScopes) {
  server_.CreatePerson(admin_, branch_.id(), "书记", "S1", v1::ROLE_SECRETARY);
  auto secretary = server_.SignIn("S1");
  v1::CreateServiceAccountRequest create;
  create.set_request_id(TestServer::RequestId());
  create.set_organization_id(branch_.id());
  create.set_display_name("HR");
  create.add_scopes(v1::SCOPE_PEOPLE_READ);
  v1::CreateServiceAccountResponse out;
  EXPECT_EQ(server_.auth()
                .CreateServiceAccount(TestServer::Ctx(secretary).get(), create, &out)
                .error_code(),
            grpc::PERMISSION_DENIED);
  create.clear_scopes();
  auto status = server_.auth().CreateServiceAccount(TestServer::Ctx(admin_).get(), create, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "scopes");
}

}  // namespace
}  // namespace branchline
