// The matrices for the RPCs the area matrices do not cover: SyncService (changes, feed,
// notices, offline uploads), and the operations of the foundation (moving, archiving and
// importing, service accounts, passwords, sign-out, backups). Every caller kind of issue #9
// plus the system administrator; each cell the documented outcome, rendered in
// docs/authorization.md.
#include <gtest/gtest.h>

#include <map>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/authorization_doc.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;
using namespace testing::matrix;                    // NOLINT: table cell names
constexpr auto FAILED = grpc::FAILED_PRECONDITION;  // service accounts have no password
using Table = std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>>;

class OperationsAuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sync_ = v1::SyncService::NewStub(server_.channel());
    admin_stub_ = v1::AdminService::NewStub(server_.channel());
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "本支部").id();
    sibling_ = server_.CreateOrg(admin_, root_, "兄弟支部").id();
    member_ = server_.CreatePerson(admin_, branch_, "本人", "self").id();
    server_.CreatePerson(admin_, branch_, "同事", "colleague");
    server_.CreatePerson(admin_, branch_, "书记", "secretary", v1::ROLE_SECRETARY);
    server_.CreatePerson(admin_, sibling_, "兄弟书记", "sibling-secretary", v1::ROLE_SECRETARY);
  }

  // The callers; `scope` is the scope "service with scope" has.
  void SignInCallers(v1::Scope scope) {
    tokens_["no token"] = "";
    tokens_["tampered"] = TestServer::TamperedToken(server_.SignIn("self"));
    tokens_["expired"] = server_.ExpiredToken(member_);
    tokens_["other tenant admin"] = server_.ForeignTenantAdminToken();
    tokens_["another member"] = server_.SignIn("colleague");
    tokens_["self"] = server_.SignIn("self");
    tokens_["secretary of branch"] = server_.SignIn("secretary");
    tokens_["secretary of sibling"] = server_.SignIn("sibling-secretary");
    tokens_["admin above"] = server_.AdminAboveToken(root_);
    tokens_["service with scope"] = server_.ServiceToken(branch_, scope);
    tokens_["service without scope"] = server_.ServiceToken(
        branch_, scope == v1::SCOPE_PEOPLE_READ ? v1::SCOPE_STUDY_READ : v1::SCOPE_PEOPLE_READ);
    // The receipt holder calls with no token: only the receipt RPCs (feedback) accept them.
    tokens_["anonymous receipt holder"] = "";
    tokens_["system administrator"] = server_.SignIn("admin", testing::kAdminPassword);
  }

  // A notice to the whole branch, posted by its secretary's manager (the administrator).
  uint64_t NewNotice() {
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(branch_);
    r.mutable_notice()->mutable_audience()->set_organization_id(branch_);
    r.mutable_notice()->set_title("通知");
    r.mutable_notice()->set_body("周五学习。");
    v1::Notice out;
    auto status = sync_->PostNotice(TestServer::Ctx(admin_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }

  grpc::StatusCode CallSync(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    if (op == "ListChanges") {
      v1::ListChangesRequest r;
      v1::ListChangesResponse out;
      return sync_->ListChanges(ctx.get(), r, &out).error_code();
    }
    if (op == "ListFeed") {
      v1::ListFeedRequest r;
      r.set_organization_id(branch_);
      v1::ListFeedResponse out;
      return sync_->ListFeed(ctx.get(), r, &out).error_code();
    }
    if (op == "PostNotice") {
      v1::PostNoticeRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_notice()->set_organization_id(branch_);
      r.mutable_notice()->mutable_audience()->set_organization_id(branch_);
      r.mutable_notice()->set_title("通知");
      r.mutable_notice()->set_body("正文");
      v1::Notice out;
      return sync_->PostNotice(ctx.get(), r, &out).error_code();
    }
    if (op == "GetNotice") {
      v1::GetNoticeRequest r;
      r.set_id(notice_);
      v1::Notice out;
      return sync_->GetNotice(ctx.get(), r, &out).error_code();
    }
    if (op == "ListMyNotices") {
      v1::ListMyNoticesRequest r;
      v1::ListMyNoticesResponse out;
      return sync_->ListMyNotices(ctx.get(), r, &out).error_code();
    }
    if (op == "MarkNoticeRead") {
      v1::MarkNoticeReadRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(notice_);
      v1::MarkNoticeReadResponse out;
      return sync_->MarkNoticeRead(ctx.get(), r, &out).error_code();
    }
    if (op == "ListNoticeReaders") {
      v1::ListNoticeReadersRequest r;
      r.set_id(notice_);
      v1::ListNoticeReadersResponse out;
      return sync_->ListNoticeReaders(ctx.get(), r, &out).error_code();
    }
    if (op == "UploadActions") {
      // The call itself; each action is then answered on its own (sync_batch_test.cc).
      v1::UploadActionsRequest r;
      auto* study = r.add_actions()->mutable_study_record();
      study->set_request_id(TestServer::RequestId());
      v1::UploadActionsResponse out;
      return sync_->UploadActions(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  grpc::StatusCode CallOperation(const std::string& op, const std::string& token) {
    auto ctx = TestServer::Ctx(token);
    v1::Organization org;
    if (op == "MoveOrganization") {
      auto group = server_.CreateOrg(admin_, branch_, "小组", v1::ORGANIZATION_KIND_GROUP);
      auto target = server_.CreateOrg(admin_, branch_, "新小组", v1::ORGANIZATION_KIND_GROUP);
      v1::MoveOrganizationRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(group.id());
      r.set_new_parent_id(target.id());
      return server_.orgs().MoveOrganization(ctx.get(), r, &org).error_code();
    }
    if (op == "ArchiveOrganization") {
      auto group = server_.CreateOrg(admin_, branch_, "小组", v1::ORGANIZATION_KIND_GROUP);
      v1::ArchiveOrganizationRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_id(group.id());
      return server_.orgs().ArchiveOrganization(ctx.get(), r, &org).error_code();
    }
    if (op == "ImportPeople") {
      v1::ImportPeopleRequest r;
      r.set_request_id(TestServer::RequestId());
      auto* row = r.add_rows();
      row->mutable_person()->set_organization_id(branch_);
      row->mutable_person()->set_display_name("新人");
      row->mutable_person()->set_employee_number("import-" + r.request_id());
      row->mutable_person()->set_role(v1::ROLE_EMPLOYEE);
      row->set_initial_password(testing::kPassword);
      v1::ImportPeopleResponse out;
      return server_.people().ImportPeople(ctx.get(), r, &out).error_code();
    }
    if (op == "CreateServiceAccount") {
      v1::CreateServiceAccountRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_organization_id(branch_);
      r.set_display_name("考勤机");
      r.add_scopes(v1::SCOPE_ATTENDANCE_READ);
      v1::CreateServiceAccountResponse out;
      return server_.auth().CreateServiceAccount(ctx.get(), r, &out).error_code();
    }
    if (op == "CreateBackup") {
      v1::CreateBackupRequest r;
      r.set_request_id(TestServer::RequestId());
      v1::Backup out;
      return admin_stub_->CreateBackup(ctx.get(), r, &out).error_code();
    }
    if (op == "ListBackups") {
      v1::ListBackupsRequest r;
      v1::ListBackupsResponse out;
      return admin_stub_->ListBackups(ctx.get(), r, &out).error_code();
    }
    if (op == "VerifyBackup") {
      v1::VerifyBackupRequest r;
      r.set_id(backup_);
      v1::VerifyBackupResponse out;
      return admin_stub_->VerifyBackup(ctx.get(), r, &out).error_code();
    }
    if (op == "ChangePassword(own)") {
      // Changes the caller's password and back, so every row can sign in again.
      v1::ChangePasswordRequest r;
      r.set_request_id(TestServer::RequestId());
      r.set_old_password(password_of(token));
      r.set_new_password(password_of(token) + "-new");
      v1::ChangePasswordResponse out;
      auto code = server_.auth().ChangePassword(ctx.get(), r, &out).error_code();
      if (code == grpc::OK) {
        v1::ChangePasswordRequest back;
        back.set_request_id(TestServer::RequestId());
        back.set_old_password(r.new_password());
        back.set_new_password(r.old_password());
        EXPECT_TRUE(server_.auth().ChangePassword(TestServer::Ctx(token).get(), back, &out).ok());
      }
      return code;
    }
    if (op == "SignOut(own session)") {
      v1::SignOutRequest r;
      r.set_request_id(TestServer::RequestId());
      v1::SignOutResponse out;
      return server_.auth().SignOut(ctx.get(), r, &out).error_code();
    }
    ADD_FAILURE() << "unknown op " << op;
    return grpc::UNKNOWN;
  }

  std::string password_of(const std::string& token) const {
    return token == tokens_.at("system administrator") ? testing::kAdminPassword
                                                       : testing::kPassword;
  }

  TestServer server_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::AdminService::Stub> admin_stub_;
  std::string admin_;
  uint64_t root_ = 0, branch_ = 0, sibling_ = 0, member_ = 0, notice_ = 0;
  uint32_t backup_ = 0;
  std::map<std::string, std::string> tokens_;
};

TEST_F(OperationsAuthorizationTest, SyncEveryCallerEveryMethod) {
  SignInCallers(v1::SCOPE_FEED_READ);
  notice_ = NewNotice();
  const std::vector<std::string> ops = {"ListChanges",       "ListFeed",      "PostNotice",
                                        "GetNotice",         "ListMyNotices", "MarkNoticeRead",
                                        "ListNoticeReaders", "UploadActions"};
  // clang-format off
  const Table table = {
    //                            Changes Feed    Post    Get     Mine    Read    Readers Upload
    {"no token",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",                  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",       {OK,     NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND, OK}},
    {"another member",           {OK,     DENIED, DENIED, OK,     OK,     OK,     DENIED, OK}},
    {"self",                     {OK,     DENIED, DENIED, OK,     OK,     OK,     DENIED, OK}},
    {"secretary of branch",      {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
    {"secretary of sibling",     {OK,     DENIED, DENIED, DENIED, OK,     DENIED, DENIED, OK}},
    {"admin above",              {OK,     OK,     OK,     OK,     OK,     DENIED, OK,     OK}},
    {"service with scope",       {OK,     OK,     DENIED, DENIED, OK,     DENIED, DENIED, OK}},
    {"service without scope",    {OK,     DENIED, DENIED, DENIED, OK,     DENIED, DENIED, OK}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",     {OK,     OK,     OK,     OK,     OK,     DENIED, OK,     OK}},
  };
  // clang-format on
  testing::ExpectMatrix({"sync", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return CallSync(op, tokens_.at(caller));
                        });
}

TEST_F(OperationsAuthorizationTest, OperationsEveryCallerEveryMethod) {
  SignInCallers(v1::SCOPE_PEOPLE_WRITE);
  {
    v1::CreateBackupRequest r;
    r.set_request_id(TestServer::RequestId());
    v1::Backup out;
    ASSERT_TRUE(admin_stub_->CreateBackup(TestServer::Ctx(admin_).get(), r, &out).ok());
    backup_ = out.id();
  }
  // SignOut last: it ends the row's session.
  const std::vector<std::string> ops = {
      "MoveOrganization",     "ArchiveOrganization", "ImportPeople",
      "CreateServiceAccount", "CreateBackup",        "ListBackups",
      "VerifyBackup",         "ChangePassword(own)", "SignOut(own session)"};
  // clang-format off
  const Table table = {
    //                            Move    Archive Import  SvcAcct Backup  ListB   Verify  Passwd  SignOut
    {"no token",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",                  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",       {NOTFOUND, NOTFOUND, OK, NOTFOUND, DENIED, DENIED, DENIED, OK,   OK}},
    {"another member",           {DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, OK,     OK}},
    {"self",                     {DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, OK,     OK}},
    {"secretary of branch",      {OK,     OK,     OK,     DENIED, DENIED, DENIED, DENIED, OK,     OK}},
    {"secretary of sibling",     {DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, OK,     OK}},
    {"admin above",              {OK,     OK,     OK,     OK,     DENIED, DENIED, DENIED, OK,     OK}},
    {"service with scope",       {DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, FAILED, OK}},
    {"service without scope",    {DENIED, DENIED, OK,     DENIED, DENIED, DENIED, DENIED, FAILED, OK}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",     {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
  };
  // clang-format on
  testing::ExpectMatrix({"operations", ops, table},
                        [&](const std::string& op, const std::string& caller) {
                          return CallOperation(op, tokens_.at(caller));
                        });
}

}  // namespace
}  // namespace branchline
