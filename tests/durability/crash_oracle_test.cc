// Client-level crash test with an oracle: the real server binary is killed with SIGKILL at
// random moments while concurrent clients write check-ins, study records and letters, and is
// restarted on the same data directory. After each restart every acknowledged write must be
// there exactly once, nothing may be there that no client sent, and calls whose outcome the
// client could not know must be there once or not at all; retrying them with the same
// request_id must resolve them without a duplicate.
//
// BRANCHLINE_CRASH_CYCLES sets the number of kill cycles (default 20; scripts/crash_test.sh
// runs any number), BRANCHLINE_CRASH_SEED the random seed (printed, to replay a failure).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/durability/workload.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline::durability {
namespace {

using testing::ServerProcess;
using testing::TempDir;

constexpr char kAdminPassword[] = "admin-password-1";
constexpr int kClients = 6;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

std::unique_ptr<ServerProcess> StartServer(const std::string& data) {
  return std::make_unique<ServerProcess>(
      data, std::vector<std::string>{"--admin-password", kAdminPassword, "--no-access-log"});
}

void ExpectNone(const std::vector<std::string>& violations, int cycle) {
  EXPECT_TRUE(violations.empty()) << "cycle " << cycle << ": " << violations.size()
                                  << " violations, first: " << violations.front();
}

TEST(CrashOracleTest, AcknowledgedWritesSurviveSigkillExactlyOnce) {
  const int cycles = EnvInt("BRANCHLINE_CRASH_CYCLES", 20);
  const uint64_t seed = EnvInt("BRANCHLINE_CRASH_SEED", std::random_device()() % 1'000'000);
  std::printf("crash test: %d cycles, seed %llu\n", cycles, static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto server = StartServer(data);
  ASSERT_GT(server->port(), 0);
  Admin admin(kAdminPassword);
  admin.Connect(server->address());
  admin.CreateWorld();
  std::vector<std::unique_ptr<OracleClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<OracleClient>(i, rng()));
  std::vector<uint64_t> meetings;
  auto start = std::chrono::steady_clock::now();

  for (int cycle = 0; cycle < cycles && !HasFatalFailure(); ++cycle) {
    // Between crashes: a new meeting, new people when needed, everyone signed in.
    meetings.push_back(admin.CreateMeeting("安全例会 " + std::to_string(cycle)));
    std::vector<uint64_t> open(meetings.end() - std::min<size_t>(3, meetings.size()),
                               meetings.end());
    for (auto& client : clients) {
      client->Connect(server->address());
      if (client->NeedsNewPerson()) client->AddPerson(admin);
      client->SignIn();
    }
    // Load, and SIGKILL at a random moment (sometimes before the first call lands).
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& client : clients) {
      threads.emplace_back([&, c = client.get()] { c->Run(open, stop); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    EXPECT_EQ(server->Stop(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();

    // Restart on the same data directory and check everything.
    server = StartServer(data);
    ASSERT_GT(server->port(), 0) << "cycle " << cycle;
    admin.Connect(server->address());
    std::map<uint64_t, std::map<uint64_t, std::string>> texts;
    for (size_t m = meetings.size() > 4 ? meetings.size() - 4 : 0; m < meetings.size(); ++m) {
      texts[meetings[m]] = admin.CheckInTexts(meetings[m]);
    }
    for (auto& client : clients) {
      client->Connect(server->address());
      client->SignIn();
      auto violations = client->Verify(texts, /*current_only=*/true);
      if (!violations.empty()) ExpectNone(violations, cycle);
      violations = client->ResolveUnknowns();
      if (!violations.empty()) ExpectNone(violations, cycle);
    }
  }

  // Finally every write of every person and every meeting, once more.
  std::map<uint64_t, std::map<uint64_t, std::string>> texts;
  for (uint64_t m : meetings) texts[m] = admin.CheckInTexts(m);
  ClientStats total;
  for (auto& client : clients) {
    auto violations = client->Verify(texts, /*current_only=*/false);
    if (!violations.empty()) ExpectNone(violations, cycles);
    total += client->stats();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "crash test: cycles=%d seconds=%.1f acknowledged=%llu unknown=%llu (present after crash "
      "%llu, absent %llu) refused=%llu lost=%llu duplicates=%llu phantoms=%llu\n",
      cycles, seconds, static_cast<unsigned long long>(total.acknowledged),
      static_cast<unsigned long long>(total.unknown),
      static_cast<unsigned long long>(total.resolved_present),
      static_cast<unsigned long long>(total.resolved_absent),
      static_cast<unsigned long long>(total.refused), static_cast<unsigned long long>(total.lost),
      static_cast<unsigned long long>(total.duplicates),
      static_cast<unsigned long long>(total.phantoms));
  EXPECT_GT(total.acknowledged, static_cast<uint64_t>(cycles));  // the load really ran
  EXPECT_EQ(total.lost, 0u);
  EXPECT_EQ(total.duplicates, 0u);
  EXPECT_EQ(total.phantoms, 0u);
  EXPECT_EQ(total.refused, 0u);
}

}  // namespace
}  // namespace branchline::durability
