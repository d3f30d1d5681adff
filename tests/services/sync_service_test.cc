#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

class SyncServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    root_ = server_.RootOrgId();
    branch_ = server_.CreateOrg(admin_, root_, "运输四队党支部").id();
    group_ = server_.CreateOrg(admin_, branch_, "第一党小组", v1::ORGANIZATION_KIND_GROUP).id();
    sibling_ = server_.CreateOrg(admin_, root_, "收费站党支部").id();
    driver_ = server_.CreatePerson(admin_, group_, "张师傅", "driver").id();
    server_.CreatePerson(admin_, sibling_, "李收费员", "collector");
    server_.CreatePerson(admin_, branch_, "王书记", "secretary", v1::ROLE_SECRETARY);
    driver_token_ = server_.SignIn("driver");
    collector_token_ = server_.SignIn("collector");
    secretary_token_ = server_.SignIn("secretary");
    sync_ = v1::SyncService::NewStub(server_.channel());
  }

  v1::Notice Post(const std::string& token, uint64_t org, const std::string& title,
                  grpc::Status* status_out = nullptr) {
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(org);
    r.mutable_notice()->set_title(title);
    r.mutable_notice()->set_body("周一早上七点安全例会，请准时参加。");
    v1::Notice notice;
    auto status = sync_->PostNotice(TestServer::Ctx(token).get(), r, &notice);
    if (status_out) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    }
    return notice;
  }

  v1::ListChangesResponse Changes(const std::string& token, const std::string& cursor,
                                  int page_size = 0, grpc::Status* status_out = nullptr) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    r.set_page_size(page_size);
    v1::ListChangesResponse out;
    auto status = sync_->ListChanges(TestServer::Ctx(token).get(), r, &out);
    if (status_out) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return out;
  }

  // One driver's thousands of streams stand for thousands of phones: the per-person and
  // per-connection stream bounds (tested in tests/security/stream_limits_test.cc) are lifted.
  TestServer server_{[](ServerOptions& o) {
    o.streams.per_person = 100'000;
    o.streams.per_connection = 100;
  }};
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::string admin_, driver_token_, collector_token_, secretary_token_;
  uint64_t root_ = 0, branch_ = 0, group_ = 0, sibling_ = 0, driver_ = 0;
};

