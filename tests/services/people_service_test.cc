#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

class PeopleServiceTest : public ::testing::Test {
 protected:
  TestServer server_;
  std::string admin_ = server_.AdminToken();
  uint64_t root_ = server_.RootOrgId();
  v1::Organization branch_ = server_.CreateOrg(admin_, root_, "运输四队党支部");
};

TEST_F(PeopleServiceTest, CreateSignInAndReadSelf) {
  auto person = server_.CreatePerson(admin_, branch_.id(), "张建国", "D1001");
  EXPECT_EQ(person.kind(), v1::PERSON_KIND_HUMAN);
  EXPECT_TRUE(person.active());
  auto token = server_.SignIn("D1001");
  v1::GetPersonRequest get;
  get.set_id(person.id());
  v1::Person self;
  ASSERT_TRUE(server_.people().GetPerson(TestServer::Ctx(token).get(), get, &self).ok());
  EXPECT_EQ(self.display_name(), "张建国");
}

TEST_F(PeopleServiceTest, ServerOwnedFieldsAreIgnored) {
  v1::CreatePersonRequest request;
  request.set_request_id(TestServer::RequestId());
  auto* p = request.mutable_person();
  p->set_id(12345);
  p->set_organization_id(branch_.id());
  p->set_display_name("李四");
  p->set_employee_number("D2");
  p->set_role(v1::ROLE_FULL_MEMBER);
  p->set_system_admin(true);
  p->set_active(false);
  p->set_kind(v1::PERSON_KIND_SERVICE);
  p->add_scopes(v1::SCOPE_PEOPLE_WRITE);
  v1::Person out;
  ASSERT_TRUE(server_.people().CreatePerson(TestServer::Ctx(admin_).get(), request, &out).ok());
  EXPECT_NE(out.id(), 12345u);
  EXPECT_FALSE(out.system_admin());
  EXPECT_TRUE(out.active());
  EXPECT_EQ(out.kind(), v1::PERSON_KIND_HUMAN);
  EXPECT_EQ(out.scopes_size(), 0);
}

