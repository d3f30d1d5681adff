#include <gtest/gtest.h>

#include <iostream>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/support/counting_proxy.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::CountingProxy;
using testing::TestServer;

// Large answers are gzip-compressed for clients that accept gzip (every gRPC client does by
// default), never for clients that do not, and the bytes on the wire shrink.
class SyncGzipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    branch_ = server_.CreateOrg(admin_, server_.RootOrgId(), "运输四队党支部").id();
    server_.CreatePerson(admin_, branch_, "张师傅", "driver");
    driver_ = server_.SignIn("driver");
    auto sync = v1::SyncService::NewStub(server_.channel());
    v1::ListChangesResponse head;
    ASSERT_TRUE(sync->ListChanges(TestServer::Ctx(driver_).get(), {}, &head).ok());
    cursor_ = head.next_cursor();
    for (int i = 0; i < 300; ++i) {
      v1::PostNoticeRequest r;
      r.set_request_id(TestServer::RequestId());
      r.mutable_notice()->set_organization_id(branch_);
      r.mutable_notice()->set_title("安全例会通知 " + std::to_string(i));
      r.mutable_notice()->set_body("周一早上七点安全例会，请准时参加。");
      v1::Notice notice;
      ASSERT_TRUE(sync->PostNotice(TestServer::Ctx(admin_).get(), r, &notice).ok());
    }
  }

  // One ListChanges call through `proxy` on a new channel; `accept_gzip` false announces
  // only the identity encoding. Returns the answer and adds the bytes received to `bytes`.
  v1::ListChangesResponse Page(CountingProxy& proxy, bool accept_gzip, int page_size,
                               uint64_t* bytes) {
    grpc::ChannelArguments args;
    if (!accept_gzip) args.SetInt(GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET, 1);
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(proxy.port()),
                                             grpc::InsecureChannelCredentials(), args);
    EXPECT_TRUE(
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
    auto stub = v1::SyncService::NewStub(channel);
    uint64_t before = proxy.downstream_bytes();
    v1::ListChangesRequest r;
    r.set_cursor(cursor_);
    r.set_page_size(page_size);
    v1::ListChangesResponse out;
    auto status = stub->ListChanges(TestServer::Ctx(driver_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    *bytes = proxy.downstream_bytes() - before;
    return out;
  }

  TestServer server_;
  std::string admin_, driver_, cursor_;
  uint64_t branch_ = 0;
};

TEST_F(SyncGzipTest, LargePagesShrinkOnTheWireAndDecodeToTheSameAnswer) {
  CountingProxy proxy(server_.port());
  uint64_t plain_bytes = 0, gzip_bytes = 0;
  auto plain = Page(proxy, /*accept_gzip=*/false, 300, &plain_bytes);
  auto gzipped = Page(proxy, /*accept_gzip=*/true, 300, &gzip_bytes);
  ASSERT_EQ(plain.changes_size(), 300);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(plain, gzipped));
  std::cout << "ListChanges page of 300: " << plain.ByteSizeLong() << " bytes serialized, "
            << plain_bytes << " bytes on the wire plain, " << gzip_bytes << " with gzip (ratio "
            << static_cast<double>(plain_bytes) / gzip_bytes << ")\n";
  EXPECT_LT(gzip_bytes * 2, plain_bytes);  // gzip at least halves it
}

TEST_F(SyncGzipTest, AnswersBelowTheThresholdAreSentPlain) {
  CountingProxy proxy(server_.port());
  uint64_t plain_bytes = 0, gzip_bytes = 0;
  auto plain = Page(proxy, /*accept_gzip=*/false, 20, &plain_bytes);
  auto gzipped = Page(proxy, /*accept_gzip=*/true, 20, &gzip_bytes);
  ASSERT_EQ(plain.changes_size(), 20);
  ASSERT_LT(plain.ByteSizeLong(), 1024u);  // below kCompressAnswersFromBytes
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(plain, gzipped));
  // Compressed, these repetitive changes would take a fraction of their size (the large page
  // above shrinks eightfold); sent plain, the wire carries at least the whole message.
  EXPECT_GE(gzip_bytes, plain.ByteSizeLong());
  EXPECT_GE(plain_bytes, plain.ByteSizeLong());
}

// "My upcoming meetings" is served on the async API (AsyncUnaryMethod): its large pages are
// compressed the same way.
TEST_F(SyncGzipTest, ALargePageOfMyMeetingsShrinksOnTheWireToo) {
  auto attendance = v1::AttendanceService::NewStub(server_.channel());
  const int64_t now = time(nullptr);
  for (int i = 0; i < 100; ++i) {
    v1::CreateMeetingRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* m = r.mutable_meeting();
    m->set_organization_id(branch_);
    m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    m->set_title("周一安全例会 " + std::to_string(i));
    m->set_agenda("学习安全生产规定，通报上周路况与事故隐患，布置本周工作。");
    m->mutable_start_time()->set_seconds(now + 3600 * (i + 1));
    m->mutable_end_time()->set_seconds(now + 3600 * (i + 2));
    v1::Meeting created;
    ASSERT_TRUE(attendance->CreateMeeting(TestServer::Ctx(admin_).get(), r, &created).ok());
  }
  CountingProxy proxy(server_.port());
  auto page = [&](bool accept_gzip, uint64_t* bytes) {
    grpc::ChannelArguments args;
    if (!accept_gzip) args.SetInt(GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET, 1);
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(proxy.port()),
                                             grpc::InsecureChannelCredentials(), args);
    auto stub = v1::AttendanceService::NewStub(channel);
    uint64_t before = proxy.downstream_bytes();
    v1::ListMyMeetingsRequest r;
    r.set_page_size(100);
    v1::ListMeetingsResponse out;
    auto status = stub->ListMyMeetings(TestServer::Ctx(driver_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    *bytes = proxy.downstream_bytes() - before;
    return out;
  };
  uint64_t plain_bytes = 0, gzip_bytes = 0;
  auto plain = page(false, &plain_bytes);
  auto gzipped = page(true, &gzip_bytes);
  ASSERT_EQ(plain.meetings_size(), 100);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(plain, gzipped));
  EXPECT_GE(plain_bytes, plain.ByteSizeLong());
  EXPECT_LT(gzip_bytes * 2, plain_bytes);
}

}  // namespace
}  // namespace branchline
