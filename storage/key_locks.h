#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

namespace branchline::storage {

// Striped locks that serialise read-modify-write paths on the same logical keys.
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

   private:
    friend class KeyLocks;
    KeyLocks* owner_ = nullptr;
    std::vector<uint32_t> held_;  // ascending
  };

  Guard Lock(const std::vector<std::string_view>& keys);
  Guard Lock(std::string_view key) { return Lock(std::vector<std::string_view>{key}); }

 private:
  // 0: free; 1: held; 2: held and someone may be waiting (so unlocking must wake them).
  void Acquire(uint32_t stripe);
  void Release(uint32_t stripe);

  std::array<std::atomic<uint32_t>, kStripes> stripes_{};
};

}  // namespace branchline::storage
