// A cancelled call stops its work: walks over a subtree's people (rosters, reports) check
// CallCancelled() and end with CANCELLED. The people are created through the server; the walk
// then runs over the same database with a probe that cancels partway.
#include "services/common/call_cancellation.h"

#include <gtest/gtest.h>

#include "services/auth/access.h"
#include "services/auth/password_hasher.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

TEST(CallCancellation, OutsideACallNothingIsCancelled) { EXPECT_FALSE(CallCancelled()); }

TEST(CallCancellation, ScopesNestAndRestore) {
  {
    CallCancellationScope outer([] { return true; });
    EXPECT_TRUE(CallCancelled());
    {
      CallCancellationScope inner([] { return false; });
      EXPECT_FALSE(CallCancelled());
    }
    EXPECT_TRUE(CallCancelled());
  }
  EXPECT_FALSE(CallCancelled());
}

// One checkpoint per step of a long loop; gRPC is asked every kCancellationStride-th step
// (never by a call shorter than that), and nested scopes keep their own counts.
TEST(CallCancellation, CheckpointsAskOncePerStride) {
  int asks = 0;
  CallCancellationScope scope([&asks] {
    ++asks;
    return false;
  });
  for (uint32_t i = 0; i < 4 * kCancellationStride; ++i) {
    ASSERT_TRUE(CancellationCheckpoint().ok());
  }
  EXPECT_EQ(asks, 4);
  EXPECT_EQ(CancellationSteps(), 4u * kCancellationStride);
  {
    CallCancellationScope inner([] { return true; });
    EXPECT_EQ(CancellationSteps(), 0u);
    for (uint32_t i = 1; i < kCancellationStride; ++i) {
      ASSERT_TRUE(CancellationCheckpoint().ok()) << "asked before a whole stride, at step " << i;
    }
    EXPECT_EQ(CancellationCheckpoint().code(), absl::StatusCode::kCancelled);
  }
  EXPECT_EQ(CancellationSteps(), 4u * kCancellationStride) << "the outer count is restored";
}

TEST(CallCancellation, APastDeadlineIsDeadlineExceededAnAbandonedCallIsCancelled) {
  {
    CallCancellationScope expired([] { return true; },
                                  std::chrono::system_clock::now() - std::chrono::milliseconds(1));
    absl::Status status;
    while (status.ok() && CancellationSteps() < kCancellationStride) {
      status = CancellationCheckpoint();
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  }
  {
    CallCancellationScope abandoned([] { return true; },
                                    std::chrono::system_clock::now() + std::chrono::hours(1));
    absl::Status status;
    while (status.ok() && CancellationSteps() < kCancellationStride) {
      status = CancellationCheckpoint();
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  }
  EXPECT_TRUE(CancellationCheckpoint().ok()) << "outside a call nothing is cancelled";
}

TEST(CallCancellation, ASubtreeWalkStopsWhenItsCallIsCancelled) {
  testing::TestServer server;
  const std::string admin = server.AdminToken();
  const uint64_t branch = server.CreateOrg(admin, server.RootOrgId(), "大支部").id();
  const uint64_t group = server.CreateOrg(admin, branch, "小组", v1::ORGANIZATION_KIND_GROUP).id();
  // Cancellation is asked every kCancellationStride people: enough people for two asks.
  const int people_count = kCancellationStride + 30;
  for (int i = 0; i < people_count; ++i) {
    server.CreatePerson(admin, i % 2 ? branch : group, "成员", "m" + std::to_string(i));
  }
  server.Stop();

  auto store = storage::Store::Open(server.StoredDataOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  Access access(**store);
  PasswordHasher hasher(PasswordHasher::Strength::kFastForTests);
  SystemClock clock;
  PeopleDirectory people(**store, access, hasher, clock);

  int visited = 0;
  auto count = [&](const v1::Person&) {
    ++visited;
    return true;
  };
  ASSERT_TRUE(people.ForEachInSubtree(branch, count).ok());
  EXPECT_EQ(visited, people_count);

  visited = 0;
  CallCancellationScope cancelled_after_ten([&] { return visited >= 10; });
  absl::Status status = people.ForEachInSubtree(branch, count);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  // The stride-th step asks before its person is visited.
  EXPECT_EQ(visited, static_cast<int>(kCancellationStride) - 1)
      << "the walk went on after its call was cancelled (it is asked every stride people)";
}

}  // namespace
}  // namespace branchline
