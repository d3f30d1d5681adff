#include "services/auth/sign_in_throttle.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/errors.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

constexpr int64_t kMinute = SignInThrottle::kMinuteMicros;
constexpr int64_t kDay = SignInThrottle::kDayMicros;

int64_t RetrySeconds(const absl::Status& status) {
  auto rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) return retry.retry_delay().seconds();
  }
  return -1;
}

// One failed attempt: reserved, checked (wrong), done. False when the throttle refused it.
bool Fail(SignInThrottle& throttle, std::string_view account, std::string_view address) {
  return throttle.Begin(account, address).ok();
}

// A successful sign-in, finished (its in-flight place freed). False when refused.
bool Succeed(SignInThrottle& throttle, std::string_view account, std::string_view address) {
  auto attempt = throttle.Begin(account, address);
  if (!attempt.ok()) return false;
  attempt->Succeeded();
  return true;
}

// A guesser who tries again the moment RetryInfo allows: the attempts reserved (checked)
// from `addresses` against `account` within `span` micros of fake time.
int GuessesWithin(FakeClock& clock, SignInThrottle& throttle, std::string_view account,
                  const std::vector<std::string>& addresses, int64_t span) {
  int checked = 0;
  const int64_t end = clock.NowMicros() + span;
  while (clock.NowMicros() < end) {
    int64_t shortest_wait = INT64_MAX;
    for (const auto& address : addresses) {
      while (true) {
        auto attempt = throttle.Begin(account, address);
        if (!attempt.ok()) {
          shortest_wait = std::min(shortest_wait, RetrySeconds(attempt.status()) * 1'000'000);
          break;
        }
        ++checked;
      }
    }
    clock.Advance(std::min(shortest_wait, end - clock.NowMicros()));
  }
  return checked;
}

TEST(SignInThrottle, AttemptsAreReservedBeforeTheyAreCheckedSoConcurrentGuessesCountAtOnce) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle::Limits limits;
  limits.account_in_flight = 0;  // only the failure limit here
  limits.address_in_flight = 0;
  SignInThrottle throttle(clock, limits);
  std::vector<SignInThrottle::Attempt> in_progress;
  for (int i = 0; i < 5; ++i) {
    auto attempt = throttle.Begin("person:7", "10.0.0.1");
    ASSERT_TRUE(attempt.ok()) << i;
    in_progress.push_back(std::move(*attempt));
  }
  // None of the five has been checked yet: the sixth is refused all the same.
  auto sixth = throttle.Begin("person:7", "10.0.0.1");
  EXPECT_EQ(sixth.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetrySeconds(sixth.status()), 15 * 60);
  // The fifth was the right password: the back-off ends for this address.
  in_progress[4].Succeeded();
  in_progress.clear();
  EXPECT_TRUE(throttle.Begin("person:7", "10.0.0.1").ok());
}

TEST(SignInThrottle, AttemptsBeyondTheInFlightBoundAreRefusedAtOnceAndCountNothing) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);  // 1 per account, 1 per address
  auto a = throttle.Begin("person:7", "10.0.0.1");
  ASSERT_TRUE(a.ok());
  auto busy_account = throttle.Begin("person:7", "10.0.0.3");
  EXPECT_EQ(busy_account.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetrySeconds(busy_account.status()), 1);
  auto busy_address = throttle.Begin("person:9", "10.0.0.1");
  EXPECT_EQ(busy_address.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetrySeconds(busy_address.status()), 1);
  EXPECT_TRUE(throttle.Begin("person:9", "10.0.0.2").ok());  // neither busy
  a = absl::UnavailableError("released");  // destroying an attempt frees its places
  EXPECT_TRUE(throttle.Begin("person:9", "10.0.0.1").ok());
  // The refused attempt from 10.0.0.3 counted no failure: that address still has all five.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Fail(throttle, "person:7", "10.0.0.3")) << i;
  EXPECT_FALSE(Fail(throttle, "person:7", "10.0.0.3"));
}

