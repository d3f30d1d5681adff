#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <thread>

#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

class OrgServiceTest : public ::testing::Test {
 protected:
  TestServer server_;
  std::string admin_ = server_.AdminToken();
  uint64_t root_ = server_.RootOrgId();
};

TEST_F(OrgServiceTest, CreateGetAndInheritOffset) {
  auto company = server_.CreateOrg(admin_, root_, "运输公司", v1::ORGANIZATION_KIND_COMPANY);
  auto branch = server_.CreateOrg(admin_, company.id(), "运输四队党支部");
  EXPECT_EQ(branch.parent_id(), company.id());
  EXPECT_EQ(branch.ancestor_ids().size(), 2);
  EXPECT_EQ(branch.ancestor_ids(0), root_);
  EXPECT_EQ(branch.utc_offset_minutes(), 480);  // inherited from the root
  EXPECT_EQ(branch.tenant_id(), 1u);
  v1::GetOrganizationRequest get;
  get.set_id(branch.id());
  v1::Organization got;
  ASSERT_TRUE(server_.orgs().GetOrganization(TestServer::Ctx(admin_).get(), get, &got).ok());
  EXPECT_EQ(got.name(), "运输四队党支部");
  EXPECT_TRUE(got.has_create_time());
}

TEST_F(OrgServiceTest, ValidationNamesTheField) {
  struct Case {
    std::function<void(v1::Organization*)> mutate;
    std::string field;
  } cases[] = {
      {[](auto* o) { o->set_name(""); }, "organization.name"},
      {[](auto* o) { o->set_name(std::string(101, 'x')); }, "organization.name"},
      // Invalid UTF-8 never reaches our code (gRPC cannot parse it) but is still a client error.
      {[](auto* o) { o->set_name("\xff\xfe"); }, ""},
      {[](auto* o) { o->set_kind(v1::ORGANIZATION_KIND_UNSPECIFIED); }, "organization.kind"},
      {[](auto* o) { o->set_kind(static_cast<v1::OrganizationKind>(99)); }, "organization.kind"},
      {[](auto* o) { o->set_utc_offset_minutes(900); }, "organization.utc_offset_minutes"},
  };
  for (auto& c : cases) {
    v1::CreateOrganizationRequest request;
    request.set_request_id(TestServer::RequestId());
    auto* o = request.mutable_organization();
    o->set_parent_id(root_);
    o->set_name("ok");
    o->set_kind(v1::ORGANIZATION_KIND_BRANCH);
    c.mutate(o);
    v1::Organization out;
    auto status = server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &out);
    EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(testing::ViolationField(status), c.field);
  }
  // Nothing was written.
  v1::ListOrganizationsRequest list;
  list.set_parent_id(root_);
  v1::ListOrganizationsResponse listed;
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 0);
}

TEST_F(OrgServiceTest, MissingParentAndRequestIdAreRefused) {
  v1::CreateOrganizationRequest request;
  request.set_request_id(TestServer::RequestId());
  request.mutable_organization()->set_parent_id(root_ + 999);
  request.mutable_organization()->set_name("x");
  request.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
  v1::Organization out;
  auto status = server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(testing::ViolationField(status), "organization.parent_id");
  request.set_request_id("");
  request.mutable_organization()->set_parent_id(root_);
  status = server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "request_id");
}

TEST_F(OrgServiceTest, RetryWithSameRequestIdCreatesOnce) {
  v1::CreateOrganizationRequest request;
  request.set_request_id("retry-1");
  request.mutable_organization()->set_parent_id(root_);
  request.mutable_organization()->set_name("收费站党支部");
  request.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
  v1::Organization first, second;
  ASSERT_TRUE(
      server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &first).ok());
  ASSERT_TRUE(
      server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &second).ok());
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  // The same id for a different request is refused.
  request.mutable_organization()->set_name("另一个");
  v1::Organization third;
  auto status = server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &third);
  EXPECT_EQ(status.error_code(), grpc::ALREADY_EXISTS);
  v1::ListOrganizationsRequest list;
  list.set_parent_id(root_);
  v1::ListOrganizationsResponse listed;
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 1);
}

