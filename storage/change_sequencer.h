#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

namespace branchline::storage {

// Hands out change-log sequence numbers to concurrent commits and tells readers up to which
// number every commit has finished.
//
// Writers share WAL syncs, so commits finish out of order: a reader that followed the
// newest sequence could skip one that was still in flight and never see it. Readers
// therefore stop at Stable(): every sequence at or below it is committed (or failed and is
// a permanent hole). Thread-safe.
class ChangeSequencer {
 public:
  // `last` is the highest sequence already on disk.
  explicit ChangeSequencer(uint64_t last) : next_(last + 1) {}

  // Reserves `count` consecutive sequences (count > 0) and returns the first.
  uint64_t Begin(uint64_t count);
  // Marks the reservation starting at `first` finished, committed or not.
  void End(uint64_t first);
  // For an engine that orders the change log itself (PostgreSQL, by transaction id) instead
  // of Begin/End: every sequence at or below `stable` is committed. Raises Stable() to it
  // (never lowers it) and wakes WaitPast.
  void Publish(uint64_t stable);
  // Highest sequence s such that no reservation at or below s is in flight.
  uint64_t Stable() const;
  // Blocks until Stable() > `after` or the deadline passes; returns Stable().
  uint64_t WaitPast(uint64_t after, std::chrono::steady_clock::time_point deadline) const;
  // Ends every WaitPast in progress now, as if its deadline had passed: a reader that is
  // stopping does not sleep out its deadline (a server's stop waited up to a second for it).
  void Interrupt() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable advanced_;
  mutable uint64_t interrupts_ = 0;
  uint64_t next_;
  std::set<uint64_t> in_flight_;
};

}  // namespace branchline::storage
