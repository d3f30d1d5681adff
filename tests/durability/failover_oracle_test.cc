// Failover with an oracle: the real server on a 3-node Patroni cluster while 32 clients write
// check-ins, study records and letters; then (1) with two servers behind the nginx edge
// (deploy/nginx, tests/support/edge.sh) and every client calling through it, the PostgreSQL
// primary dies as a machine does (Patroni and postmaster SIGKILLed, scripts/cluster.sh
// kill-primary) and Patroni promotes the synchronous standby; (2) the Branchline server itself
// is SIGKILLed and restarted on the cluster; (3) with two servers on the cluster, half the
// clients on each, one server is SIGKILLed and its clients go on through the other; (4) two
// servers behind the edge again: the server the edge sends the clients to is SIGKILLed, and
// the edge moves them to the other; (5) a rolling restart of both servers behind the edge,
// which no caller may notice. After each:
// every acknowledged write is there exactly once, nothing is there that no client sent, calls
// whose outcome the client could not know are resolved by retrying with the same request_id
// without a duplicate, writes are accepted again within 30 s, and no server answered INTERNAL.
//
// Run by tests/durability/failover_test.sh, which starts the cluster and sets
// BRANCHLINE_CLUSTER_URI (the --storage string), BRANCHLINE_CLUSTER_KILL_PRIMARY (the command
// that kills the primary), BRANCHLINE_EDGE_SCRIPT (tests/support/edge.sh) and
// BRANCHLINE_EDGE_DRAIN (deploy/nginx/drain.sh); skipped without them.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "tests/durability/workload.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline::durability {
namespace {

using testing::ServerProcess;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr char kAdminPassword[] = "admin-password-1";
constexpr int kClients = 32;
constexpr auto kRecoveryBudget = std::chrono::seconds(30);

// The nginx edge in front of two servers (tests/support/edge.sh), for one phase.
class Edge {
 public:
  Edge(std::string script, const std::string& upstream, const std::string& peer)
      : script_(std::move(script)) {
    // Rate limits far above the callers', who all come from 127.0.0.1.
    const std::string command =
        "RATE_PER_SECOND=100000 BURST=100000 " + script_ + " start " + upstream + " " + peer;
    FILE* out = popen(command.c_str(), "r");
    if (!out) return;
    char line[1024] = {};
    if (!std::fgets(line, sizeof line, out)) line[0] = 0;
    pclose(out);
    std::istringstream(line) >> port_ >> pid_ >> dir_;
  }
  ~Edge() {
    if (pid_ > 0) std::system((script_ + " stop " + std::to_string(pid_) + " " + dir_).c_str());
  }
  bool running() const { return port_ > 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string ca() const {
    std::ifstream in(dir_ + "/edge/ca.pem");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // deploy/nginx/drain.sh ACTION ("down" or "up") for `upstream`; whether it succeeded.
  bool Drain(const std::string& drain_script, const char* action, const std::string& upstream) {
    const std::string command =
        drain_script + " " + action + " " + dir_ + "/edge/nginx.conf " + upstream;
    return std::system(command.c_str()) == 0;
  }

 private:
  std::string script_;
  int port_ = 0;
  int pid_ = 0;
  std::string dir_;
};

// Calls a server has answered so far (its branchline_grpc_calls_total, every method).
double CallsAnswered(const ServerProcess& server) {
  std::istringstream metrics(testing::ScrapeMetrics(server.metrics_port()));
  double total = 0;
  for (std::string line; std::getline(metrics, line);) {
    if (line.rfind("branchline_grpc_calls_total{", 0) == 0) {
      total += std::strtod(line.substr(line.rfind(' ') + 1).c_str(), nullptr);
    }
  }
  return total;
}

class FailoverOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("BRANCHLINE_CLUSTER_URI");
    const char* kill = std::getenv("BRANCHLINE_CLUSTER_KILL_PRIMARY");
    const char* edge = std::getenv("BRANCHLINE_EDGE_SCRIPT");
    const char* drain = std::getenv("BRANCHLINE_EDGE_DRAIN");
    if (!uri || !kill || !edge || !drain) {
      GTEST_SKIP() << "no cluster: run through tests/durability/failover_test.sh";
    }
    uri_ = uri;
    kill_primary_ = kill;
    edge_script_ = edge;
    drain_script_ = drain;
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

  // A second server on the cluster, keeping copies of the first one's keys in `data` (the
  // hosts of a cluster share them, docs/cluster.md).
  std::unique_ptr<ServerProcess> StartSecond(const std::string& data) {
    std::filesystem::create_directories(data);
    for (const char* key : {"token.key", "feedback.key"}) {
      std::filesystem::copy_file(data_ + "/" + key, data + "/" + key);
    }
    return StartOn(data);
  }

  // A server on the cluster keeping its keys in `data`.
  std::unique_ptr<ServerProcess> StartOn(const std::string& data) {
    auto server = std::make_unique<ServerProcess>(
        data, std::vector<std::string>{"--admin-password", kAdminPassword, "--storage", uri_});
    EXPECT_GT(server->port(), 0);
    return server;
  }

  // Stops `server` gracefully (SIGTERM) and starts it again on the same port with its keys in
  // `data`, as one step of a rolling restart; returns how the old one exited.
  int RestartInPlace(std::unique_ptr<ServerProcess>& server, const std::string& data) {
    const std::string listen = "127.0.0.1:" + std::to_string(server->port());
    const int exit_code = server->Stop(SIGTERM);
    server = std::make_unique<ServerProcess>(
        ServerProcess::ExactArgs{}, data + ".restarted.log",
        std::vector<std::string>{"--listen", listen, "--data-dir", data, "--fast-password-hashing",
                                 "--metrics-listen", "127.0.0.1:0", "--admin-password",
                                 kAdminPassword, "--storage", uri_});
    EXPECT_GT(server->port(), 0);
    return exit_code;
  }

  // Client `i`'s server: the edge when there is one; else, with a second server running,
  // every other client uses it.
  std::string AddressOf(size_t i) const {
    if (edge_) return edge_->address();
    return second_ && i % 2 ? second_->address() : server_->address();
  }

  // Every client signed in (as a new person when needed) and writing until its first unknown
  // outcome or `stop`.
  std::vector<std::thread> Load(const std::vector<uint64_t>& meetings, std::atomic<bool>& stop) {
    for (size_t i = 0; i < clients_.size(); ++i) {
      auto& client = clients_[i];
      client->Connect(AddressOf(i), edge_ ? edge_->ca() : "");
      if (client->NeedsNewPerson()) client->AddPerson(admin_);
      client->SignIn();
    }
    std::vector<std::thread> threads;
    for (auto& client : clients_) {
      threads.emplace_back([&, c = client.get()] { c->Run(meetings, stop); });
    }
    return threads;
  }

  // Every client's figures, summed.
  ClientStats Totals() const {
    ClientStats total;
    for (const auto& c : clients_) total += c->stats();
    return total;
  }

  // The edge in front of server_ and second_; whether it started.
  bool StartEdge() {
    edge_ = std::make_unique<Edge>(edge_script_, server_->address(), second_->address());
    return edge_->running();
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

  // After a server was killed at `killed`: the administrator on server_ (its replacement or
  // the survivor) and the probe client there too, or through the edge when there is one;
  // writes accepted again within the budget, the oracle, no INTERNAL, the figures.
  void ReconnectAndVerify(Clock::time_point killed, const std::vector<uint64_t>& meetings,
                          const char* phase) {
    admin_.Connect(server_->address());
    clients_.front()->Connect(AddressOf(0), edge_ ? edge_->ca() : "");
    clients_.front()->SignIn();
    const double recovered = SecondsUntilWritesAccepted(killed, meetings);
    EXPECT_LT(recovered, std::chrono::duration<double>(kRecoveryBudget).count());
    Verify(meetings, phase);
    ExpectNoInternal(phase);
    Print(phase, recovered);
  }

  // The figures after `phase`; `recovered_seconds` when writes stopped and came back.
  void Print(const char* phase, std::optional<double> recovered_seconds) {
    const ClientStats total = Totals();
    char recovered[64] = "";
    if (recovered_seconds) {
      std::snprintf(recovered, sizeof recovered, "writes accepted again after %.1f s; ",
                    *recovered_seconds);
    }
    std::printf(
        "failover test, %s: %sacknowledged=%llu unknown=%llu "
        "(present %llu, absent %llu) lost=%llu duplicates=%llu phantoms=%llu\n",
        phase, recovered, static_cast<unsigned long long>(total.acknowledged),
        static_cast<unsigned long long>(total.unknown),
        static_cast<unsigned long long>(total.resolved_present),
        static_cast<unsigned long long>(total.resolved_absent),
        static_cast<unsigned long long>(total.lost),
        static_cast<unsigned long long>(total.duplicates),
        static_cast<unsigned long long>(total.phantoms));
  }

  std::string uri_, kill_primary_, edge_script_, drain_script_, data_;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ServerProcess> second_;  // phases (1), (3) and (4)
  std::unique_ptr<Edge> edge_;             // phases (1) and (4)
  Admin admin_{kAdminPassword};
  std::vector<std::unique_ptr<OracleClient>> clients_;
};

// One world on the cluster's database, five phases in turn (the cluster is the test's own, so
// every phase shares it).
TEST_F(FailoverOracleTest,
       APrimaryAServerAndOneOfTwoServersKilledUnderLoadLoseNothingAcknowledged) {
  // (1) The primary dies under two servers behind the edge. The edge puts each client address
  // on one server (a consistent hash), so these clients, all from 127.0.0.1, reach one of them.
  second_ = StartSecond(dir_.Sub("data1"));
  ASSERT_TRUE(StartEdge()) << "the nginx edge did not start";
  std::vector<uint64_t> meetings = {admin_.CreateMeeting("安全例会 主库切换")};
  std::atomic<bool> stop{false};
  auto threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GT(Totals().acknowledged, 0u) << "no load before the kill";
  auto killed = Clock::now();
  ASSERT_EQ(std::system(kill_primary_.c_str()), 0);
  // Clients stop at their first unknown outcome; the failover takes longer than that.
  for (auto& t : threads) t.join();
  double recovered = SecondsUntilWritesAccepted(killed, meetings);
  EXPECT_LT(recovered, std::chrono::duration<double>(kRecoveryBudget).count());
  Verify(meetings, "after the primary died");
  ExpectNoInternal("primary failover");
  Print("primary killed, two servers behind the edge", recovered);

  // The new primary takes a full round of load.
  meetings.push_back(admin_.CreateMeeting("安全例会 切换之后"));
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  stop = true;
  for (auto& t : threads) t.join();
  Verify(meetings, "on the new primary");
  edge_.reset();
  second_.reset();

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
  second_ = StartSecond(dir_.Sub("data2"));
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

  // (4) Two servers behind the edge: the one it sends the clients to dies, and the edge sends
  // them to the other.
  second_ = StartSecond(dir_.Sub("data3"));
  ASSERT_TRUE(StartEdge()) << "the nginx edge did not start";
  meetings.push_back(admin_.CreateMeeting("安全例会 边缘代理"));
  const double before[] = {CallsAnswered(*server_), CallsAnswered(*second_)};
  stop = false;
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const bool first_serves =
      CallsAnswered(*server_) - before[0] > CallsAnswered(*second_) - before[1];
  killed = Clock::now();
  EXPECT_EQ((first_serves ? server_ : second_)->Stop(SIGKILL), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  stop = true;
  for (auto& t : threads) t.join();
  if (first_serves) server_ = std::move(second_);
  second_.reset();
  ReconnectAndVerify(killed, meetings, "the server behind the edge killed");

  // (5) A rolling restart behind the edge, as docs/operations.md tells operators to do it:
  // each of two servers taken out of the edge's rotation (deploy/nginx/drain.sh down), stopped
  // gracefully (SIGTERM), started again on its port and put back (drain.sh up), one after the
  // other, while every client writes through the edge. No caller may notice: not one call
  // without an answer (the clients do not retry; each stops at its first unknown outcome).
  edge_.reset();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  const std::string data1 = dir_.Sub("data1");  // phase (1)'s second server's keys
  server_ = StartOn(data_);
  second_ = StartOn(data1);
  ASSERT_TRUE(StartEdge()) << "the nginx edge did not start";
  admin_.Connect(server_->address());
  meetings.push_back(admin_.CreateMeeting("安全例会 滚动重启"));
  const ClientStats before_restart = Totals();
  stop = false;
  threads = Load(meetings, stop);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  for (auto [server, data] : {std::pair{&server_, data_}, std::pair{&second_, data1}}) {
    const std::string upstream = (*server)->address();
    EXPECT_TRUE(edge_->Drain(drain_script_, "down", upstream));
    EXPECT_EQ(RestartInPlace(*server, data), 0);
    EXPECT_TRUE(edge_->Drain(drain_script_, "up", upstream));
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_GT(Totals().acknowledged, before_restart.acknowledged);
  EXPECT_EQ(Totals().unknown, before_restart.unknown) << "callers noticed the rolling restart";
  admin_.Connect(server_->address());
  Verify(meetings, "rolling restart");
  ExpectNoInternal("rolling restart");
  Print("rolling restart behind the edge", std::nullopt);
  edge_.reset();
}

}  // namespace
}  // namespace branchline::durability
