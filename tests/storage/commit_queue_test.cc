#include "storage/commit_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "storage/key_locks.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace branchline::storage {
namespace {

using branchline::testing::TempDir;

WriteSet OnePut(uint64_t i) {
  WriteSet w;
  w.Put(Cf::kMeta, RecordKey(MakeId(1, i + 1)), "v" + std::to_string(i));
  return w;
}

// What arrives while a group is being committed is committed next, as one group.
TEST(CommitQueue, SetsArrivingDuringACommitFormTheNextGroup) {
  std::promise<void> first_group_entered;
  std::promise<void> release_first_group;
  std::shared_future<void> released = release_first_group.get_future().share();
  std::vector<size_t> group_sizes;
  std::atomic<int> done{0};
  {
    CommitQueue queue([&](std::vector<CommitQueue::Entry>& group) {
      group_sizes.push_back(group.size());
      if (group_sizes.size() == 1) {
        first_group_entered.set_value();
        released.wait();
      }
      for (auto& entry : group) entry.done(absl::OkStatus());
    });
    queue.Push(OnePut(0), [&](absl::Status s) { done += s.ok(); });
    first_group_entered.get_future().wait();
    for (uint64_t i = 1; i <= 20; ++i) {
      queue.Push(OnePut(i), [&](absl::Status s) { done += s.ok(); });
    }
    release_first_group.set_value();
  }  // the destructor commits what is queued before it returns
  EXPECT_EQ(done, 21);
  EXPECT_EQ(group_sizes, (std::vector<size_t>{1, 20}));
}

TEST(StoreCommitAsync, EveryWriteIsReadableWhenItsDoneRunsAndSurvivesReopen) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("db");
  constexpr int kThreads = 4, kEach = 100;
  std::atomic<int> ok{0}, visible{0}, calls{0};
  {
    auto store = std::move(*Store::Open(options));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          uint64_t n = t * kEach + i;
          WriteSet w = OnePut(n);
          w.AddChange(1, internal::v1::ChangeRecord());
          store->CommitAsync(std::move(w), [&, n](absl::Status s) {
            ++calls;
            ok += s.ok();
            auto v = store->Get(Cf::kMeta, RecordKey(MakeId(1, n + 1)));
            visible += v.ok() && v->has_value();
          });
        }
      });
    }
    for (auto& t : threads) t.join();
  }  // closing the store commits what is still queued
  EXPECT_EQ(calls, kThreads * kEach);
  EXPECT_EQ(ok, kThreads * kEach);
  EXPECT_EQ(visible, kThreads * kEach);

  auto store = std::move(*Store::Open(options));
  for (uint64_t n = 0; n < kThreads * kEach; ++n) {
    auto v = store->Get(Cf::kMeta, RecordKey(MakeId(1, n + 1)));
    ASSERT_TRUE(v.ok() && v->has_value()) << n;
  }
  // The change log is dense: every commit got its own sequence, and all are stable.
  EXPECT_EQ(store->StableChangeSequence(), uint64_t{kThreads * kEach});
  auto last = store->Get(Cf::kChanges, ChangeKey(1, kThreads * kEach));
  EXPECT_TRUE(last.ok() && last->has_value());
}

TEST(StoreCommitAsync, AnEmptySetIsDoneAtOnceOnTheCallingThread) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("db");
  auto store = std::move(*Store::Open(options));
  std::thread::id ran_on;
  store->CommitAsync(WriteSet(), [&](absl::Status s) {
    EXPECT_TRUE(s.ok());
    ran_on = std::this_thread::get_id();
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

// An asynchronous call locks on one thread and releases after its commit on another.
TEST(KeyLocks, AGuardReleasedOnAnotherThreadLetsTheNextCallerIn) {
  KeyLocks locks;
  auto guard = std::make_unique<KeyLocks::Guard>(locks.Lock("meeting-1/person-7"));
  std::atomic<bool> second_in{false};
  std::thread second([&] {
    auto g = locks.Lock("meeting-1/person-7");
    second_in = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(second_in) << "the key is held";
  std::thread releaser([&] { guard.reset(); });
  releaser.join();
  second.join();
  EXPECT_TRUE(second_in);
}

}  // namespace
}  // namespace branchline::storage
