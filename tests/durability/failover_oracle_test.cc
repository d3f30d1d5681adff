// Failover with an oracle: the real server on a 3-node Patroni cluster while clients write
// check-ins, study records and letters; then (1) the PostgreSQL primary dies as a machine does
// (Patroni and postmaster SIGKILLed, scripts/cluster.sh kill-primary) and Patroni promotes the
// synchronous standby; (2) the Branchline server itself is SIGKILLed and restarted on the
// cluster; (3) with two servers on the cluster, half the clients on each (as nginx would
// spread them), one server is SIGKILLed and its clients go on through the other. After each:
// every acknowledged write is there exactly once, nothing is there that no client sent, calls
// whose outcome the client could not know are resolved by retrying with the same request_id
// without a duplicate, writes are accepted again within 30 s, and no server answered INTERNAL.
//
// Run by tests/durability/failover_test.sh, which starts the cluster and sets
// BRANCHLINE_CLUSTER_URI (the --storage string) and BRANCHLINE_CLUSTER_KILL_PRIMARY (the
// command that kills the primary); skipped without them.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/durability/workload.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline::durability {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr char kAdminPassword[] = "admin-password-1";
constexpr int kClients = 6;
constexpr auto kRecoveryBudget = std::chrono::seconds(30);

class FailoverOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("BRANCHLINE_CLUSTER_URI");
    const char* kill = std::getenv("BRANCHLINE_CLUSTER_KILL_PRIMARY");
    if (!uri || !kill) GTEST_SKIP() << "no cluster: run through tests/durability/failover_test.sh";
    uri_ = uri;
    kill_primary_ = kill;
    data_ = dir_.Sub("data");  // the server's keys; the records are in the cluster
    Start();
    admin_.Connect(server_->address());
    admin_.CreateWorld();
    std::mt19937_64 rng(std::random_device{}());
    for (int i = 0; i < kClients; ++i) {
      clients_.push_back(std::make_unique<OracleClient>(i, rng()));
    }
  }

  void Start() { server_ = StartOn(data_); }

  // A server on the cluster keeping its keys in `data` (a second server gets copies of the
  // first one's: the hosts of a cluster share them, docs/cluster.md).
  std::unique_ptr<ServerProcess> StartOn(const std::string& data) {
    auto server = std::make_unique<ServerProcess>(
        data, std::vector<std::string>{"--admin-password", kAdminPassword, "--storage", uri_});
    EXPECT_GT(server->port(), 0);
    return server;
  }

  // Client `i`'s server: with a second server running, every other client uses it.
  std::string AddressOf(size_t i) const {
    return second_ && i % 2 ? second_->address() : server_->address();
  }

  // Every client signed in (as a new person when needed) and writing until its first unknown
  // outcome or `stop`.
  std::vector<std::thread> Load(const std::vector<uint64_t>& meetings, std::atomic<bool>& stop) {
    for (size_t i = 0; i < clients_.size(); ++i) {
      auto& client = clients_[i];
      client->Connect(AddressOf(i));
      if (client->NeedsNewPerson()) client->AddPerson(admin_);
      client->SignIn();
    }
    std::vector<std::thread> threads;
    for (auto& client : clients_) {
      threads.emplace_back([&, c = client.get()] { c->Run(meetings, stop); });
    }
    return threads;
  }

  uint64_t Acknowledged() const {
    uint64_t n = 0;
    for (const auto& c : clients_) n += c->stats().acknowledged;
    return n;
  }

  // Seconds from `since` until one new write is acknowledged (a probe client writing one call
  // at a time with the token it holds: a sign-in is a write too), or the budget passes.
  double SecondsUntilWritesAccepted(Clock::time_point since,
                                    const std::vector<uint64_t>& meetings) {
    auto& probe = *clients_.front();
    const uint64_t before = probe.stats().acknowledged;
    std::atomic<bool> never{false};
    while (Clock::now() - since < kRecoveryBudget + std::chrono::seconds(15)) {
      probe.Run(meetings, never, /*max_calls=*/1, /*deadline_ms=*/2000);
      if (probe.stats().acknowledged > before) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return std::chrono::duration<double>(Clock::now() - since).count();
  }

  // The oracle over `meetings`: every client's calls checked, unknowns resolved by retrying.
  void Verify(const std::vector<uint64_t>& meetings, const char* phase) {
    std::map<uint64_t, std::map<uint64_t, std::string>> texts;
    for (uint64_t m : meetings) texts[m] = admin_.CheckInTexts(m);
    for (auto& client : clients_) {
      client->Connect(server_->address());
      client->SignIn();
      for (const auto& v : client->Verify(texts, /*current_only=*/false)) {
        ADD_FAILURE() << phase << ": " << v;
      }
      for (const auto& v : client->ResolveUnknowns()) ADD_FAILURE() << phase << ": " << v;
    }
  }

  void ExpectNoInternal(const char* phase) {
    for (const auto* server : {server_.get(), second_.get()}) {
      if (!server) continue;
      EXPECT_EQ(server->ReadLog().find("status=13 "), std::string::npos)
          << phase << ": an INTERNAL answer";
    }
  }

  // After a server was killed at `killed`: the administrator and the probe client on server_
  // (its replacement or the survivor), writes accepted again within the budget, the oracle,
  // no INTERNAL, the figures.
  void ReconnectAndVerify(Clock::time_point killed, const std::vector<uint64_t>& meetings,
                          const char* phase) {
    admin_.Connect(server_->address());
    clients_.front()->Connect(server_->address());
    clients_.front()->SignIn();
    const double recovered = SecondsUntilWritesAccepted(killed, meetings);
    EXPECT_LT(recovered, std::chrono::duration<double>(kRecoveryBudget).count());
    Verify(meetings, phase);
    ExpectNoInternal(phase);
    Print(phase, recovered);
  }

  void Print(const char* phase, double recovered_seconds) {
    ClientStats total;
    for (const auto& c : clients_) total += c->stats();
    std::printf(
        "failover test, %s: writes accepted again after %.1f s; acknowledged=%llu unknown=%llu "
        "(present %llu, absent %llu) lost=%llu duplicates=%llu phantoms=%llu\n",
        phase, recovered_seconds, static_cast<unsigned long long>(total.acknowledged),
        static_cast<unsigned long long>(total.unknown),
        static_cast<unsigned long long>(total.resolved_present),
        static_cast<unsigned long long>(total.resolved_absent),
        static_cast<unsigned long long>(total.lost),
        static_cast<unsigned long long>(total.duplicates),
        static_cast<unsigned long long>(total.phantoms));
  }

  std::string uri_, kill_primary_, data_;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ServerProcess> second_;  // phase (3)
  Admin admin_{kAdminPassword};
  std::vector<std::unique_ptr<OracleClient>> clients_;
};