TEST_F(OrgServiceTest, ConcurrentRetriesOfOneRequestCreateOneOrganization) {
  std::vector<std::thread> threads;
  std::vector<uint64_t> ids(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::CreateOrganizationRequest request;
      request.set_request_id("same-for-all");
      request.mutable_organization()->set_parent_id(root_);
      request.mutable_organization()->set_name("并发");
      request.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
      v1::Organization out;
      EXPECT_TRUE(
          server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), request, &out).ok());
      ids[i] = out.id();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), 1u);
}

TEST_F(OrgServiceTest, ListChildrenAndSubtreeWithPaging) {
  auto a = server_.CreateOrg(admin_, root_, "A");
  auto b = server_.CreateOrg(admin_, root_, "B");
  for (int i = 0; i < 5; ++i)
    server_.CreateOrg(admin_, a.id(), "A-" + std::to_string(i), v1::ORGANIZATION_KIND_GROUP);
  server_.CreateOrg(admin_, b.id(), "B-0", v1::ORGANIZATION_KIND_GROUP);

  v1::ListOrganizationsRequest list;
  list.set_parent_id(root_);
  v1::ListOrganizationsResponse children;
  ASSERT_TRUE(
      server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &children).ok());
  EXPECT_EQ(children.organizations_size(), 2);

  list.set_include_descendants(true);
  list.set_page_size(3);
  std::set<std::string> names;
  int pages = 0;
  do {
    v1::ListOrganizationsResponse page;
    ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &page).ok());
    EXPECT_LE(page.organizations_size(), 3);
    for (auto& o : page.organizations()) EXPECT_TRUE(names.insert(o.name()).second);
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(pages, 3);

  list.set_page_token("garbage");
  v1::ListOrganizationsResponse bad;
  auto status = server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &bad);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "page_token");
  list.set_page_token("");
  list.set_page_size(-1);
  EXPECT_EQ(
      server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &bad).error_code(),
      grpc::INVALID_ARGUMENT);
}

TEST_F(OrgServiceTest, UpdateNeedsAMaskAndAppliesOnlyIt) {
  auto org = server_.CreateOrg(admin_, root_, "旧名字");
  v1::UpdateOrganizationRequest update;
  update.set_request_id(TestServer::RequestId());
  update.mutable_organization()->set_id(org.id());
  update.mutable_organization()->set_name("新名字");
  update.mutable_organization()->set_utc_offset_minutes(0);
  v1::Organization out;
  auto status = server_.orgs().UpdateOrganization(TestServer::Ctx(admin_).get(), update, &out);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "update_mask");
  update.mutable_update_mask()->add_paths("name");
  ASSERT_TRUE(server_.orgs().UpdateOrganization(TestServer::Ctx(admin_).get(), update, &out).ok());
  EXPECT_EQ(out.name(), "新名字");
  EXPECT_EQ(out.utc_offset_minutes(), 480);  // not in the mask
  update.set_request_id(TestServer::RequestId());
  update.mutable_update_mask()->add_paths("parent_id");
  EXPECT_EQ(
      server_.orgs().UpdateOrganization(TestServer::Ctx(admin_).get(), update, &out).error_code(),
      grpc::INVALID_ARGUMENT);
}