TEST(SignInThrottle, AStrangerBlocksOnlyHisOwnAddressWithADoublingBackOff) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Fail(throttle, "person:7", "203.0.113.9")) << i;
  auto held = throttle.Begin("person:7", "203.0.113.9");
  EXPECT_EQ(RetrySeconds(held.status()), 15 * 60);
  // The owner, from anywhere else, is not held back.
  ASSERT_TRUE(Succeed(throttle, "person:7", "198.51.100.7"));
  clock.Advance(15 * kMinute);
  ASSERT_TRUE(Fail(throttle, "person:7", "203.0.113.9"));  // the 6th: 30 min
  EXPECT_EQ(RetrySeconds(throttle.Begin("person:7", "203.0.113.9").status()), 30 * 60);
  clock.Advance(30 * kMinute);
  ASSERT_TRUE(Fail(throttle, "person:7", "203.0.113.9"));  // the 7th: 1 h
  EXPECT_EQ(RetrySeconds(throttle.Begin("person:7", "203.0.113.9").status()), 60 * 60);
}

TEST(SignInThrottle, OneAddressGetsElevenGuessesOnTheFirstDayThenOneADay) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  EXPECT_EQ(GuessesWithin(clock, throttle, "person:7", {"203.0.113.9"}, kDay), 11);
  // Retrying at once after each block: the block is capped at a day, so one a day after that.
  EXPECT_LE(GuessesWithin(clock, throttle, "person:7", {"203.0.113.9"}, 3 * kDay), 3);
}

TEST(SignInThrottle, TheBackOffIsForgottenOnlyAfterAQuietDayOnceTheBlockEnds) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  ASSERT_EQ(GuessesWithin(clock, throttle, "person:7", {"203.0.113.9"}, kDay), 11);
  // The 11th (at 15 h 45 min) blocked for 16 h: until 31 h 45 min from the start, now 24 h.
  auto held = throttle.Begin("person:7", "203.0.113.9");
  EXPECT_EQ(RetrySeconds(held.status()), (7 * 60 + 45) * 60);
  // Not forgotten 23 h after the block ends: the 12th blocks for the full day.
  clock.Advance((7 * 60 + 45) * kMinute + 23 * 60 * kMinute);
  ASSERT_TRUE(Fail(throttle, "person:7", "203.0.113.9"));
  EXPECT_EQ(RetrySeconds(throttle.Begin("person:7", "203.0.113.9").status()), 24 * 60 * 60);
  // A quiet day after that block ends: five free again.
  clock.Advance(2 * kDay);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Fail(throttle, "person:7", "203.0.113.9")) << i;
  EXPECT_FALSE(Fail(throttle, "person:7", "203.0.113.9"));
}

TEST(SignInThrottle, StrangersInFlightDoNotHoldBackTheOwnersKnownAddress) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  ASSERT_TRUE(Succeed(throttle, "person:7", "198.51.100.7"));
  auto stranger = throttle.Begin("person:7", "10.0.0.1");
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(throttle.Begin("person:7", "10.0.0.2").ok());  // another stranger: busy
  auto owner = throttle.Begin("person:7", "198.51.100.7");
  EXPECT_TRUE(owner.ok()) << owner.status();
}

TEST(SignInThrottle, ManyAddressesTogetherGetTheAccountCeilingAndTheOwnerKeepsSigningIn) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  // The owner has signed in from home before: a known address.
  ASSERT_TRUE(Succeed(throttle, "person:7", "198.51.100.7"));
  std::vector<std::string> botnet;
  for (int i = 0; i < 1000; ++i)
    botnet.push_back("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  // 1000 addresses, each retrying as soon as allowed, for a day: the ceiling, 30.
  int64_t day_start = clock.NowMicros();
  EXPECT_EQ(GuessesWithin(clock, throttle, "person:7", botnet, kDay / 2), 30);
  // Under attack, the owner from home: not held back, even by the ceiling.
  ASSERT_TRUE(Succeed(throttle, "person:7", "198.51.100.7"));
  // A new address of the owner's is held back until the attackers' day ends.
  auto elsewhere = throttle.Begin("person:7", "192.0.2.44");
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_LE(RetrySeconds(elsewhere.status()), (day_start + kDay - clock.NowMicros()) / 1'000'000);
  // Other accounts are untouched.
  EXPECT_TRUE(throttle.Begin("person:8", "10.1.0.1").ok());
}

