#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/column_families.h"

namespace branchline::storage {

// Values of the records every call reads (sessions and people for authentication, meetings
// and organisations for the audience check, the materials, plans and settings a study record
// is checked against), kept in memory so the hot path does not go to the engine for them
// (issue #23: six point reads were 18 % of a check-in).
//
// Coherent with the store's own commits: Store::Commit and the committer invalidate every key
// a committed set wrote before the commit is acknowledged, so a sign-out, a deactivation, a
// role change or a meeting edit takes effect on the very next call, on any connection. Only a
// store that is its database's sole writer may use one: RocksDB, which one process opens at a
// time. On PostgreSQL other servers write too, and the store reads through (docs/cluster.md).
//
// A fill races an invalidation like this: the reader takes a ticket, reads the engine, and
// offers the value with its ticket; a shard that invalidated anything in between refuses it.
// So a value read before a commit became visible is never kept after the commit's
// invalidation. Bounded by bytes (keys, values and a per-entry overhead); past the bound a
// shard drops arbitrary entries. A key known to be absent is kept only where the store looked
// it up along an organisation's chain (FillAbsent: settings an organisation inherits, whose
// keys come from stored records); absent keys named by requests are not, so a caller cannot
// fill the cache with them. Thread-safe.
class RecordCache {
 public:
  // The column families whose records are cached.
  static bool Caches(Cf cf) {
    return cf == Cf::kSessions || cf == Cf::kPeople || cf == Cf::kMeetings ||
           cf == Cf::kOrganizations || cf == Cf::kMaterials || cf == Cf::kStudyPlans;
  }

  explicit RecordCache(size_t capacity_bytes);
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // What a miss hands back, to be offered to Fill with the value read from the engine.
  struct Ticket {
    size_t shard;
    uint64_t invalidations;
  };
  // Runs `use` on the cached entry and returns true, or returns false with a ticket. `use`
  // gets the value, or nullptr for a key known to be absent (FillAbsent).
  template <typename Use>
  bool Find(Cf cf, std::string_view key, Use&& use, Ticket& ticket) {
    const std::string k = CacheKey(cf, key);
    Shard& shard = shards_[ShardOf(k)];
    std::lock_guard lock(shard.mu);
    auto it = shard.values.find(k);
    if (it == shard.values.end()) {
      ticket = {ShardOf(k), shard.invalidations};
      misses_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    use(it->second ? &*it->second : nullptr);
    return true;
  }
  // Keeps `value` unless the ticket's shard invalidated something since the ticket.
  void Fill(Cf cf, std::string_view key, std::string_view value, const Ticket& ticket) {
    Keep(cf, key, std::string(value), ticket);
  }
  // Keeps that `key` has no value, on the same condition.
  void FillAbsent(Cf cf, std::string_view key, const Ticket& ticket) {
    Keep(cf, key, std::nullopt, ticket);
  }
  // Drops `key`; call after a commit that wrote or deleted it became visible.
  void Invalidate(Cf cf, std::string_view key);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 16;
  // Charged per entry on top of its key and value: the node, the bucket and the strings.
  static constexpr size_t kEntryOverhead = 96;
  using Entry = std::optional<std::string>;  // nullopt: known to be absent
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> values;
    size_t bytes = 0;
    uint64_t invalidations = 0;
  };

  static std::string CacheKey(Cf cf, std::string_view key);
  static size_t ShardOf(std::string_view cache_key);
  static size_t Charge(const std::string& key, const Entry& entry) {
    return key.size() + (entry ? entry->size() : 0) + kEntryOverhead;
  }
  void Keep(Cf cf, std::string_view key, Entry entry, const Ticket& ticket);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace branchline::storage
