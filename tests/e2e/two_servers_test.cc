// Two Branchline servers on one PostgreSQL database (a database of the storage_postgres
// fixture), as two hosts of a cluster behind nginx: the callers of either reach the same
// records, and the invariants that used to hold only inside one process hold across both —
// one check-in per person per meeting, one answer per request_id, a change feed on one server
// carrying every change written through the other, in order. The second server shares the
// first's key files, as the hosts of a cluster must (docs/cluster.md). The background passes
// run on one of the two at a time, and move to the other when it stops.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/services/notifications_fixture.h"
#include "tests/storage/test_backends.h"
#include "tests/support/error_details.h"
#include "tests/support/metrics_scrape.h"

namespace branchline::testing {
namespace {

constexpr double kLat = 39.9042, kLon = 116.4074;

// A new database of the fixture, or "" (the test then skips).
std::string NewDatabase() {
  std::string skip;
  auto uri = storage::testing::PostgresDatabase(&skip);
  return uri ? *uri : "";
}

// A second server on `uri`, sharing the key files in `first_data` (the first server's data
// directory) as the hosts of a cluster must; `configure` sets its other options.
std::unique_ptr<TestServer> SecondServer(const std::string& uri, const std::string& first_data,
                                         void (*configure)(ServerOptions&)) {
  return std::make_unique<TestServer>([uri, first_data, configure](ServerOptions& o) {
    o.storage = uri;
    configure(o);
    std::filesystem::create_directories(o.data_dir);
    for (const char* key : {"token.key", "feedback.key"}) {
      std::filesystem::copy_file(first_data + "/" + key, o.data_dir + "/" + key,
                                 std::filesystem::copy_options::overwrite_existing);
    }
  });
}

class TwoServersTest : public AttendanceTest {
 protected:
  TwoServersTest() : TwoServersTest(NewDatabase()) {}
  explicit TwoServersTest(std::string uri)
      : AttendanceTest([uri](ServerOptions& o) {
          if (!uri.empty()) o.storage = uri;
          Observable(o);
        }),
        uri_(std::move(uri)) {}

  void SetUp() override {
    if (uri_.empty()) GTEST_SKIP() << "no PostgreSQL fixture";
    AttendanceTest::SetUp();
    second_ = SecondServer(uri_, server_.dir().Sub("data"), Observable);
    second_stub_ = v1::AttendanceService::NewStub(second_->channel());
  }

  // Metrics on, and a reminder pass (which asks for the background lease) every 200 ms.
  static void Observable(ServerOptions& o) {
    o.metrics_listen = "127.0.0.1:0";
    o.notifications.pass_interval_micros = 200'000;
  }

  // A server's branchline_background_leader gauge: 1 or 0, -1 when the scrape lacks it.
  static int Leader(TestServer& server) {
    const std::string metrics = ScrapeMetrics(server.server().metrics_port());
    const std::string name = "\nbranchline_background_leader ";
    const auto at = metrics.find(name);
    return at == std::string::npos ? -1 : metrics[at + name.size()] - '0';
  }

  // Through the first server for even `i`, the second for odd.
  v1::AttendanceService::Stub& Via(int i) { return i % 2 ? *second_stub_ : *stub_; }

