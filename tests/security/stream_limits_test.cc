// Server streams against readers that never read (issue #19, finding 7): hundreds of stalled
// CSV exports hold no threads and leave sign-in and check-in answering, a stalled stream is
// cut after the stall timeout, and streams are bounded per person and per connection. The
// stalled readers are raw HTTP/2 connections announcing a stream window of 0, so the server
// can never send them a byte of any message (tests/support/raw_http2.h).
#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "services/common/clock.h"
#include "tests/support/raw_http2.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::RawHttp2Client;
using testing::TestServer;

constexpr char kExportRoster[] = "/branchline.v1.AttendanceService/ExportRoster";

// Threads of this process (the server and the test's own gRPC clients).
int ThreadCount() {
  int n = 0;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return -1;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

class StreamLimitsTest : public ::testing::Test {
 protected:
  // A server with `limits`; a branch with a secretary and a member, and a meeting starting
  // now (its check-in window open) whose roster the secretary may export.
  void StartWith(const StreamLimits& limits) {
    server_ = std::make_unique<TestServer>([limits](ServerOptions& o) { o.streams = limits; });
    admin_ = server_->AdminToken();
    const uint64_t branch = server_->CreateOrg(admin_, server_->RootOrgId(), "运输四队党支部").id();
    server_->CreatePerson(admin_, branch, "王书记", "sec", v1::ROLE_SECRETARY);
    server_->CreatePerson(admin_, branch, "张师傅", "d1");
    secretary_ = server_->SignIn("sec");
    member_ = server_->SignIn("d1");
    stub_ = v1::AttendanceService::NewStub(server_->channel());
    v1::CreateMeetingRequest create;
    create.set_request_id(TestServer::RequestId());
    auto* m = create.mutable_meeting();
    const int64_t now = SystemClock().NowMicros();
    m->set_organization_id(branch);
    m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    m->set_title("周一安全例会");
    *m->mutable_start_time() = ToTimestamp(now);
    *m->mutable_end_time() = ToTimestamp(now + 3'600'000'000LL);
    v1::Meeting meeting;
    auto status = stub_->CreateMeeting(TestServer::Ctx(secretary_).get(), create, &meeting);
    ASSERT_TRUE(status.ok()) << status.error_message();
    meeting_ = meeting.id();
    v1::ExportRosterRequest request;
    request.set_meeting_id(meeting_);
    export_request_ = request.SerializeAsString();
  }

  // Opens `count` roster exports on `client` and waits until the server has begun writing
  // each (its response HEADERS arrived): each is then stalled on the window of 0.
  std::vector<uint32_t> OpenStalled(RawHttp2Client& client, int count) {
    std::vector<uint32_t> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back(client.StartCall(kExportRoster, "Bearer " + secretary_, export_request_));
    }
    client.Flush();
    client.Poll(seconds(60), [&] {
      for (uint32_t id : ids) {
        if (!client.stream(id).headers) return false;
      }
      return true;
    });
    return ids;
  }

  grpc::Status SignIn(milliseconds* took) {
    v1::SignInRequest request;
    request.set_login("d1");
    request.set_password(testing::kPassword);
    v1::SignInResponse out;
    auto ctx = TestServer::Ctx("");
    ctx->set_deadline(std::chrono::system_clock::now() + seconds(10));
    const auto start = steady_clock::now();
    auto status = server_->auth().SignIn(ctx.get(), request, &out);
    *took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    return status;
  }

  grpc::Status CheckIn(milliseconds* took) {
    v1::GetCheckInCodeRequest get;
    get.set_meeting_id(meeting_);
    v1::CheckInCode code;
    auto status = stub_->GetCheckInCode(TestServer::Ctx(secretary_).get(), get, &code);
    if (!status.ok()) return status;
    v1::CheckInRequest request;
    request.set_request_id(TestServer::RequestId());
    request.set_meeting_id(meeting_);
    *request.mutable_device_time() = ToTimestamp(SystemClock().NowMicros());
    request.mutable_code()->set_code(code.code());
    *request.mutable_code()->mutable_captured_time() = ToTimestamp(SystemClock().NowMicros());
    v1::CheckInResponse out;
    auto ctx = TestServer::Ctx(member_);
    ctx->set_deadline(std::chrono::system_clock::now() + seconds(10));
    const auto start = steady_clock::now();
    status = stub_->CheckIn(ctx.get(), request, &out);
    *took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    return status;
  }

  // A roster export read to the end through a gRPC client.
  grpc::Status Export(const std::string& token) {
    v1::ExportRosterRequest request;
    request.set_meeting_id(meeting_);
    auto ctx = TestServer::Ctx(token);
    auto reader = stub_->ExportRoster(ctx.get(), request);
    v1::CsvChunk chunk;
    while (reader->Read(&chunk)) {
    }
    return reader->Finish();
  }

  // The caller's calendar (ExportMyCalendar) read to the end: another kind of stream.
  grpc::Status ExportCalendar(const std::string& token) {
    auto calendar = v1::CalendarService::NewStub(server_->channel());
    auto ctx = TestServer::Ctx(token);
    auto reader = calendar->ExportMyCalendar(ctx.get(), v1::ExportMyCalendarRequest());
    v1::CalendarFileChunk chunk;
    while (reader->Read(&chunk)) {
    }
    return reader->Finish();
  }

  std::unique_ptr<TestServer> server_;
  std::string admin_, secretary_, member_;
  std::unique_ptr<v1::AttendanceService::Stub> stub_;
  uint64_t meeting_ = 0;
  std::string export_request_;
};

// Finding 7: 600 exports whose readers never read took 531 handler threads, and every other
// synchronous call got RESOURCE_EXHAUSTED "Server Threadpool Exhausted". Now a waiting stream
// holds no thread.
TEST_F(StreamLimitsTest, HundredsOfStalledStreamsHoldNoThreadsAndSignInAndCheckInAnswer) {
  StartWith({.per_person = 1000, .per_connection = 1000, .stall_timeout = seconds(600)});
  const int before = ThreadCount();
  constexpr int kConnections = 8, kStreamsEach = 75;  // 600; under 100 per connection
  std::vector<std::unique_ptr<RawHttp2Client>> clients;
  int stalled = 0;
  for (int c = 0; c < kConnections; ++c) {
    clients.push_back(std::make_unique<RawHttp2Client>(server_->port(), /*initial_window=*/0));
    ASSERT_TRUE(clients.back()->connected());
    for (uint32_t id : OpenStalled(*clients.back(), kStreamsEach)) {
      const auto& s = clients.back()->stream(id);
      if (s.headers && !s.ended) ++stalled;
    }
  }
  EXPECT_EQ(stalled, kConnections * kStreamsEach);
  milliseconds sign_in{0}, check_in{0};
  auto signed_in = SignIn(&sign_in);
  EXPECT_TRUE(signed_in.ok()) << signed_in.error_code() << " " << signed_in.error_message();
  auto checked_in = CheckIn(&check_in);
  EXPECT_TRUE(checked_in.ok()) << checked_in.error_code() << " " << checked_in.error_message();
  EXPECT_LT(sign_in, seconds(2));
  EXPECT_LT(check_in, seconds(2));
  const int during = ThreadCount();
  std::cout << "threads: " << before << " before, " << during << " with " << stalled
            << " stalled streams; SignIn " << sign_in.count() << " ms, CheckIn " << check_in.count()
            << " ms\n";
  EXPECT_LT(during, 100);
  for (auto& client : clients) client->Poll(milliseconds(1));  // still connected
}

// A stream whose reader takes nothing is cancelled after the stall timeout (here 1 s).
TEST_F(StreamLimitsTest, AStalledStreamIsCutAfterTheStallTimeout) {
  StartWith({.per_person = 16, .per_connection = 32, .stall_timeout = seconds(1)});
  RawHttp2Client client(server_->port(), /*initial_window=*/0);
  const auto start = steady_clock::now();
  const uint32_t id = OpenStalled(client, 1)[0];
  ASSERT_TRUE(client.stream(id).headers);
  client.Poll(seconds(15), [&] { return client.stream(id).ended; });
  const auto took = steady_clock::now() - start;
  EXPECT_TRUE(client.stream(id).reset) << "the stalled stream was not cut";
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, seconds(5));
  // The cut released the stream's count: the secretary exports again.
  EXPECT_TRUE(Export(secretary_).ok());
}