TEST_F(PeopleServiceTest, ValidationNamesTheFieldAndWritesNothing) {
  struct Case {
    std::function<void(v1::CreatePersonRequest*)> mutate;
    grpc::StatusCode code;
    std::string field;
  } cases[] = {
      {[](auto* r) { r->mutable_person()->set_display_name(""); }, grpc::INVALID_ARGUMENT,
       "person.display_name"},
      {[](auto* r) { r->mutable_person()->set_display_name(std::string(51 * 3, 'a')); },
       grpc::INVALID_ARGUMENT, "person.display_name"},
      {[](auto* r) { r->mutable_person()->set_phone("12ab"); }, grpc::INVALID_ARGUMENT,
       "person.phone"},
      {[](auto* r) { r->mutable_person()->set_employee_number("has space"); },
       grpc::INVALID_ARGUMENT, "person.employee_number"},
      {[](auto* r) { r->mutable_person()->set_employee_number(""); }, grpc::INVALID_ARGUMENT,
       "person.phone"},
      {[](auto* r) { r->mutable_person()->set_role(v1::ROLE_UNSPECIFIED); }, grpc::INVALID_ARGUMENT,
       "person.role"},
      {[](auto* r) { r->set_initial_password("short"); }, grpc::INVALID_ARGUMENT,
       "initial_password"},
      {[](auto* r) { r->mutable_person()->set_organization_id(0); }, grpc::INVALID_ARGUMENT,
       "person.organization_id"},
      {[](auto* r) { r->mutable_person()->set_organization_id(987654321); }, grpc::NOT_FOUND,
       "person.organization_id"},
  };
  for (auto& c : cases) {
    v1::CreatePersonRequest request;
    request.set_request_id(TestServer::RequestId());
    auto* p = request.mutable_person();
    p->set_organization_id(branch_.id());
    p->set_display_name("王五");
    p->set_employee_number("W5");
    p->set_role(v1::ROLE_EMPLOYEE);
    c.mutate(&request);
    v1::Person out;
    auto status = server_.people().CreatePerson(TestServer::Ctx(admin_).get(), request, &out);
    EXPECT_EQ(status.error_code(), c.code) << c.field << ": " << status.error_message();
    EXPECT_EQ(testing::ViolationField(status), c.field);
  }
  v1::ListPeopleRequest list;
  list.set_organization_id(branch_.id());
  v1::ListPeopleResponse listed;
  ASSERT_TRUE(server_.people().ListPeople(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.people_size(), 0);
}

TEST_F(PeopleServiceTest, LoginsAreUniqueWithinTheTenant) {
  server_.CreatePerson(admin_, branch_.id(), "甲", "E1");
  v1::CreatePersonRequest request;
  request.set_request_id(TestServer::RequestId());
  auto* p = request.mutable_person();
  p->set_organization_id(branch_.id());
  p->set_display_name("乙");
  p->set_employee_number("E1");
  p->set_role(v1::ROLE_EMPLOYEE);
  v1::Person out;
  auto status = server_.people().CreatePerson(TestServer::Ctx(admin_).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(testing::ViolationField(status), "person.employee_number");
}

TEST_F(PeopleServiceTest, ListByRoleSubtreeAndPages) {
  auto group = server_.CreateOrg(admin_, branch_.id(), "第一党小组", v1::ORGANIZATION_KIND_GROUP);
  for (int i = 0; i < 4; ++i)
    server_.CreatePerson(admin_, branch_.id(), "支部" + std::to_string(i), "B" + std::to_string(i));
  for (int i = 0; i < 3; ++i)
    server_.CreatePerson(admin_, group.id(), "小组" + std::to_string(i), "G" + std::to_string(i),
                         v1::ROLE_ACTIVIST);

  v1::ListPeopleRequest list;
  list.set_organization_id(branch_.id());
  v1::ListPeopleResponse direct;
  ASSERT_TRUE(server_.people().ListPeople(TestServer::Ctx(admin_).get(), list, &direct).ok());
  EXPECT_EQ(direct.people_size(), 4);

  list.set_include_descendants(true);
  list.set_page_size(2);
  std::set<uint64_t> seen;
  int pages = 0;
  do {
    v1::ListPeopleResponse page;
    auto status = server_.people().ListPeople(TestServer::Ctx(admin_).get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (auto& p : page.people()) EXPECT_TRUE(seen.insert(p.id()).second);
    list.set_page_token(page.next_page_token());
    ASSERT_LT(++pages, 10);
  } while (!list.page_token().empty());
  EXPECT_EQ(seen.size(), 7u);

  list.set_page_size(0);
  list.set_role(v1::ROLE_ACTIVIST);
  v1::ListPeopleResponse activists;
  ASSERT_TRUE(server_.people().ListPeople(TestServer::Ctx(admin_).get(), list, &activists).ok());
  EXPECT_EQ(activists.people_size(), 3);
}

TEST_F(PeopleServiceTest, SelfMayEditNameAndPhoneButNotRole) {
  auto person = server_.CreatePerson(admin_, branch_.id(), "赵六", "Z6");
  auto token = server_.SignIn("Z6");
  v1::UpdatePersonRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_person()->set_id(person.id());
  update.mutable_person()->set_display_name("赵老六");
  update.mutable_person()->set_phone("13800000001");
  update.mutable_update_mask()->add_paths("display_name");
  update.mutable_update_mask()->add_paths("phone");
  v1::Person out;
  ASSERT_TRUE(server_.people().UpdatePerson(TestServer::Ctx(token).get(), update, &out).ok());
  EXPECT_EQ(out.display_name(), "赵老六");
  // Can now sign in with the phone too.
  server_.SignIn("13800000001");

  update.set_request_id(TestServer::RequestId());
  update.mutable_person()->set_role(v1::ROLE_SECRETARY);
  update.mutable_update_mask()->add_paths("role");
  EXPECT_EQ(server_.people().UpdatePerson(TestServer::Ctx(token).get(), update, &out).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(PeopleServiceTest, DeactivationEndsSessionsAndSignIn) {
  auto person = server_.CreatePerson(admin_, branch_.id(), "孙七", "S7");
  auto token = server_.SignIn("S7");
  v1::DeactivatePersonRequest deactivate;
  deactivate.set_request_id(TestServer::RequestId());
  deactivate.set_id(person.id());
  v1::Person out;
  ASSERT_TRUE(
      server_.people().DeactivatePerson(TestServer::Ctx(admin_).get(), deactivate, &out).ok());
  EXPECT_FALSE(out.active());
  v1::GetPersonRequest get;
  get.set_id(person.id());
  EXPECT_EQ(server_.people().GetPerson(TestServer::Ctx(token).get(), get, &out).error_code(),
            grpc::UNAUTHENTICATED);
  v1::SignInRequest sign_in;
  sign_in.set_login("S7");
  sign_in.set_password(testing::kPassword);
  v1::SignInResponse response;
  grpc::ClientContext ctx;
  EXPECT_EQ(server_.auth().SignIn(&ctx, sign_in, &response).error_code(), grpc::UNAUTHENTICATED);
}

TEST_F(PeopleServiceTest, ImportAnswersEachRow) {
  v1::ImportPeopleRequest request;
  request.set_request_id(TestServer::RequestId());
  auto add = [&](const std::string& name, const std::string& number, v1::Role role) {
    auto* row = request.add_rows();
    row->mutable_person()->set_organization_id(branch_.id());
    row->mutable_person()->set_display_name(name);
    row->mutable_person()->set_employee_number(number);
    row->mutable_person()->set_role(role);
  };
  add("司机一", "I1", v1::ROLE_EMPLOYEE);
  add("", "I2", v1::ROLE_EMPLOYEE);           // bad name
  add("司机三", "I1", v1::ROLE_EMPLOYEE);     // repeats row 0's login
  add("司机四", "I4", v1::ROLE_UNSPECIFIED);  // bad role
  add("司机五", "I5", v1::ROLE_FULL_MEMBER);
  v1::ImportPeopleResponse response;
  ASSERT_TRUE(
      server_.people().ImportPeople(TestServer::Ctx(admin_).get(), request, &response).ok());
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.created_count(), 2);
  EXPECT_EQ(response.failed_count(), 3);
  EXPECT_EQ(response.results(0).status().code(), 0);
  EXPECT_NE(response.results(0).person_id(), 0u);
  EXPECT_EQ(response.results(1).status().code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(response.results(2).status().code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(response.results(3).status().code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(response.results(4).status().code(), 0);
  // A retry of the batch creates nobody new.
  v1::ImportPeopleResponse again;
  ASSERT_TRUE(server_.people().ImportPeople(TestServer::Ctx(admin_).get(), request, &again).ok());
  EXPECT_EQ(again.results(0).person_id(), response.results(0).person_id());
  v1::ListPeopleRequest list;
  list.set_organization_id(branch_.id());
  v1::ListPeopleResponse listed;
  ASSERT_TRUE(server_.people().ListPeople(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.people_size(), 2);

  v1::ImportPeopleRequest huge;
  huge.set_request_id(TestServer::RequestId());
  for (int i = 0; i < 1001; ++i) huge.add_rows();
  EXPECT_EQ(
      server_.people().ImportPeople(TestServer::Ctx(admin_).get(), huge, &response).error_code(),
      grpc::RESOURCE_EXHAUSTED);
}

TEST_F(PeopleServiceTest, AdminScopeCanOnlyBeGrantedByAdmins) {
  server_.CreatePerson(admin_, branch_.id(), "书记", "SEC", v1::ROLE_SECRETARY);
  auto secretary = server_.SignIn("SEC");
  v1::CreatePersonRequest request;
  request.set_request_id(TestServer::RequestId());
  auto* p = request.mutable_person();
  p->set_organization_id(branch_.id());
  p->set_display_name("新人");
  p->set_employee_number("N1");
  p->set_role(v1::ROLE_EMPLOYEE);
  p->add_admin_organization_ids(branch_.id());
  v1::Person out;
  EXPECT_EQ(
      server_.people().CreatePerson(TestServer::Ctx(secretary).get(), request, &out).error_code(),
      grpc::PERMISSION_DENIED);
  p->clear_admin_organization_ids();
  request.set_request_id(TestServer::RequestId());
  EXPECT_TRUE(server_.people().CreatePerson(TestServer::Ctx(secretary).get(), request, &out).ok());
}

}  // namespace
}  // namespace branchline