TEST_F(SyncServiceTest, NoticesReachTheirSubtreeWithReadReceipts) {
  auto notice = Post(secretary_token_, branch_, "安全例会通知");
  EXPECT_EQ(notice.audience().organization_id(), branch_);

  v1::ListMyNoticesRequest mine;
  v1::ListMyNoticesResponse driver_notices, collector_notices;
  ASSERT_TRUE(
      sync_->ListMyNotices(TestServer::Ctx(driver_token_).get(), mine, &driver_notices).ok());
  ASSERT_EQ(driver_notices.notices_size(), 1);
  EXPECT_EQ(driver_notices.notices(0).notice().title(), "安全例会通知");
  EXPECT_FALSE(driver_notices.notices(0).read());
  ASSERT_TRUE(
      sync_->ListMyNotices(TestServer::Ctx(collector_token_).get(), mine, &collector_notices).ok());
  EXPECT_EQ(collector_notices.notices_size(), 0);

  v1::GetNoticeRequest get;
  get.set_id(notice.id());
  v1::Notice got;
  EXPECT_EQ(sync_->GetNotice(TestServer::Ctx(collector_token_).get(), get, &got).error_code(),
            grpc::PERMISSION_DENIED);

  v1::MarkNoticeReadRequest read;
  read.set_request_id(TestServer::RequestId());
  read.set_id(notice.id());
  v1::MarkNoticeReadResponse first, second;
  ASSERT_TRUE(sync_->MarkNoticeRead(TestServer::Ctx(driver_token_).get(), read, &first).ok());
  read.set_request_id(TestServer::RequestId());  // a second, separate read keeps the first time
  ASSERT_TRUE(sync_->MarkNoticeRead(TestServer::Ctx(driver_token_).get(), read, &second).ok());
  EXPECT_EQ(first.read_time().seconds(), second.read_time().seconds());
  EXPECT_EQ(first.read_time().nanos(), second.read_time().nanos());
  read.set_request_id(TestServer::RequestId());
  EXPECT_EQ(
      sync_->MarkNoticeRead(TestServer::Ctx(collector_token_).get(), read, &first).error_code(),
      grpc::PERMISSION_DENIED);

  v1::ListNoticeReadersRequest readers;
  readers.set_id(notice.id());
  v1::ListNoticeReadersResponse receipts;
  ASSERT_TRUE(
      sync_->ListNoticeReaders(TestServer::Ctx(secretary_token_).get(), readers, &receipts).ok());
  EXPECT_EQ(receipts.audience_count(), 2);  // the driver and the secretary
  EXPECT_EQ(receipts.read_count(), 1);
  readers.set_unread_only(true);
  ASSERT_TRUE(
      sync_->ListNoticeReaders(TestServer::Ctx(secretary_token_).get(), readers, &receipts).ok());
  ASSERT_EQ(receipts.readers_size(), 1);
  EXPECT_EQ(receipts.readers(0).display_name(), "王书记");
  EXPECT_EQ(sync_->ListNoticeReaders(TestServer::Ctx(driver_token_).get(), readers, &receipts)
                .error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(SyncServiceTest, PostingIsForManagersAndValidated) {
  grpc::Status status;
  Post(driver_token_, branch_, "我来发通知", &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  Post(secretary_token_, sibling_, "别的支部", &status);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
  Post(secretary_token_, branch_, "", &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "notice.title");
}

TEST_F(SyncServiceTest, NoticesPageNewestFirst) {
  for (int i = 0; i < 5; ++i) Post(secretary_token_, branch_, "通知 " + std::to_string(i));
  v1::ListMyNoticesRequest mine;
  mine.set_page_size(2);
  std::vector<std::string> titles;
  for (int pages = 0; pages < 5; ++pages) {
    v1::ListMyNoticesResponse page;
    ASSERT_TRUE(sync_->ListMyNotices(TestServer::Ctx(driver_token_).get(), mine, &page).ok());
    for (auto& n : page.notices()) titles.push_back(n.notice().title());
    if (page.next_page_token().empty()) break;
    mine.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"通知 4", "通知 3", "通知 2", "通知 1", "通知 0"}));
}

TEST_F(SyncServiceTest, ChangesSinceACursorArePersonalPagedAndResumable) {
  auto head = Changes(driver_token_, "");
  auto collector_head = Changes(collector_token_, "");
  EXPECT_EQ(head.changes_size(), 0);
  ASSERT_FALSE(head.next_cursor().empty());

  for (int i = 0; i < 5; ++i) Post(secretary_token_, branch_, "通知 " + std::to_string(i));
  Post(admin_, sibling_, "别的支部的通知");
  server_.CreatePerson(admin_, group_, "新同事", "new-colleague");  // not for members

  std::vector<std::string> kinds;
  std::string cursor = head.next_cursor();
  int calls = 0;
  while (true) {
    auto page = Changes(driver_token_, cursor, 2);
    EXPECT_LE(page.changes_size(), 2);
    for (auto& c : page.changes()) kinds.push_back(c.kind() + "/" + c.action());
    cursor = page.next_cursor();
    ASSERT_LT(++calls, 10);
    if (!page.has_more()) break;
  }
  EXPECT_EQ(kinds.size(), 5u);
  for (auto& k : kinds) EXPECT_EQ(k, "notice/posted");
  EXPECT_EQ(Changes(driver_token_, cursor).changes_size(), 0);  // caught up

  // The collector of the sibling branch saw only their own notice.
  EXPECT_EQ(Changes(collector_token_, collector_head.next_cursor()).changes_size(), 1);
}

TEST_F(SyncServiceTest, ForeignAndMalformedCursorsAreRefusedClearly) {
  auto mine = Changes(driver_token_, "");
  grpc::Status status;
  Changes(collector_token_, mine.next_cursor(), 0, &status);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("resync"), std::string::npos);
  Changes(driver_token_, "not-a-cursor!", 0, &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolationField(status), "cursor");
  Changes(driver_token_, "", -1, &status);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
}