  std::string uri_;
  std::unique_ptr<TestServer> second_;
  std::unique_ptr<v1::AttendanceService::Stub> second_stub_;
};

TEST_F(TwoServersTest, OneCheckInPerPersonAcrossBothServers) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  constexpr int kDevices = 8;
  std::vector<v1::CheckInResponse> answers(kDevices);
  std::vector<grpc::Status> statuses(kDevices);
  std::vector<std::thread> threads;
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = Via(i).CheckIn(Ctx(d1_).get(), ByPlace(m.id(), kLat, kLon), &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  int fresh = 0;
  for (int i = 0; i < kDevices; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    fresh += !answers[i].already_checked_in();
    EXPECT_EQ(answers[i].record().SerializeAsString(), answers[0].record().SerializeAsString());
  }
  EXPECT_EQ(fresh, 1) << "two servers each wrote a check-in";
  EXPECT_EQ(Roster(m.id()).counts().present(), 1);
}

TEST_F(TwoServersTest, OneAnswerPerRequestIdAcrossBothServers) {
  auto m = MustCreate(Draft(Now() + 10 * kMin));
  const v1::CheckInRequest request = ByPlace(m.id(), kLat, kLon);  // one request_id
  constexpr int kRetries = 8;
  std::vector<v1::CheckInResponse> answers(kRetries);
  std::vector<grpc::Status> statuses(kRetries);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back(
        [&, i] { statuses[i] = Via(i).CheckIn(Ctx(d2_).get(), request, &answers[i]); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRetries; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString()) << i;
    EXPECT_FALSE(answers[i].already_checked_in()) << "a replay is the first answer";
  }
  EXPECT_EQ(Roster(m.id()).counts().present(), 1);
}

// The integration feed read through the first server, while drivers check in through both:
// every check-in appears exactly once, in sequence order, none skipped.
TEST_F(TwoServersTest, TheFeedOnOneServerCarriesEveryChangeWrittenThroughTheOther) {
  auto sync = v1::SyncService::NewStub(server_.channel());
  v1::ListFeedRequest feed;
  feed.set_organization_id(branch_);
  v1::ListFeedResponse page;
  ASSERT_TRUE(sync->ListFeed(Ctx(admin_).get(), feed, &page).ok());
  std::vector<uint64_t> meetings;
  for (int i = 0; i < 6; ++i) meetings.push_back(MustCreate(Draft(Now() + (10 + i) * kMin)).id());
  feed.set_cursor(page.next_cursor());  // after the meetings were created

  std::atomic<bool> writing{true};
  std::vector<v1::Change> seen;
  const size_t expected = 2 * meetings.size();
  std::thread reader([&] {
    // After the last check-in is acknowledged the feed may still stop below a transaction
    // running elsewhere (a background pass holds the stable mark back), so it reads on until
    // every check-in has arrived, for at most 10 s. One the cursor skipped never arrives.
    size_t arrived = 0;
    std::optional<std::chrono::steady_clock::time_point> until;
    for (;;) {
      const bool written = !writing.load();
      v1::ListFeedResponse next;
      ASSERT_TRUE(sync->ListFeed(Ctx(admin_).get(), feed, &next).ok());
      for (const auto& change : next.changes()) {
        seen.push_back(change);
        arrived += change.action() == "checked_in";
      }
      feed.set_cursor(next.next_cursor());
      if (next.has_more() || !written) continue;
      if (!until) until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      if (arrived >= expected || std::chrono::steady_clock::now() > *until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::vector<std::thread> writers;
  const std::vector<std::string> drivers = {d1_, d2_};
  for (int w = 0; w < 4; ++w) {
    // Each driver through both servers, each server for both drivers.
    writers.emplace_back([&, w] {
      for (size_t k = w / 2; k < meetings.size(); k += 2) {
        v1::CheckInResponse out;
        EXPECT_TRUE(Via(w + w / 2)
                        .CheckIn(Ctx(drivers[w % 2]).get(), ByPlace(meetings[k], kLat, kLon), &out)
                        .ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();

  std::set<std::pair<uint64_t, uint64_t>> check_ins;  // (meeting, person)
  uint64_t previous = 0;
  for (const auto& change : seen) {
    EXPECT_GT(change.sequence(), previous) << "out of order or repeated";
    previous = change.sequence();
    if (change.action() == "checked_in") {
      ASSERT_EQ(change.person_ids_size(), 1);
      EXPECT_TRUE(check_ins.insert({change.record_id(), change.person_ids(0)}).second);
    }
  }
  EXPECT_EQ(check_ins.size(), expected) << "a check-in missing from the feed";
}

TEST_F(TwoServersTest, OneServerRunsTheBackgroundPassesAndTheOtherTakesOverWhenItStops) {
  // Each asks at its passes; exactly one holds the lease, and keeps it.
  auto one_leads = [&](TestServer& a, TestServer& b) { return Leader(a) == 1 && Leader(b) == 0; };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!one_leads(server_, *second_) && !one_leads(*second_, server_) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const bool first_leads = Leader(server_) == 1;
  TestServer& leader = first_leads ? server_ : *second_;
  TestServer& other = first_leads ? *second_ : server_;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Leader(leader), 1) << i;
    ASSERT_EQ(Leader(other), 0) << i << ": two servers ran the passes";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // The leader stops: the other takes the passes over at its next one.
  leader.Stop();
  const auto stopped = std::chrono::steady_clock::now();
  while (Leader(other) != 1 &&
         std::chrono::steady_clock::now() - stopped < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Leader(other), 1) << "nobody took the passes over";
  std::printf("background passes moved %.1f s after the leader stopped\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped).count());
  // Back again, the old leader leaves them where they are.
  leader.Restart();
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(Leader(leader), 0) << i;
    EXPECT_EQ(Leader(other), 1) << i;
  }
}

// A sign-out or a cancellation through one server takes effect on the very next call through
// the other, which has just read those records: whatever a server keeps in memory
// (storage/record_cache.h) must not delay it.
TEST_F(TwoServersTest, ASignOutOrACancellationThroughOneServerHoldsOnTheOtherAtOnce) {
  auto meeting = MustCreate(Draft(Now() + 10 * kMin));
  v1::GetMeetingRequest get;
  get.set_id(meeting.id());
  v1::Meeting read;
  for (const std::string* token : {&d1_, &d1_, &d2_, &d2_}) {
    ASSERT_TRUE(second_stub_->GetMeeting(Ctx(*token).get(), get, &read).ok());
  }

  Cancel(meeting.id(), "暴雪封路");
  v1::CheckInResponse out;
  auto status = second_stub_->CheckIn(Ctx(d1_).get(), ByPlace(meeting.id(), kLat, kLon), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "MEETING_CANCELLED");

  v1::SignOutRequest sign_out;
  sign_out.set_request_id(TestServer::RequestId());
  v1::SignOutResponse signed_out;
  ASSERT_TRUE(server_.auth().SignOut(Ctx(d2_).get(), sign_out, &signed_out).ok());
  status = second_stub_->GetMeeting(Ctx(d2_).get(), get, &read);
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(status).reason, "SESSION_ENDED");
  EXPECT_TRUE(second_stub_->GetMeeting(Ctx(d1_).get(), get, &read).ok()) << "another session";
}

// The reminder pass through one server, then through the other (as after the background
// lease moved): each takes ids from blocks of its own, yet a gateway's cursor past the first
// server's entries still reaches every entry the second writes.
class TwoServersOutboxTest : public NotificationsTest {
 protected:
  TwoServersOutboxTest() : TwoServersOutboxTest(NewDatabase()) {}
  explicit TwoServersOutboxTest(std::string uri)
      : NotificationsTest([uri](ServerOptions& o) {
          if (!uri.empty()) o.storage = uri;
        }),
        uri_(std::move(uri)) {}

  void SetUp() override {
    if (uri_.empty()) GTEST_SKIP() << "no PostgreSQL fixture";
    NotificationsTest::SetUp();
    second_ = SecondServer(uri_, server_.dir().Sub("data"), Notifying);
  }

  // "Starts in 24 hours" for the four people of `meeting`, written by the reminder pass of
  // `server`.
  void FourRemindersThrough(TestServer& server, const v1::Meeting& meeting) {
    ReminderClock().Set(ToMicros(meeting.start_time()) - 24 * kHour + kMin);
    auto written = server.server().RunRemindersNow();
    ASSERT_TRUE(written.ok()) << written.status();
    ASSERT_EQ(*written, 4u);
  }

  std::string uri_;
  std::unique_ptr<TestServer> second_;
};

TEST_F(TwoServersOutboxTest, AGatewayCursorReachesWhatTheNextServerWrites) {
  Settings(branch_, {24});
  const std::string gateway = server_.ServiceToken(branch_, v1::SCOPE_NOTIFICATIONS_DELIVER);
  // The second server takes its first ids of the tenant now: a block above the first's.
  const v1::Meeting first_meeting = MeetingAt(Now() + 30 * kHour);
  FourRemindersThrough(*second_, first_meeting);
  auto first = Drain(gateway, branch_);
  ASSERT_EQ(first.size(), 4u);
  const uint64_t cursor = first.back().cursor();
  // Then the first server writes, whose own ids lie below the gateway's cursor.
  const v1::Meeting next_meeting = MeetingAt(Now() + 32 * kHour);
  ASSERT_LT(next_meeting.id(), cursor) << "the first server's block is not the lower one";
  FourRemindersThrough(server_, next_meeting);
  auto next = Drain(gateway, branch_, cursor);
  EXPECT_EQ(next.size(), 4u) << "entries written behind the gateway's cursor are never sent";
  for (const auto& e : next) EXPECT_GT(e.cursor(), cursor);
}

}  // namespace
}  // namespace branchline::testing
