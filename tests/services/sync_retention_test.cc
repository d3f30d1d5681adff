#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "branchline/v1/sync.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/clock.h"
#include "tests/support/error_details.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

constexpr int64_t kDay = 86'400'000'000;

// The google.rpc.ErrorInfo of a status ("" reason when none).
google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  google::rpc::ErrorInfo info;
  if (!rpc.ParseFromString(status.error_details())) return info;
  for (const auto& any : rpc.details()) {
    if (any.type_url() == "type.googleapis.com/google.rpc.ErrorInfo") {
      info.ParseFromString(any.value());
    }
  }
  return info;
}

// Change-log retention with a fake clock: the server's pruner measures age by `clock_`, so
// moving it 31 days ahead makes everything committed so far older than the 30-day window.
class SyncRetentionTest : public ::testing::Test {
 protected:
  SyncRetentionTest()
      : clock_(SystemClock().NowMicros()), server_([this](ServerOptions& o) {
          o.retention_clock = &clock_;
          o.change_retention_micros = 30 * kDay;
          o.change_prune_interval_micros = prune_interval_micros_;
        }) {}

  void SetUp() override {
    admin_ = server_.AdminToken();
    branch_ = server_.CreateOrg(admin_, server_.RootOrgId(), "运输四队党支部").id();
    server_.CreatePerson(admin_, branch_, "张师傅", "driver");
    driver_ = server_.SignIn("driver");
    sync_ = v1::SyncService::NewStub(server_.channel());
  }

  void Post(const std::string& title) {
    v1::PostNoticeRequest r;
    r.set_request_id(TestServer::RequestId());
    r.mutable_notice()->set_organization_id(branch_);
    r.mutable_notice()->set_title(title);
    r.mutable_notice()->set_body("请准时参加。");
    v1::Notice notice;
    auto status = sync_->PostNotice(TestServer::Ctx(admin_).get(), r, &notice);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Changes(const std::string& cursor, v1::ListChangesResponse* out, int page_size = 0) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    r.set_page_size(page_size);
    return sync_->ListChanges(TestServer::Ctx(driver_).get(), r, out);
  }

  // Checks that `status` tells the client to resync because its cursor expired.
  static void ExpectExpired(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION) << status.error_message();
    EXPECT_NE(status.error_message().find("resync"), std::string::npos);
    EXPECT_EQ(testing::ViolationField(status), "cursor");
    auto info = ErrorInfoOf(status);
    EXPECT_EQ(info.reason(), "CURSOR_EXPIRED");
    EXPECT_EQ(info.domain(), "branchline.v1");
    EXPECT_EQ(testing::DetailsOf(status).message, "同步位置已过期，请重新同步。");
  }

  int64_t prune_interval_micros_ = 3600LL * 1'000'000;  // tests prune by hand unless shortened
  FakeClock clock_;
  TestServer server_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::string admin_, driver_;
  uint64_t branch_ = 0;
};

TEST_F(SyncRetentionTest, CursorsOlderThanTheWindowMustResyncAndCaughtUpOnesStayValid) {
  v1::ListChangesResponse start, first, caught_up;
  ASSERT_TRUE(Changes("", &start).ok());
  Post("通知一");
  Post("通知二");
  ASSERT_TRUE(Changes(start.next_cursor(), &first, 1).ok());
  ASSERT_EQ(first.changes_size(), 1);
  ASSERT_TRUE(Changes(first.next_cursor(), &caught_up).ok());
  ASSERT_EQ(caught_up.changes_size(), 1);

  // Inside the window nothing is deleted and every cursor still works.
  clock_.Advance(29 * kDay);
  auto pruned = server_.server().PruneChangesNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0u);
  v1::ListChangesResponse page;
  ASSERT_TRUE(Changes(start.next_cursor(), &page).ok());
  EXPECT_EQ(page.changes_size(), 2);

  clock_.Advance(2 * kDay);
  pruned = server_.server().PruneChangesNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_GE(*pruned, 2u);  // the two notices, plus the organisation and person changes

  // Cursors before the deleted changes: resync, with the machine-readable reason.
  ExpectExpired(Changes(start.next_cursor(), &page));
  ExpectExpired(Changes(first.next_cursor(), &page));
  // A client that had seen everything missed nothing: its cursor goes on working.
  ASSERT_TRUE(Changes(caught_up.next_cursor(), &page).ok());
  EXPECT_EQ(page.changes_size(), 0);

  // The resync path: an empty cursor is the current position; new changes follow it.
  v1::ListChangesResponse fresh;
  ASSERT_TRUE(Changes("", &fresh).ok());
  Post("通知三");
  ASSERT_TRUE(Changes(fresh.next_cursor(), &page).ok());
  ASSERT_EQ(page.changes_size(), 1);
  EXPECT_EQ(page.changes(0).kind(), "notice");
}

TEST_F(SyncRetentionTest, StreamAndFeedAnswerExpiredCursorsTheSameWay) {
  auto feed_token = server_.ServiceToken(branch_, v1::SCOPE_FEED_READ);
  v1::ListFeedRequest feed;
  feed.set_organization_id(branch_);
  v1::ListFeedResponse feed_start;
  ASSERT_TRUE(sync_->ListFeed(TestServer::Ctx(feed_token).get(), feed, &feed_start).ok());
  v1::ListChangesResponse start;
  ASSERT_TRUE(Changes("", &start).ok());
  Post("通知一");
  clock_.Advance(31 * kDay);
  ASSERT_TRUE(server_.server().PruneChangesNow().ok());

  feed.set_cursor(feed_start.next_cursor());
  v1::ListFeedResponse out;
  ExpectExpired(sync_->ListFeed(TestServer::Ctx(feed_token).get(), feed, &out));

  v1::WatchChangesRequest watch;
  watch.set_cursor(start.next_cursor());
  auto ctx = TestServer::Ctx(driver_);
  auto reader = sync_->WatchChanges(ctx.get(), watch);
  v1::WatchChangesResponse message;
  EXPECT_FALSE(reader->Read(&message));  // no change is sent from an expired position
  ExpectExpired(reader->Finish());
}

TEST_F(SyncRetentionTest, OldCursorsStayRefusedAfterARestart) {
  v1::ListChangesResponse start, page;
  ASSERT_TRUE(Changes("", &start).ok());
  Post("通知一");
  clock_.Advance(31 * kDay);
  ASSERT_TRUE(server_.server().PruneChangesNow().ok());
  server_.Restart();
  driver_ = server_.SignIn("driver");
  sync_ = v1::SyncService::NewStub(server_.channel());
  ExpectExpired(Changes(start.next_cursor(), &page));
}

class SyncRetentionTimerTest : public SyncRetentionTest {
 protected:
  SyncRetentionTimerTest() { prune_interval_micros_ = 50'000; }
};

TEST_F(SyncRetentionTimerTest, TheBackgroundPrunerRunsOnItsOwn) {
  // The fixture's server started with a 1 h interval; restart it with the short one.
  server_.Restart();
  driver_ = server_.SignIn("driver");
  admin_ = server_.AdminToken();
  sync_ = v1::SyncService::NewStub(server_.channel());
  v1::ListChangesResponse start, page;
  ASSERT_TRUE(Changes("", &start).ok());
  Post("通知一");
  clock_.Advance(31 * kDay);
  grpc::Status status;
  for (int i = 0; i < 100; ++i) {
    status = Changes(start.next_cursor(), &page);
    if (!status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ExpectExpired(status);
}

}  // namespace
}  // namespace branchline