TEST_F(SyncServiceTest, FeedFollowsASubtreeForScopedServiceAccounts) {
  auto service_token = [&](v1::Scope scope) {
    v1::CreateServiceAccountRequest create;
    create.set_request_id(TestServer::RequestId());
    create.set_organization_id(branch_);
    create.set_display_name("集团党建平台");
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
  };
  auto feed_token = service_token(v1::SCOPE_FEED_READ);
  auto other_token = service_token(v1::SCOPE_PEOPLE_READ);

  v1::ListFeedRequest feed;
  feed.set_organization_id(branch_);
  v1::ListFeedResponse start;
  ASSERT_TRUE(sync_->ListFeed(TestServer::Ctx(feed_token).get(), feed, &start).ok());
  server_.CreatePerson(admin_, group_, "新司机", "new-driver");
  server_.CreatePerson(admin_, sibling_, "新收费员", "new-collector");
  feed.set_cursor(start.next_cursor());
  v1::ListFeedResponse changes;
  ASSERT_TRUE(sync_->ListFeed(TestServer::Ctx(feed_token).get(), feed, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).kind(), "person");
  EXPECT_EQ(changes.changes(0).organization_id(), group_);

  EXPECT_EQ(sync_->ListFeed(TestServer::Ctx(other_token).get(), feed, &changes).error_code(),
            grpc::PERMISSION_DENIED);
  feed.set_organization_id(sibling_);
  feed.clear_cursor();
  EXPECT_EQ(sync_->ListFeed(TestServer::Ctx(feed_token).get(), feed, &changes).error_code(),
            grpc::PERMISSION_DENIED);
}

// A service account is no member: its own changes are only those addressed to it, and what
// happens in its organisations reaches it through ListFeed, within SCOPE_FEED_READ. (Found by
// the WatchChanges matrix: a service account with no feed scope was told of every meeting,
// plan and notice of its branch and the organisations above.)
TEST_F(SyncServiceTest, ServiceAccountsArePassedNothingOfTheirOrganisations) {
  for (auto scope : {v1::SCOPE_PEOPLE_READ, v1::SCOPE_FEED_READ}) {
    const std::string service = server_.ServiceToken(branch_, scope);
    const auto start = Changes(service, "");
    Post(admin_, root_, "全公司通知");
    Post(secretary_token_, branch_, "支部通知");
    EXPECT_EQ(Changes(service, start.next_cursor()).changes_size(), 0) << scope;
    EXPECT_EQ(Changes(driver_token_, "").changes_size(), 0);  // empty cursor: from now on
  }
  // The same two notices do reach a member of the branch.
  const auto start = Changes(driver_token_, "");
  Post(admin_, root_, "全公司通知");
  Post(secretary_token_, branch_, "支部通知");
  EXPECT_EQ(Changes(driver_token_, start.next_cursor()).changes_size(), 2);
}

