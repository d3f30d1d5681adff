// Retries after a lost answer: clients write through a proxy that cuts the connection after
// forwarding a request and before the answer gets back (tests/support/lossy_proxy.h), and
// retry with the same request_id until they get an answer. At the end every write is on the
// server exactly once: 0 lost, 0 duplicates, nothing that no client sent.
//
// BRANCHLINE_RETRY_ACTIONS sets the number of actions (default 1,500; scripts/retry_test.sh
// runs any number), BRANCHLINE_RETRY_SEED the seed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "tests/durability/workload.h"
#include "tests/support/lossy_proxy.h"
#include "tests/support/test_server.h"

namespace branchline::durability {
namespace {

constexpr int kClients = 4;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

TEST(RetryProxyTest, RetriesAfterLostAnswersWriteExactlyOnce) {
  const int actions = EnvInt("BRANCHLINE_RETRY_ACTIONS", 1500);
  const uint64_t seed = EnvInt("BRANCHLINE_RETRY_SEED", std::random_device()() % 1'000'000);
  std::printf("retry test: %d actions, seed %llu\n", actions,
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  testing::TestServer server;
  testing::LossyProxy proxy(server.address(), /*cut_probability=*/0.2, rng());
  Admin admin(testing::kAdminPassword);
  admin.Connect(server.address());  // set-up goes around the proxy
  admin.CreateWorld();
  std::vector<uint64_t> meetings;
  for (int m = 0; m < 10; ++m)
    meetings.push_back(admin.CreateMeeting("班前会 " + std::to_string(m)));

  std::vector<std::unique_ptr<OracleClient>> clients;
  std::mutex admin_mu;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<OracleClient>(i, rng()));
    clients.back()->Connect(proxy.address());
    clients.back()->AddPerson(admin);
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, c = clients[i].get(), i] {
      for (int n = i; n < actions; n += kClients) {
        if (c->NeedsNewPerson()) {
          std::lock_guard lock(admin_mu);
          c->AddPerson(admin);
        }
        c->WriteWithRetries(meetings, /*deadline_ms=*/5000, /*max_tries=*/50);
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<uint64_t, std::map<uint64_t, std::string>> texts;
  for (uint64_t m : meetings) texts[m] = admin.CheckInTexts(m);
  ClientStats total;
  for (auto& client : clients) {
    client->Connect(server.address());
    auto violations = client->Verify(texts, /*current_only=*/false);
    EXPECT_TRUE(violations.empty())
        << violations.size()
        << " violations, first: " << (violations.empty() ? "" : violations.front());
    total += client->stats();
  }
  std::printf(
      "retry test: actions=%d seconds=%.1f requests=%llu cut=%llu acknowledged=%llu "
      "unknown_attempts_retried=%llu refused=%llu lost=%llu duplicates=%llu phantoms=%llu\n",
      actions, seconds, static_cast<unsigned long long>(proxy.requests()),
      static_cast<unsigned long long>(proxy.cuts()),
      static_cast<unsigned long long>(total.acknowledged),
      static_cast<unsigned long long>(total.unknown),
      static_cast<unsigned long long>(total.refused), static_cast<unsigned long long>(total.lost),
      static_cast<unsigned long long>(total.duplicates),
      static_cast<unsigned long long>(total.phantoms));
  EXPECT_EQ(total.acknowledged, static_cast<uint64_t>(actions));
  EXPECT_GT(proxy.cuts(), static_cast<uint64_t>(actions / 20));  // answers really got lost
  EXPECT_EQ(total.lost, 0u);
  EXPECT_EQ(total.duplicates, 0u);
  EXPECT_EQ(total.phantoms, 0u);
  EXPECT_EQ(total.refused, 0u);
}

}  // namespace
}  // namespace branchline::durability
