// The matrices for the RPCs the area matrices do not cover: SyncService (changes, feed,
// notices, offline uploads), and the operations of the foundation (moving, archiving and
// importing, service accounts, passwords, sign-out, backups). Every caller kind of issue #9
// plus the system administrator; each cell the documented outcome, rendered in
// docs/authorization.md.
#include <gtest/gtest.h>

#include <ctime>
#include <map>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "services/auth/key_format.h"
#include "storage/keys.h"
#include "storage/store.h"
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
    tokens_["other tenant admin"] =
        server_.ForeignTenantAdminToken(&credentials_["other tenant admin"]);
    tokens_["another member"] = server_.SignIn("colleague");
    tokens_["self"] = server_.SignIn("self");
    tokens_["secretary of branch"] = server_.SignIn("secretary");
    tokens_["secretary of sibling"] = server_.SignIn("sibling-secretary");
    tokens_["admin above"] = server_.AdminAboveToken(root_);
    tokens_["service with scope"] =
        server_.ServiceToken(branch_, scope, &credentials_["service with scope"]);
    tokens_["service without scope"] = server_.ServiceToken(
        branch_, scope == v1::SCOPE_PEOPLE_READ ? v1::SCOPE_STUDY_READ : v1::SCOPE_PEOPLE_READ,
        &credentials_["service without scope"]);
    // The receipt holder calls with no token: only the receipt RPCs (feedback) accept them.
    tokens_["anonymous receipt holder"] = "";
    tokens_["system administrator"] = server_.SignIn("admin", testing::kAdminPassword);
  }

  // A notice to the whole of `org` (the branch when 0), posted by the administrator.
  uint64_t NewNotice(uint64_t org = 0) {
    if (org == 0) org = branch_;
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(org);
    r.mutable_notice()->mutable_audience()->set_organization_id(org);
    r.mutable_notice()->set_title("通知");
    r.mutable_notice()->set_body("周五学习。");
    v1::Notice out;
    auto status = sync_->PostNotice(TestServer::Ctx(admin_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.id();
  }

  // The caller's ListChanges cursor of now ("" when the caller may not list changes).
  std::string CursorOf(const std::string& token) {
    v1::ListChangesRequest r;
    v1::ListChangesResponse out;
    return sync_->ListChanges(TestServer::Ctx(token).get(), r, &out).ok() ? out.next_cursor() : "";
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
    if (op == "WatchChanges") {
      // A live stream: a caller with a change addressed to them gets it at once; one with none
      // has an open stream at the deadline.
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(750));
      v1::WatchChangesRequest r;
      r.set_cursor(watch_cursors_[token]);
      r.set_heartbeat_seconds(5);
      auto reader = sync_->WatchChanges(ctx.get(), r);
      return testing::StreamCellCode(*ctx, *reader, /*open_means_ok=*/true);
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
  std::map<std::string, std::string> watch_cursors_;      // by token
  std::map<std::string, v1::SignInRequest> credentials_;  // by caller, for the sign-in matrix
};

v1::SignInRequest Login(const std::string& login,
                        const std::string& password = testing::kPassword) {
  v1::SignInRequest r;
  r.set_login(login);
  r.set_password(password);
  return r;
}

// The refresh token `token` would be with its secret on session `target` (another session's
// ids): what a holder of one refresh token could try for someone else's session. A token that
// does not parse stays as it is.
std::string Grafted(const std::string& token, const std::string& target) {
  std::vector<uint64_t> ids, target_ids;
  std::string secret, target_secret;
  if (!ParseKey(token, "blr1", 2, &ids, &secret) ||
      !ParseKey(target, "blr1", 2, &target_ids, &target_secret)) {
    return token;
  }
  return FormatKey("blr1", target_ids, secret);
}

class SignInAuthorizationTest : public OperationsAuthorizationTest {
 protected:
  // Moves the expiry of the session of `refresh_token` an hour into the past. The server has
  // no session clock a test could move, so this rewrites the stored session while the server
  // is stopped, then starts it again (same data, tokens and key; a new port).
  void ExpireSession(const std::string& refresh_token) {
    std::vector<uint64_t> ids;
    std::string secret;
    ASSERT_TRUE(ParseKey(refresh_token, "blr1", 2, &ids, &secret));
    server_.Stop();
    {
      auto store = storage::Store::Open(server_.StoredDataOptions());
      ASSERT_TRUE(store.ok()) << store.status();
      internal::v1::Session session;
      const std::string key = storage::SessionKey(ids[0], ids[1]);
      auto found = (*store)->GetMessage(storage::Cf::kSessions, key, &session);
      ASSERT_TRUE(found.ok() && *found);
      session.mutable_expire_time()->set_seconds(time(nullptr) - 3600);
      storage::WriteSet writes;
      writes.PutMessage(storage::Cf::kSessions, key, session);
      ASSERT_TRUE((*store)->Commit(std::move(writes)).ok());
    }
    server_.Restart();
  }

  // The receipt code of an anonymous letter "self" writes: all its holder has.
  std::string AnonymousReceipt() {
    auto feedback = v1::FeedbackService::NewStub(server_.channel());
    v1::SubmitLetterRequest r;
    r.set_request_id("anonymous-letter-" + TestServer::RequestId());
    r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
    r.set_subject("排班建议");
    r.set_body("希望夜班后安排休息。");
    r.set_anonymous(true);
    v1::SubmitLetterResponse out;
    auto status = feedback->SubmitLetter(TestServer::Ctx(tokens_.at("self")).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(out.receipt_code().empty());
    return out.receipt_code();
  }
};

// SignIn and RefreshToken have no caller: the credential in the request is the identity, and
// an access token in the metadata is ignored. So a row is what that kind of caller holds: its
// own sign-in credentials and refresh token, with its access token (bad or good) in the
// metadata. "no token", "tampered" and "expired" are self with that access token; for
// RefreshToken, "tampered" presents self's refresh token with one character changed and
// "expired" the refresh token of a session of self that has expired. The receipt holder
// presents the receipt code as a service key and as a refresh token. "RefreshToken(self's
// session)" puts the row's own refresh secret on self's session: only self's opens it.
TEST_F(SignInAuthorizationTest, SignInEveryCallerEveryMethod) {
  SignInCallers(v1::SCOPE_PEOPLE_READ);
  for (const char* row : {"no token", "tampered", "expired", "self"})
    credentials_[row] = Login("self");
  credentials_["another member"] = Login("colleague");
  credentials_["secretary of branch"] = Login("secretary");
  credentials_["secretary of sibling"] = Login("sibling-secretary");
  credentials_["admin above"] = Login("admin-above");
  credentials_["system administrator"] = Login("admin", testing::kAdminPassword);
  const std::string receipt = AnonymousReceipt();
  v1::SignInRequest receipt_as_key;
  receipt_as_key.set_service_key(receipt);
  credentials_["anonymous receipt holder"] = receipt_as_key;

  // Each row's refresh token: one session per caller ("no token", "tampered" and "self" share
  // self's session; "expired" has its own, which then expires).
  std::map<std::string, std::string> refresh;
  for (const auto& [caller, sign_in] : credentials_) {
    if (caller == "anonymous receipt holder" || caller == "no token" || caller == "tampered") {
      continue;
    }
    v1::SignInResponse session;
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().SignIn(&ctx, sign_in, &session).ok()) << caller;
    refresh[caller] = session.refresh_token();
  }
  refresh["no token"] = refresh["self"];
  refresh["tampered"] = TestServer::TamperedToken(refresh["self"]);
  refresh["anonymous receipt holder"] = receipt;
  {
    // The expired row's refresh token worked until its session expired.
    v1::RefreshTokenRequest r;
    r.set_refresh_token(refresh["expired"]);
    v1::RefreshTokenResponse out;
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_.auth().RefreshToken(&ctx, r, &out).ok());
  }
  ExpireSession(refresh["expired"]);

  const std::vector<std::string> ops = {"SignIn(own credentials)", "RefreshToken(own)",
                                        "RefreshToken(self's session)"};
  // clang-format off
  const Table table = {
    //                            SignIn  Refresh Self's
    {"no token",                 {OK,     OK,     OK}},
    {"tampered",                 {OK,     UNAUTH, UNAUTH}},
    {"expired",                  {OK,     UNAUTH, UNAUTH}},
    {"other tenant admin",       {OK,     OK,     UNAUTH}},
    {"another member",           {OK,     OK,     UNAUTH}},
    {"self",                     {OK,     OK,     OK}},
    {"secretary of branch",      {OK,     OK,     UNAUTH}},
    {"secretary of sibling",     {OK,     OK,     UNAUTH}},
    {"admin above",              {OK,     OK,     UNAUTH}},
    {"service with scope",       {OK,     OK,     UNAUTH}},
    {"service without scope",    {OK,     OK,     UNAUTH}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",     {OK,     OK,     UNAUTH}},
  };
  // clang-format on
  testing::ExpectMatrix(
      {"sign-in", ops, table}, [&](const std::string& op, const std::string& caller) {
        auto ctx = TestServer::Ctx(tokens_.at(caller));
        if (op == "SignIn(own credentials)") {
          v1::SignInResponse out;
          return server_.auth().SignIn(ctx.get(), credentials_.at(caller), &out).error_code();
        }
        v1::RefreshTokenRequest r;
        r.set_refresh_token(op == "RefreshToken(own)"
                                ? refresh.at(caller)
                                : Grafted(refresh.at(caller), refresh.at("self")));
        v1::RefreshTokenResponse out;
        return server_.auth().RefreshToken(ctx.get(), r, &out).error_code();
      });
}

TEST_F(OperationsAuthorizationTest, SyncEveryCallerEveryMethod) {
  SignInCallers(v1::SCOPE_FEED_READ);
  notice_ = NewNotice();
  // WatchChanges resumes from each caller's cursor of now (an empty cursor would start after
  // the newest change), and then a notice goes to everyone of the tenant: it is the first
  // message of every person of the tenant. Only the callers nothing is addressed to (service
  // accounts, the other tenant) wait for the stream's deadline.
  for (const auto& [caller, token] : tokens_) watch_cursors_[token] = CursorOf(token);
  NewNotice(root_);
  const std::vector<std::string> ops = {"ListChanges",       "ListFeed",      "PostNotice",
                                        "GetNotice",         "ListMyNotices", "MarkNoticeRead",
                                        "ListNoticeReaders", "UploadActions", "WatchChanges"};
  // clang-format off
  const Table table = {
    //                            Changes Feed    Post    Get     Mine    Read    Readers Upload Watch
    {"no token",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"tampered",                 {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"expired",                  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"other tenant admin",       {OK,     NOTFOUND, NOTFOUND, NOTFOUND, OK, NOTFOUND, NOTFOUND, OK, OK}},
    {"another member",           {OK,     DENIED, DENIED, OK,     OK,     OK,     DENIED, OK, OK}},
    {"self",                     {OK,     DENIED, DENIED, OK,     OK,     OK,     DENIED, OK, OK}},
    {"secretary of branch",      {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK, OK}},
    {"secretary of sibling",     {OK,     DENIED, DENIED, DENIED, OK,     DENIED, DENIED, OK, OK}},
    {"admin above",              {OK,     OK,     OK,     OK,     OK,     DENIED, OK,     OK, OK}},
    {"service with scope",       {OK,     OK,     DENIED, DENIED, OK,     DENIED, DENIED, OK, OK}},
    {"service without scope",    {OK,     DENIED, DENIED, DENIED, OK,     DENIED, DENIED, OK, OK}},
    {"anonymous receipt holder", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH}},
    {"system administrator",     {OK,     OK,     OK,     OK,     OK,     DENIED, OK,     OK, OK}},
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