// Reads `count` change messages (skipping heartbeats) from a stream opened at `cursor`.
std::vector<v1::WatchChangesResponse> ReadChanges(v1::SyncService::Stub& sync,
                                                  const std::string& token,
                                                  const std::string& cursor, size_t count) {
  auto ctx = TestServer::Ctx(token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::WatchChangesRequest request;
  request.set_cursor(cursor);
  request.set_heartbeat_seconds(5);
  auto reader = sync.WatchChanges(ctx.get(), request);
  std::vector<v1::WatchChangesResponse> got;
  v1::WatchChangesResponse message;
  while (got.size() < count && reader->Read(&message)) {
    if (!message.heartbeat()) got.push_back(message);
  }
  ctx->TryCancel();
  reader->Finish().IgnoreError();
  return got;
}

TEST_F(SyncServiceTest, StreamResumesAtEveryPositionWithoutGapsOrRepeats) {
  auto head = Changes(driver_token_, "");
  std::vector<uint64_t> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(Post(secretary_token_, branch_, "通知" + std::to_string(i)).id());
  auto all = ReadChanges(*sync_, driver_token_, head.next_cursor(), ids.size());
  ASSERT_EQ(all.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(all[i].change().record_id(), ids[i]);
  // Reconnecting with the cursor of message k delivers exactly messages k+1...
  for (size_t k = 0; k < all.size(); ++k) {
    auto rest = ReadChanges(*sync_, driver_token_, all[k].cursor(), all.size() - k - 1);
    ASSERT_EQ(rest.size(), all.size() - k - 1) << "resume after " << k;
    for (size_t j = 0; j < rest.size(); ++j) {
      EXPECT_EQ(rest[j].change().sequence(), all[k + 1 + j].change().sequence());
    }
  }
}

TEST_F(SyncServiceTest, StreamDeliversNewChangesLiveAndSendsHeartbeats) {
  auto ctx = TestServer::Ctx(driver_token_);
  v1::WatchChangesRequest request;
  request.set_heartbeat_seconds(5);
  auto reader = sync_->WatchChanges(ctx.get(), request);
  std::thread poster([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Post(secretary_token_, branch_, "实时通知");
  });
  v1::WatchChangesResponse message;
  bool got_change = false, got_heartbeat = false;
  std::string last_cursor;
  while ((!got_change || !got_heartbeat) && reader->Read(&message)) {
    if (message.heartbeat()) {
      got_heartbeat = true;
    } else {
      EXPECT_EQ(message.change().kind(), "notice");
      got_change = true;
    }
    last_cursor = message.cursor();
  }
  poster.join();
  EXPECT_TRUE(got_change);
  EXPECT_TRUE(got_heartbeat);
  ctx->TryCancel();
  reader->Finish().IgnoreError();
  // The heartbeat's cursor is a valid resume point: nothing is repeated.
  EXPECT_EQ(Changes(driver_token_, last_cursor).changes_size(), 0);
}

// A client-side stream that counts the changes it receives (callback API: no thread each).
class CountingWatcher final : public grpc::ClientReadReactor<v1::WatchChangesResponse> {
 public:
  CountingWatcher(v1::SyncService::Stub& stub, const std::string& token, std::atomic<int>& changes,
                  std::atomic<int>& done)
      : changes_(changes), done_(done) {
    ctx_.AddMetadata("authorization", "Bearer " + token);
    request_.set_heartbeat_seconds(300);
    stub.async()->WatchChanges(&ctx_, &request_, this);
    StartRead(&message_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (!message_.heartbeat()) ++changes_;
    StartRead(&message_);
  }
  void OnDone(const grpc::Status&) override { ++done_; }
  void Cancel() { ctx_.TryCancel(); }

 private:
  grpc::ClientContext ctx_;
  v1::WatchChangesRequest request_;
  v1::WatchChangesResponse message_;
  std::atomic<int>& changes_;
  std::atomic<int>& done_;
};

TEST_F(SyncServiceTest, ThousandsOfIdleStreamsEachGetTheirChange) {
  constexpr int kConnections = 20, kStreamsEach = 100;  // 100 = the per-connection stream limit
  std::atomic<int> changes{0}, done{0};
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::SyncService::Stub>> stubs;
  std::vector<std::unique_ptr<CountingWatcher>> watchers;
  for (int c = 0; c < kConnections; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("branchline.test.connection", c);  // a distinct connection per channel
    channels.push_back(
        grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args));
    stubs.push_back(v1::SyncService::NewStub(channels.back()));
    for (int i = 0; i < kStreamsEach; ++i) {
      watchers.push_back(
          std::make_unique<CountingWatcher>(*stubs.back(), driver_token_, changes, done));
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let every stream register
  Post(secretary_token_, branch_, "全体通知");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (changes < kConnections * kStreamsEach && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(changes.load(), kConnections * kStreamsEach);
  for (auto& w : watchers) w->Cancel();
  while (done < kConnections * kStreamsEach && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(done.load(), kConnections * kStreamsEach);
}

TEST_F(SyncServiceTest, StreamsNeedAValidTokenAndEndOnShutdown) {
  {
    auto ctx = TestServer::Ctx("");
    v1::WatchChangesRequest request;
    auto reader = sync_->WatchChanges(ctx.get(), request);
    v1::WatchChangesResponse message;
    EXPECT_FALSE(reader->Read(&message));
    EXPECT_EQ(reader->Finish().error_code(), grpc::UNAUTHENTICATED);
  }
  auto ctx = TestServer::Ctx(driver_token_);
  v1::WatchChangesRequest request;
  request.set_heartbeat_seconds(300);
  auto reader = sync_->WatchChanges(ctx.get(), request);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  server_.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  v1::WatchChangesResponse message;
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::UNAVAILABLE);
}

}  // namespace
}  // namespace branchline
