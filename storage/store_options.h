#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rocksdb {
class Env;
}

namespace branchline::storage {

struct StoreOptions {
  // Directory of the RocksDB database; created when missing. Ignored when `postgres` is set.
  std::string path;
  // A libpq connection string (postgresql://… URI or key=value words): when set, the store
  // keeps its data in that PostgreSQL database instead of RocksDB (docs/cluster.md). List
  // every host of a Patroni cluster with target_session_attrs=read-write, so that libpq
  // finds the new primary after a failover by itself.
  std::string postgres;
  // Most connections the PostgreSQL backend opens (each concurrent Commit, Get or Scan holds
  // one while it runs; further callers wait for a free one).
  int postgres_connections = 16;
  // Sync the WAL before a commit returns (the default). Turning it off loses the last
  // acknowledged writes on a power cut; only benchmarks and bulk loads should do it.
  // (PostgreSQL: synchronous_commit is the server's, and Patroni's strict synchronous mode.)
  bool sync_writes = true;
  // Memtable size per column family; tests set it tiny so flushes really happen.
  size_t write_buffer_size = 16 << 20;
  // All memtables together: past it the largest is flushed. Charged to the block cache.
  size_t memtable_budget_bytes = 64 << 20;
  // The one cache of every column family's data, index and filter blocks, and of the memtable
  // budget: RocksDB's memory stays near this however large the database grows.
  size_t block_cache_bytes = 128 << 20;
  // The in-memory cache of the records most calls read (record_cache.h),
  // bounded by bytes; 0 turns it off. RocksDB only: on PostgreSQL other servers write too.
  // 16 MiB holds about 45,000 records (a 10,000-person fleet's sessions and people take 8)
  // and keeps the server within its 300 MiB at 10 million records (259-273 MiB without it).
  size_t record_cache_bytes = 16 << 20;
  // Test-only: the RocksDB Env to open with (nullptr: the default). Lets crash tests inject
  // a file system that simulates lost fsyncs (storage/testing/lost_fsync_fs.h).
  rocksdb::Env* env = nullptr;
};

// Engine figures for monitoring (the server maps them to metrics; storage knows no metrics
// library). Counters only grow while the process lives; the rest are current values. Each
// engine fills its own part and leaves the other's 0.
struct StoreStats {
  // RocksDB:
  bool write_stopped = false;          // writes are stopped by too many memtables or L0 files
  uint64_t delayed_write_rate = 0;     // bytes/s writes are slowed to; 0 when not slowed
  uint64_t stall_micros_total = 0;     // time writers spent stalled
  uint64_t wal_syncs_total = 0;        // WAL fsyncs (group commit: fewer than commits)
  uint64_t wal_sync_micros_total = 0;  // time spent in them
  uint64_t wal_bytes_total = 0;        // bytes written to the WAL
  uint64_t compaction_pending = 0;     // 1 when at least one compaction is needed
  uint64_t compactions_running = 0;
  uint64_t flushes_running = 0;
  uint64_t live_sst_bytes = 0;             // all column families
  uint64_t memtable_bytes = 0;             // all column families, active and immutable
  uint64_t table_readers_bytes = 0;        // held by open SST files outside the block cache
  uint64_t block_cache_bytes = 0;          // the block cache: blocks and the memtable budget
  uint64_t record_cache_hits_total = 0;    // reads the record cache answered (record_cache.h)
  uint64_t record_cache_misses_total = 0;  // reads of cached kinds it sent to the engine
  uint64_t record_cache_bytes = 0;         // what it holds, as charged against its bound

  // PostgreSQL, this server's side:
  uint64_t postgres_connections_open = 0;  // reads and commits, record locks, long scans
  uint64_t postgres_connections_busy = 0;  // of them, in use now
  uint64_t postgres_commits_in_flight = 0;
  double postgres_oldest_commit_seconds = 0;  // how long the oldest of them has run
  // PostgreSQL, read from the database when asked (one statement; false when it failed, and
  // then the figures below are 0):
  bool postgres_up = false;
  uint64_t postgres_transactions_committed_total = 0;  // this database's, all servers'
  uint64_t postgres_transactions_rolled_back_total = 0;
  uint64_t postgres_deadlocks_total = 0;
  uint64_t postgres_database_bytes = 0;
  // -1 when the server's role may not see replication (it needs pg_read_all_stats).
  int64_t postgres_synchronous_standbys = -1;
  int64_t postgres_replication_lag_bytes = -1;  // the standby furthest behind in replay
};

// Visitor for Scan: return false to stop early. The views are valid only during the call.
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

}  // namespace branchline::storage
