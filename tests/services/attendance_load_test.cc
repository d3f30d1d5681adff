// Measures the two hot paths through the real server and prints the numbers: "my upcoming
// meetings" under 64 concurrent callers, and a whole team checking in at once. The bounds are
// loose (the test machine is shared); the printed figures are what to look at.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/services/attendance_fixture.h"

namespace branchline::testing {
namespace {

using Clock = std::chrono::steady_clock;
class LoadTest : public AttendanceTest {
 protected:
  // Imports `count` drivers into the group and signs each in; returns their access tokens
  // (none when the import fails).
  std::vector<std::string> ImportDrivers(int count) {
    v1::ImportPeopleRequest import;
    import.set_request_id(TestServer::RequestId());
    for (int i = 0; i < count; ++i) {
      auto* row = import.add_rows();
      row->mutable_person()->set_organization_id(group_);
      row->mutable_person()->set_display_name("司机" + std::to_string(i));
      row->mutable_person()->set_employee_number("driver-" + std::to_string(i));
      row->mutable_person()->set_role(v1::ROLE_EMPLOYEE);
      row->set_initial_password(kPassword);
    }
    v1::ImportPeopleResponse imported;
    auto status = server_.people().ImportPeople(Ctx(admin_).get(), import, &imported);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok() || imported.created_count() != count) return {};
    std::vector<std::string> tokens;
    for (int i = 0; i < count; ++i) tokens.push_back(server_.SignIn("driver-" + std::to_string(i)));
    return tokens;
  }
};

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST_F(LoadTest, MyUpcomingMeetingsUnder64ConcurrentCallers) {
  int64_t now = Now();
  for (int i = 0; i < 30; ++i) {
    auto d = Draft(now + (i + 1) * kHour);
    if (i % 3 == 1) d.set_organization_id(group_);
    if (i % 3 == 2) d.mutable_audience()->add_person_ids(d1_id_);
    MustCreate(d);
  }
  // One caller alone first: the cost of the call itself, without queueing for the CPU.
  std::vector<double> alone;
  for (int i = 0; i < 200; ++i) {
    v1::ListMyMeetingsRequest r;
    r.set_page_size(10);
    v1::ListMeetingsResponse out;
    auto begin = Clock::now();
    ASSERT_TRUE(stub_->ListMyMeetings(Ctx(d1_).get(), r, &out).ok());
    alone.push_back(Millis(Clock::now() - begin));
  }
  std::sort(alone.begin(), alone.end());
  std::printf("ListMyMeetings, one caller: p50 %.2f ms, p99 %.2f ms\n", alone[100], alone[198]);

  constexpr int kThreads = 64, kCalls = 30;
  std::vector<std::vector<double>> latencies(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::AttendanceService::NewStub(server_.channel());
      v1::ListMyMeetingsRequest r;
      r.set_page_size(10);
      for (int i = 0; i < kCalls; ++i) {
        v1::ListMeetingsResponse out;
        auto begin = Clock::now();
        auto status = stub->ListMyMeetings(Ctx(d1_).get(), r, &out);
        latencies[t].push_back(Millis(Clock::now() - begin));
        if (!status.ok() || out.meetings_size() != 10) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  double p50 = all[all.size() / 2], p99 = all[all.size() * 99 / 100];
  std::printf("ListMyMeetings, %d callers x %d calls: p50 %.2f ms, p99 %.2f ms\n", kThreads, kCalls,
              p50, p99);
  RecordProperty("p99_ms", std::to_string(p99));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LT(p99, 500);
}

TEST_F(LoadTest, AWholeTeamChecksInAtOnce) {
  constexpr int kDrivers = 100;
  std::vector<std::string> tokens = ImportDrivers(kDrivers);
  ASSERT_EQ(tokens.size(), size_t{kDrivers});

  auto m = MustCreate(Draft(Now() + 10 * kMin));
  std::atomic<int> ok{0};
  std::vector<double> latencies(kDrivers);
  std::vector<std::thread> threads;
  auto begin = Clock::now();
  for (int i = 0; i < kDrivers; ++i) {
    threads.emplace_back([&, i] {
      v1::CheckInResponse out;
      auto start = Clock::now();
      if (CheckIn(tokens[i], ByPlace(m.id(), 39.9042, 116.4074), &out).ok()) ++ok;
      latencies[i] = Millis(Clock::now() - start);
    });
  }
  for (auto& t : threads) t.join();
  double total = Millis(Clock::now() - begin);
  std::sort(latencies.begin(), latencies.end());
  std::printf("%d concurrent check-ins: %.1f ms in all, p50 %.2f ms, max %.2f ms\n", kDrivers,
              total, latencies[kDrivers / 2], latencies.back());
  EXPECT_EQ(ok.load(), kDrivers);
  auto roster = Roster(m.id(), 1000);
  EXPECT_EQ(roster.counts().present(), kDrivers);
  EXPECT_EQ(roster.counts().expected(), kDrivers + 4);
}

// Check-ins wait for their group commit without a thread; a server stopped meanwhile must
// still answer or fail each one, shut down, and keep every check-in it acknowledged.
TEST_F(LoadTest, CheckInsInFlightWhenTheServerStopsAreAnsweredOrFailedAndNoneIsLost) {
  constexpr int kDrivers = 32, kMeetings = 40;
  std::vector<std::string> tokens = ImportDrivers(kDrivers);
  ASSERT_EQ(tokens.size(), size_t{kDrivers});
  std::vector<uint64_t> meetings;
  for (int i = 0; i < kMeetings; ++i) meetings.push_back(MustCreate(Draft(Now() + 10 * kMin)).id());

  // Each driver checks in to one meeting after another until the server is gone.
  std::atomic<int> acknowledged{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kDrivers; ++i) {
    threads.emplace_back([&, i] {
      for (uint64_t meeting : meetings) {
        v1::CheckInResponse out;
        auto status = CheckIn(tokens[i], ByPlace(meeting, 39.9042, 116.4074), &out);
        if (status.ok()) {
          ++acknowledged;
          continue;
        }
        ++refused;
        EXPECT_TRUE(status.error_code() == grpc::UNAVAILABLE ||
                    status.error_code() == grpc::CANCELLED)
            << status.error_code() << " " << status.error_message();
        return;
      }
    });
  }
  // (A refusal before the stop ends the wait too, rather than hanging: the checks below fail.)
  while (acknowledged < kDrivers * kMeetings / 4 && refused == 0) std::this_thread::yield();
  auto stopping = Clock::now();
  server_.Stop();
  double stop_ms = Millis(Clock::now() - stopping);
  for (auto& t : threads) t.join();
  std::printf("%d acknowledged, %d refused by the stopping server; stopped in %.1f ms\n",
              acknowledged.load(), refused.load(), stop_ms);
  // TestServer stops with a 2 s grace period. Usually the stop takes milliseconds; on a busy
  // machine gRPC sometimes waits out the grace period although every call of ours is finished
  // (see the benchmarks issue's notes). It must never take longer.
  EXPECT_LT(stop_ms, 3000) << "the stop outlasted its grace period";

  server_.Restart();
  stub_ = v1::AttendanceService::NewStub(server_.channel());  // the new server's port
  // A refused call may still have been committed (its answer was lost), never the reverse.
  int present = 0;
  for (uint64_t meeting : meetings) present += Roster(meeting, 1000).counts().present();
  EXPECT_GE(present, acknowledged.load());
  EXPECT_LE(present, acknowledged.load() + refused.load());
}

}  // namespace
}  // namespace branchline::testing
