#include "storage/record_cache.h"

#include <functional>

namespace branchline::storage {

RecordCache::RecordCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

std::string RecordCache::CacheKey(Cf cf, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(static_cast<char>(cf));
  k.append(key);
  return k;
}

size_t RecordCache::ShardOf(std::string_view cache_key) {
  return std::hash<std::string_view>()(cache_key) % kShards;
}

void RecordCache::Keep(Cf cf, std::string_view key, Entry entry, const Ticket& ticket) {
  std::string k = CacheKey(cf, key);
  Shard& shard = shards_[ticket.shard];
  std::lock_guard lock(shard.mu);
  if (shard.invalidations != ticket.invalidations) return;
  const size_t charge = Charge(k, entry);
  if (charge > shard_capacity_) return;
  while (shard.bytes + charge > shard_capacity_ && !shard.values.empty()) {
    auto victim = shard.values.begin();
    shard.bytes -= Charge(victim->first, victim->second);
    shard.values.erase(victim);
  }
  auto [it, inserted] = shard.values.try_emplace(std::move(k), std::move(entry));
  if (inserted) shard.bytes += charge;
}

void RecordCache::Invalidate(Cf cf, std::string_view key) {
  const std::string k = CacheKey(cf, key);
  Shard& shard = shards_[ShardOf(k)];
  std::lock_guard lock(shard.mu);
  ++shard.invalidations;
  auto it = shard.values.find(k);
  if (it == shard.values.end()) return;
  shard.bytes -= Charge(it->first, it->second);
  shard.values.erase(it);
}

size_t RecordCache::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace branchline::storage