TEST(SignInThrottle, OneAddressSprayingManyAccountsIsHeldBackAfterFifty) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(Fail(throttle, "person:" + std::to_string(i), "10.0.0.9"));
  auto held = throttle.Begin("person:99", "10.0.0.9");
  EXPECT_EQ(held.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetrySeconds(held.status()), 15 * 60);
  EXPECT_TRUE(throttle.Begin("person:99", "10.0.0.8").ok());
  clock.Advance(15 * kMinute);
  EXPECT_TRUE(throttle.Begin("person:99", "10.0.0.9").ok());
}

TEST(SignInThrottle, AServiceKeyIdHasNoCeilingAStrangerCouldUseToLockItsIntegrationOut) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock, SignInThrottle::ServiceKeyLimits());
  for (int i = 0; i < 300; ++i) {
    std::string address = "10.2.0." + std::to_string(i);
    for (int j = 0; j < 5; ++j) ASSERT_TRUE(Fail(throttle, "key:5", address));
    EXPECT_FALSE(Fail(throttle, "key:5", address));
  }
  ASSERT_TRUE(Succeed(throttle, "key:5", "192.0.2.1"));
  EXPECT_TRUE(throttle.Begin("key:6", "10.2.0.1").ok());  // another key, same noisy address
}

TEST(SignInThrottle, MemoryStaysBoundedUnderAFloodOfDistinctPairs) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  for (int i = 0; i < 200'000; ++i) {
    (void)throttle.Begin("login:" + std::to_string(i), "10.3." + std::to_string(i % 50'000));
  }
  // Counters for pairs, accounts and addresses, each bounded together.
  EXPECT_LE(throttle.EntriesForTesting(), SignInThrottle::kMaxEntries);
}

TEST(SignInThrottleThroughTheServer, WrongPasswordsLeadToResourceExhaustedWithRetryInfo) {
  testing::TestServer server;
  auto admin = server.AdminToken();
  auto branch = server.CreateOrg(admin, server.RootOrgId(), "收费站党支部");
  server.CreatePerson(admin, branch.id(), "陈收费员", "T9");
  auto sign_in = [&](const std::string& password) {
    v1::SignInRequest r;
    r.set_login("T9");
    r.set_password(password);
    v1::SignInResponse out;
    grpc::ClientContext ctx;
    return server.auth().SignIn(&ctx, r, &out);
  };
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(sign_in("guess-" + std::to_string(i)).error_code(), grpc::UNAUTHENTICATED);
  auto held = sign_in(testing::kPassword);  // even the right password waits, from this address
  EXPECT_EQ(held.error_code(), grpc::RESOURCE_EXHAUSTED);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(held.error_details()));
  // RetryInfo, with the reason (ErrorInfo) and the message to show (LocalizedMessage).
  google::rpc::RetryInfo retry;
  google::rpc::ErrorInfo info;
  bool has_retry = false;
  for (const auto& detail : rpc.details()) {
    if (detail.Is<google::rpc::RetryInfo>()) has_retry = detail.UnpackTo(&retry);
    if (detail.Is<google::rpc::ErrorInfo>()) {
      ASSERT_TRUE(detail.UnpackTo(&info));
    }
  }
  ASSERT_TRUE(has_retry);
  EXPECT_GT(retry.retry_delay().seconds(), 0);
  EXPECT_EQ(info.reason(), "SIGN_IN_THROTTLED");
  EXPECT_EQ(info.metadata().at("retry_after_s"), std::to_string(retry.retry_delay().seconds()));
  server.SignIn("admin", testing::kAdminPassword);  // other accounts from the same address sign in
}

}  // namespace
}  // namespace branchline