// A reader that reads, however slowly, is never cut: a normal export completes.
TEST_F(StreamLimitsTest, AReaderThatReadsIsServedToTheEnd) {
  StartWith({.per_person = 16, .per_connection = 32, .stall_timeout = seconds(1)});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Export(secretary_).ok());
}

TEST_F(StreamLimitsTest, StreamsPerPersonAreBoundedAndNameTheLimit) {
  StartWith({.per_person = 2, .per_connection = 32, .stall_timeout = seconds(600)});
  auto client = std::make_unique<RawHttp2Client>(server_->port(), /*initial_window=*/0);
  OpenStalled(*client, 2);
  grpc::Status third = Export(secretary_);  // on another connection: the person's limit
  EXPECT_EQ(third.error_code(), grpc::RESOURCE_EXHAUSTED);
  EXPECT_NE(third.error_message().find("--max-streams-per-person"), std::string::npos)
      << third.error_message();
  EXPECT_NE(third.error_message().find("at most 2"), std::string::npos) << third.error_message();
  // Every kind of export stream counts against the same bound.
  grpc::Status calendar = ExportCalendar(secretary_);
  EXPECT_EQ(calendar.error_code(), grpc::RESOURCE_EXHAUSTED) << calendar.error_message();
  EXPECT_TRUE(ExportCalendar(admin_).ok());
  EXPECT_TRUE(Export(admin_).ok()) << "another person is not affected";
  // Closing the stalled connection releases both streams.
  client.reset();
  grpc::Status again = Export(secretary_);
  // The server learns of the closed connection asynchronously: ask again for up to 5 s.
  for (int i = 0; i < 100 && again.error_code() == grpc::RESOURCE_EXHAUSTED; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    again = Export(secretary_);
  }
  EXPECT_TRUE(again.ok()) << again.error_message();
}

TEST_F(StreamLimitsTest, StreamsPerConnectionAreBoundedAndNameTheLimit) {
  StartWith({.per_person = 100, .per_connection = 2, .stall_timeout = seconds(600)});
  RawHttp2Client client(server_->port(), /*initial_window=*/0);
  OpenStalled(client, 2);
  const uint32_t third = client.StartCall(kExportRoster, "Bearer " + secretary_, export_request_);
  client.Flush();
  client.Poll(seconds(10), [&] { return client.stream(third).ended; });
  ASSERT_TRUE(client.stream(third).ended);
  // A trailers-only answer: gRPC writes text header values without Huffman coding.
  const std::string& trailers = client.stream(third).header_blocks;
  EXPECT_NE(trailers.find(std::string("grpc-status\x01") + "8"), std::string::npos);
  EXPECT_NE(trailers.find("--max-streams-per-connection"), std::string::npos);
  EXPECT_TRUE(Export(secretary_).ok()) << "another connection is not affected";
}

}  // namespace
}  // namespace branchline