TEST_F(OrgServiceTest, MoveRebasesTheSubtreeAndRefusesCycles) {
  auto a = server_.CreateOrg(admin_, root_, "A");
  auto b = server_.CreateOrg(admin_, root_, "B");
  auto a1 = server_.CreateOrg(admin_, a.id(), "A1", v1::ORGANIZATION_KIND_GROUP);
  auto a11 = server_.CreateOrg(admin_, a1.id(), "A11", v1::ORGANIZATION_KIND_TEAM);

  v1::MoveOrganizationRequest move;
  move.set_request_id(TestServer::RequestId());
  move.set_id(a.id());
  move.set_new_parent_id(a11.id());
  v1::Organization out;
  auto status = server_.orgs().MoveOrganization(TestServer::Ctx(admin_).get(), move, &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);

  move.set_request_id(TestServer::RequestId());
  move.set_id(a1.id());
  move.set_new_parent_id(b.id());
  ASSERT_TRUE(server_.orgs().MoveOrganization(TestServer::Ctx(admin_).get(), move, &out).ok());
  EXPECT_EQ(out.parent_id(), b.id());
  v1::GetOrganizationRequest get;
  get.set_id(a11.id());
  v1::Organization moved;
  ASSERT_TRUE(server_.orgs().GetOrganization(TestServer::Ctx(admin_).get(), get, &moved).ok());
  ASSERT_EQ(moved.ancestor_ids_size(), 3);
  EXPECT_EQ(moved.ancestor_ids(0), root_);
  EXPECT_EQ(moved.ancestor_ids(1), b.id());
  EXPECT_EQ(moved.ancestor_ids(2), a1.id());

  v1::ListOrganizationsRequest list;
  list.set_parent_id(b.id());
  list.set_include_descendants(true);
  v1::ListOrganizationsResponse under_b, under_a;
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &under_b).ok());
  EXPECT_EQ(under_b.organizations_size(), 2);
  list.set_parent_id(a.id());
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &under_a).ok());
  EXPECT_EQ(under_a.organizations_size(), 0);
}

TEST_F(OrgServiceTest, ArchiveNeedsArchivedChildrenAndHidesFromLists) {
  auto a = server_.CreateOrg(admin_, root_, "A");
  auto a1 = server_.CreateOrg(admin_, a.id(), "A1", v1::ORGANIZATION_KIND_GROUP);
  v1::ArchiveOrganizationRequest archive;
  archive.set_request_id(TestServer::RequestId());
  archive.set_id(a.id());
  v1::Organization out;
  EXPECT_EQ(
      server_.orgs().ArchiveOrganization(TestServer::Ctx(admin_).get(), archive, &out).error_code(),
      grpc::FAILED_PRECONDITION);
  archive.set_request_id(TestServer::RequestId());
  archive.set_id(a1.id());
  ASSERT_TRUE(
      server_.orgs().ArchiveOrganization(TestServer::Ctx(admin_).get(), archive, &out).ok());
  EXPECT_TRUE(out.archived());
  archive.set_request_id(TestServer::RequestId());
  archive.set_id(a.id());
  ASSERT_TRUE(
      server_.orgs().ArchiveOrganization(TestServer::Ctx(admin_).get(), archive, &out).ok());
  v1::ListOrganizationsRequest list;
  list.set_parent_id(root_);
  v1::ListOrganizationsResponse listed;
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 0);
  list.set_show_archived(true);
  ASSERT_TRUE(server_.orgs().ListOrganizations(TestServer::Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.organizations_size(), 1);
  // No new children under an archived organisation.
  v1::CreateOrganizationRequest create;
  create.set_request_id(TestServer::RequestId());
  create.mutable_organization()->set_parent_id(a.id());
  create.mutable_organization()->set_name("late");
  create.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_GROUP);
  EXPECT_EQ(
      server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), create, &out).error_code(),
      grpc::FAILED_PRECONDITION);
}

TEST_F(OrgServiceTest, SystemAdminCreatesTenantsOthersCannot) {
  v1::CreateOrganizationRequest create;
  create.set_request_id(TestServer::RequestId());
  create.mutable_organization()->set_name("第二家公司");
  create.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_COMPANY);
  v1::Organization tenant;
  ASSERT_TRUE(
      server_.orgs().CreateOrganization(TestServer::Ctx(admin_).get(), create, &tenant).ok());
  EXPECT_EQ(tenant.parent_id(), 0u);
  EXPECT_NE(tenant.tenant_id(), 1u);

  auto branch = server_.CreateOrg(admin_, root_, "支部");
  server_.CreatePerson(admin_, branch.id(), "书记", "sec-1", v1::ROLE_SECRETARY);
  auto secretary = server_.SignIn("sec-1");
  create.set_request_id(TestServer::RequestId());
  EXPECT_EQ(server_.orgs()
                .CreateOrganization(TestServer::Ctx(secretary).get(), create, &tenant)
                .error_code(),
            grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace branchline
