// The change sequencer's reading rule (Stable stops below a commit still in flight) and its
// waits: a reader wakes when a commit finishes, at its deadline, or when interrupted.
#include "storage/change_sequencer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace branchline::storage {
namespace {

using Clock = std::chrono::steady_clock;

TEST(ChangeSequencerTest, StableStopsBelowTheFirstCommitInFlight) {
  ChangeSequencer sequencer(10);
  EXPECT_EQ(sequencer.Stable(), 10u);
  const uint64_t a = sequencer.Begin(2);  // 11, 12
  const uint64_t b = sequencer.Begin(1);  // 13
  EXPECT_EQ(a, 11u);
  EXPECT_EQ(b, 13u);
  sequencer.End(b);  // finished first: still behind a
  EXPECT_EQ(sequencer.Stable(), 10u);
  sequencer.End(a);
  EXPECT_EQ(sequencer.Stable(), 13u);
}

TEST(ChangeSequencerTest, AWaitEndsWhenACommitFinishesOrAtItsDeadline) {
  ChangeSequencer sequencer(0);
  const uint64_t first = sequencer.Begin(1);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sequencer.End(first);
  });
  const auto start = Clock::now();
  EXPECT_EQ(sequencer.WaitPast(0, start + std::chrono::seconds(30)), 1u);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  writer.join();
  // Nothing more: the deadline ends it.
  EXPECT_EQ(sequencer.WaitPast(1, Clock::now() + std::chrono::milliseconds(30)), 1u);
}

TEST(ChangeSequencerTest, InterruptEndsAWaitAtOnce) {
  ChangeSequencer sequencer(5);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sequencer.Interrupt();
  });
  const auto start = Clock::now();
  EXPECT_EQ(sequencer.WaitPast(5, start + std::chrono::seconds(30)), 5u);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  stopper.join();
}

}  // namespace
}  // namespace branchline::storage
