// Two Branchline servers on one PostgreSQL database (a database of the storage_postgres
// fixture), as two hosts of a cluster behind nginx: the callers of either reach the same
// records, and the invariants that used to hold only inside one process hold across both —
// one check-in per person per meeting, one answer per request_id, a change feed on one server
// carrying every change written through the other, in order. The second server shares the
// first's key files, as the hosts of a cluster must (docs/cluster.md).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "branchline/v1/sync.grpc.pb.h"
#include "tests/services/attendance_fixture.h"
#include "tests/storage/test_backends.h"

namespace branchline::testing {
namespace {

constexpr double kLat = 39.9042, kLon = 116.4074;

// A new database of the fixture, or "" (the test then skips).
std::string NewDatabase() {
  std::string skip;
  auto uri = storage::testing::PostgresDatabase(&skip);
  return uri ? *uri : "";
}

class TwoServersTest : public AttendanceTest {
 protected:
  TwoServersTest() : TwoServersTest(NewDatabase()) {}
  explicit TwoServersTest(std::string uri)
      : AttendanceTest([uri](ServerOptions& o) {
          if (!uri.empty()) o.storage = uri;
        }),
        uri_(std::move(uri)) {}

  void SetUp() override {
    if (uri_.empty()) GTEST_SKIP() << "no PostgreSQL fixture";
    AttendanceTest::SetUp();
    const std::string first_data = server_.dir().Sub("data");
    second_ = std::make_unique<TestServer>([this, first_data](ServerOptions& o) {
      o.storage = uri_;
      std::filesystem::create_directories(o.data_dir);
      for (const char* key : {"token.key", "feedback.key"}) {
        std::filesystem::copy_file(first_data + "/" + key, o.data_dir + "/" + key,
                                   std::filesystem::copy_options::overwrite_existing);
      }
    });
    second_stub_ = v1::AttendanceService::NewStub(second_->channel());
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
  std::thread reader([&] {
    for (bool last = false; !last;) {
      last = !writing.load();
      v1::ListFeedResponse next;
      ASSERT_TRUE(sync->ListFeed(Ctx(admin_).get(), feed, &next).ok());
      for (const auto& change : next.changes()) seen.push_back(change);
      feed.set_cursor(next.next_cursor());
      if (next.has_more()) last = false;
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
  EXPECT_EQ(check_ins.size(), 2 * meetings.size()) << "a check-in missing from the feed";
}

}  // namespace
}  // namespace branchline::testing
