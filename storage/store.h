#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "branchline/internal/v1/records.pb.h"
#include "storage/backup.h"
#include "storage/change_sequencer.h"
#include "storage/column_families.h"
#include "storage/commit_queue.h"
#include "storage/key_locks.h"
#include "storage/write_set.h"

namespace google::protobuf {
class MessageLite;
}
namespace rocksdb {
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace branchline::storage {

// The schema version this build writes. Opening a database with a newer version fails.
inline constexpr uint32_t kSchemaVersion = 1;

struct StoreOptions {
  // Directory of the RocksDB database; created when missing.
  std::string path;
  // Sync the WAL before a commit returns (the default). Turning it off loses the last
  // acknowledged writes on a power cut; only benchmarks and bulk loads should do it.
  bool sync_writes = true;
  // Memtable size per column family; tests set it tiny so flushes really happen.
  size_t write_buffer_size = 16 << 20;
  // All memtables together: past it the largest is flushed. Charged to the block cache.
  size_t memtable_budget_bytes = 64 << 20;
  // The one cache of every column family's data, index and filter blocks, and of the memtable
  // budget: RocksDB's memory stays near this however large the database grows.
  size_t block_cache_bytes = 128 << 20;
  // Test-only: the RocksDB Env to open with (nullptr: the default). Lets crash tests inject
  // a file system that simulates lost fsyncs (storage/testing/lost_fsync_fs.h).
  rocksdb::Env* env = nullptr;
};

// RocksDB figures for monitoring (the server maps them to metrics; storage knows no metrics
// library). Counters only grow while the process lives; the rest are current values.
struct StoreStats {
  bool write_stopped = false;          // writes are stopped by too many memtables or L0 files
  uint64_t delayed_write_rate = 0;     // bytes/s writes are slowed to; 0 when not slowed
  uint64_t stall_micros_total = 0;     // time writers spent stalled
  uint64_t wal_syncs_total = 0;        // WAL fsyncs (group commit: fewer than commits)
  uint64_t wal_sync_micros_total = 0;  // time spent in them
  uint64_t wal_bytes_total = 0;        // bytes written to the WAL
  uint64_t compaction_pending = 0;     // 1 when at least one compaction is needed
  uint64_t compactions_running = 0;
  uint64_t flushes_running = 0;
  uint64_t live_sst_bytes = 0;       // all column families
  uint64_t memtable_bytes = 0;       // all column families, active and immutable
  uint64_t table_readers_bytes = 0;  // held by open SST files outside the block cache
  uint64_t block_cache_bytes = 0;    // the block cache: blocks and the memtable budget
};

// Visitor for Scan: return false to stop early.
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

// Branchline's only door to RocksDB: one database per data directory, a column family per
// record kind (column_families.h), atomic and durable commits, ordered prefix scans, id
// allocation and the change-log sequence.
//
// No merge operators: Debian's RocksDB 7.8.3 aborts in WAL recovery of a column family that
// has one (see Store.ReopensAfterSigkillUnderLoad); counters are plain records.
//
// Thread-safe: every method may be called concurrently. Concurrent Commit calls share WAL
// syncs (RocksDB group commit), so callers should commit from many threads rather than
// queue behind one; CommitAsync groups without a thread per commit. Read-modify-write callers
// serialise on record_locks()/request_locks().
class Store {
 public:
  // Opens (creating if missing) the database at options.path. Errors: FAILED_PRECONDITION for a
  // database written by a newer schema version or with unknown column families, DATA_LOSS
  // for a missing or unreadable schema version, UNAVAILABLE when another process holds it.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // Flushes nothing extra: every acknowledged commit is already in the synced WAL.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads one value; nullopt when the key does not exist.
  absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const;
  // Reads and parses one record: false when absent, DATA_LOSS when it does not parse.
  absl::StatusOr<bool> GetMessage(Cf cf, std::string_view key,
                                  google::protobuf::MessageLite* message) const;

  // Commits the set atomically; with sync_writes, durably before returning. Change-log
  // entries get consecutive sequences, and index entries by organisation and by each person
  // they are addressed to (keys.h: ChangeByOrgKey, ChangeByPersonKey). On error nothing of
  // the set is visible.
  absl::Status Commit(WriteSet batch);
  // Commits like Commit() without waiting for it: `done` runs once the set is durable (OK) or
  // failed (nothing of it visible). The sets handed over while a group is being written are
  // written together with one WAL sync by the store's committer thread (commit_queue.h), which
  // then runs each `done`: a done must be quick and must not block or commit itself.
  void CommitAsync(WriteSet batch, CommitDone done);

  // Visits, in key order, the keys that start with `prefix` and sort strictly after
  // `start_after` (ignored when empty) until the visitor returns false.
  absl::Status Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                    const ScanVisitor& visit) const;
  // Visits the same range in descending key order, strictly before `start_before` when set.
  absl::Status ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                           const ScanVisitor& visit) const;

