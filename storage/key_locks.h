#pragma once

#include <array>
#include <mutex>
#include <string_view>
#include <vector>

namespace branchline::storage {

// Striped mutexes that serialise read-modify-write paths on the same logical keys.
//
// A caller locks every key it will read and then write, in one Lock() call; stripes are
// taken in ascending order, so two callers can never deadlock on one KeyLocks. A caller that
// needs two KeyLocks instances must always take them in the same order (the store takes
// request locks before record locks). Thread-safe.
class KeyLocks {
 public:
  static constexpr size_t kStripes = 4096;

  // Holds the stripes until destroyed.
  class [[nodiscard]] Guard {
   public:
    Guard() = default;
    Guard(Guard&&) = default;
    Guard& operator=(Guard&&) = default;
    ~Guard();

   private:
    friend class KeyLocks;
    std::vector<std::mutex*> held_;
  };

  Guard Lock(const std::vector<std::string_view>& keys);
  Guard Lock(std::string_view key) { return Lock(std::vector<std::string_view>{key}); }

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace branchline::storage
