#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace branchline::storage {

// Stripe locks shared with the other processes on one database (PostgreSQL advisory locks,
// postgres_engine.cc): two servers then serialise on a stripe as two threads of one do.
class SharedStripeLocks {
 public:
  virtual ~SharedStripeLocks() = default;
  // Takes `stripes` (ascending) of lock space `space` in a database transaction: the one
  // `with` holds when given, so a caller already holding locks never waits for a second
  // connection (a pool of holders each waiting for another connection would deadlock). The
  // locks are held until the last handle of that transaction is destroyed. An error when the
  // database cannot be reached or the wait timed out.
  virtual absl::StatusOr<std::shared_ptr<void>> Lock(uint32_t space,
                                                     const std::vector<uint32_t>& stripes,
                                                     const std::shared_ptr<void>& with) = 0;
};

// Striped locks that serialise read-modify-write paths on the same logical keys.
//
// On a database several servers share, every stripe is also taken there (ShareWith), before
// this process's own: the database orders every server's callers, and a caller waiting for a
// database connection holds nothing in-process that a connection holder could wait for.
//
// A caller locks every key it will read and then write, in one Lock() call; stripes are
// taken in ascending order, so two callers can never deadlock on one KeyLocks. A caller that
// needs two KeyLocks instances must always take them in the same order (the store takes
// request locks before record locks). Thread-safe.
//
// A Guard may be released on another thread than the one that locked: an asynchronous call
// locks on the thread that prepares its writes and releases after its group commit, on the
// committer's thread (Store::CommitAsync). std::mutex forbids that, so a stripe is a futex
// word of its own.
class KeyLocks {
 public:
  // Many stripes, because an asynchronous call holds its stripes across a WAL sync: a new
  // call that hashes onto one of them waits that long (at 64 calls in flight, holding two
  // stripes each, about 1 call in 130 here).
  static constexpr size_t kStripes = 16384;

  // Holds the stripes until destroyed.
  class [[nodiscard]] Guard {
   public:
    Guard() = default;
    Guard(Guard&&) = default;
    Guard& operator=(Guard&&) = default;
    ~Guard();

    // Not OK when the shared part could not be taken: the holder must not commit (the writes
    // would not be serialised with other servers'). Always OK without ShareWith.
    const absl::Status& status() const { return status_; }

   private:
    friend class KeyLocks;
    KeyLocks* owner_ = nullptr;
    std::vector<uint32_t> held_;  // ascending
    std::shared_ptr<void> shared_;
    absl::Status status_;
  };

  // Also takes every stripe in `shared`'s lock space `space` from now on. Call before use.
  void ShareWith(SharedStripeLocks* shared, uint32_t space) {
    shared_ = shared;
    space_ = space;
  }

  // With `with`, the shared part joins the database transaction of that guard (see
  // SharedStripeLocks::Lock): pass a guard the caller already holds.
  Guard Lock(const std::vector<std::string_view>& keys, const Guard* with = nullptr);
  Guard Lock(std::string_view key) { return Lock(std::vector<std::string_view>{key}); }

 private:
  // 0: free; 1: held; 2: held and someone may be waiting (so unlocking must wake them).
  void Acquire(uint32_t stripe);
  void Release(uint32_t stripe);

  std::array<std::atomic<uint32_t>, kStripes> stripes_{};
  SharedStripeLocks* shared_ = nullptr;
  uint32_t space_ = 0;
};

}  // namespace branchline::storage