  // Backs up the database online into `backup_dir` (created when missing) while writes go
  // on: the backup is a consistent point in time including everything acknowledged before
  // the call. Concurrent calls run one after the other.
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir);

  // For bulk loads and size measurements: writes every memtable to SST files and compacts
  // each column family fully, so the files on disk hold exactly the live data.
  absl::Status FlushAndCompact();

  // A new record id of `tenant`, never handed out before, even across crashes (ids are
  // reserved in durable blocks, so a crash leaves gaps, never repeats).
  absl::StatusOr<uint64_t> NewId(uint32_t tenant);
  // A new tenant number, durable before it is returned.
  absl::StatusOr<uint32_t> NewTenant();

  // Change log: every sequence at or below StableChangeSequence() is committed.
  uint64_t StableChangeSequence() const { return sequencer_.Stable(); }
  const ChangeSequencer& sequencer() const { return sequencer_; }

  // Change-log retention (storage/change_pruning.h deletes old entries). The highest
  // sequence of `tenant` that may have been deleted (0: none): a reader positioned below it
  // may have missed changes and must resync.
  uint64_t ChangesPrunedThrough(uint32_t tenant) const;
  // Changes after this sequence with members_see are also in the members' organisation index
  // (keys.h: ChangeForMembersByOrgKey); older ones only in the full one (ChangeByOrgKey).
  uint64_t MembersChangeIndexFrom() const { return members_change_index_from_; }
  // Raises that mark. The pruner calls it BEFORE writing its deletions, so a reader that
  // sees a deletion always sees a mark covering it.
  void RaiseChangesPrunedThrough(uint32_t tenant, uint64_t sequence);

  // Locks for read-modify-write. Take request locks (idempotency keys) before record locks.
  KeyLocks& request_locks() { return request_locks_; }
  KeyLocks& record_locks() { return record_locks_; }

  const StoreOptions& options() const { return options_; }

  // Current RocksDB figures (cheap: properties and statistics tickers).
  StoreStats Stats() const;
  // How many keys of exactly `key_size` bytes (0: any size) each tenant has in `cf`: keys
  // start with the tenant. Reads every key of the family (keys only, no values parsed):
  // callers cache the answer.
  absl::StatusOr<std::map<uint32_t, uint64_t>> CountKeysByTenant(Cf cf, size_t key_size) const;

  struct Impl;

 private:
  Store(StoreOptions options, std::unique_ptr<Impl> impl, uint64_t last_change,
        std::map<uint32_t, uint64_t> pruned_through, uint64_t members_change_index_from);
  // Adds the set's writes, change-log entries and their indexes to `batch`. Returns the first
  // change sequence reserved (0: none), to be ended once the batch is written or dropped.
  absl::StatusOr<uint64_t> AddToBatch(WriteSet& set, rocksdb::WriteBatch& batch);
  void CommitGroup(std::vector<CommitQueue::Entry>& group);
  absl::StatusOr<uint64_t> ReserveBlock(std::string_view meta_key, uint64_t current,
                                        uint64_t block);

  StoreOptions options_;
  std::unique_ptr<Impl> impl_;
  ChangeSequencer sequencer_;
  KeyLocks request_locks_;
  KeyLocks record_locks_;

  std::mutex backup_mu_;
  std::mutex id_mu_;
  struct IdRange {
    uint64_t next = 0;
    uint64_t limit = 0;
  };
  std::map<uint32_t, IdRange> id_ranges_;

  mutable std::mutex pruned_mu_;
  std::map<uint32_t, uint64_t> pruned_through_;  // tenant -> ChangesPrunedThrough
  const uint64_t members_change_index_from_;
  CommitQueue commit_queue_{[this](auto& group) { CommitGroup(group); }};  // last: stops first
};

}  // namespace branchline::storage
