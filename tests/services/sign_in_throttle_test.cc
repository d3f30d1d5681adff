#include "services/auth/sign_in_throttle.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/errors.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

constexpr int64_t kMinute = 60'000'000;

int64_t RetrySeconds(const absl::Status& status) {
  auto rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) return retry.retry_delay().seconds();
  }
  return -1;
}

TEST(SignInThrottle, HoldsAnAccountBackAfterTooManyFailuresUntilTheWindowEnds) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(throttle.Check("1:D100", "ipv4:10.0.0.1").ok()) << i;
    throttle.RecordFailure("1:D100", "ipv4:10.0.0.1");
  }
  auto held = throttle.Check("1:D100", "ipv4:10.0.0.2");  // another address: still the account
  EXPECT_EQ(held.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetrySeconds(held), 15 * 60);
  EXPECT_TRUE(throttle.Check("1:D200", "ipv4:10.0.0.1").ok());  // other accounts are fine
  clock.Advance(10 * kMinute);
  EXPECT_EQ(RetrySeconds(throttle.Check("1:D100", "")), 5 * 60);
  clock.Advance(5 * kMinute);
  EXPECT_TRUE(throttle.Check("1:D100", "ipv4:10.0.0.1").ok());
}

TEST(SignInThrottle, SuccessClearsTheAccountAndAddressesHaveTheirOwnLimit) {
  FakeClock clock(1'000 * kMinute);
  SignInThrottle throttle(clock, {/*account_failures=*/3, /*address_failures=*/4, 10 * kMinute});
  throttle.RecordFailure("1:a", "ipv4:10.0.0.9");
  throttle.RecordFailure("1:a", "ipv4:10.0.0.9");
  throttle.RecordSuccess("1:a");
  throttle.RecordFailure("1:a", "ipv4:10.0.0.9");
  EXPECT_TRUE(throttle.Check("1:a", "").ok());     // the success reset the account's count
  throttle.RecordFailure("1:b", "ipv4:10.0.0.9");  // 4th failure from the address
  auto held = throttle.Check("1:c", "ipv4:10.0.0.9");
  EXPECT_EQ(held.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(throttle.Check("1:c", "ipv4:10.0.0.8").ok());
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
  auto held = sign_in(testing::kPassword);  // even the right password waits
  EXPECT_EQ(held.error_code(), grpc::RESOURCE_EXHAUSTED);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(held.error_details()));
  google::rpc::RetryInfo retry;
  ASSERT_EQ(rpc.details_size(), 1);
  ASSERT_TRUE(rpc.details(0).UnpackTo(&retry));
  EXPECT_GT(retry.retry_delay().seconds(), 0);
  server.SignIn("admin", testing::kAdminPassword);  // other accounts from the same address sign in
}

}  // namespace
}  // namespace branchline