// One world on the cluster's database, three faults in turn (the cluster is the test's own, so
// every phase shares it).
TEST_F(FailoverOracleTest,
       APrimaryAServerAndOneOfTwoServersKilledUnderLoadLoseNothingAcknowledged) {
  // (1) The primary dies.
  std::vector<uint64_t> meetings = {admin_.CreateMeeting("安全例会 主库切换")};
  std::atomic<bool> stop{false};
  auto threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GT(Acknowledged(), 0u) << "no load before the kill";
  auto killed = Clock::now();
  ASSERT_EQ(std::system(kill_primary_.c_str()), 0);
  // Clients stop at their first unknown outcome; the failover takes longer than that.
  for (auto& t : threads) t.join();
  double recovered = SecondsUntilWritesAccepted(killed, meetings);
  EXPECT_LT(recovered, std::chrono::duration<double>(kRecoveryBudget).count());
  Verify(meetings, "after the primary died");
  ExpectNoInternal("primary failover");
  Print("primary killed", recovered);

  // The new primary takes a full round of load.
  meetings.push_back(admin_.CreateMeeting("安全例会 切换之后"));
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  stop = true;
  for (auto& t : threads) t.join();
  Verify(meetings, "on the new primary");

  // (2) The Branchline server dies; another starts on the same cluster.
  meetings.push_back(admin_.CreateMeeting("安全例会 服务器重启"));
  stop = false;
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  killed = Clock::now();
  EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
  for (auto& t : threads) t.join();
  Start();
  ReconnectAndVerify(killed, meetings, "server killed");

  // (3) Two servers, half the clients on each; the first dies, its clients move to the other.
  const std::string data2 = dir_.Sub("data2");
  std::filesystem::create_directories(data2);
  for (const char* key : {"token.key", "feedback.key"}) {
    std::filesystem::copy_file(data_ + "/" + key, data2 + "/" + key);
  }
  second_ = StartOn(data2);
  meetings.push_back(admin_.CreateMeeting("安全例会 两台服务器"));
  stop = false;
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  killed = Clock::now();
  EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the second goes on meanwhile
  stop = true;
  for (auto& t : threads) t.join();
  server_ = std::move(second_);  // the survivor answers everyone from now on
  ReconnectAndVerify(killed, meetings, "one of two servers killed");
}

}  // namespace
}  // namespace branchline::durability
