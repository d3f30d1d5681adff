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
#include "storage/store_options.h"
#include "storage/write_set.h"

namespace google::protobuf {
class MessageLite;
}

namespace branchline::storage {

// The schema version this build writes. Opening a database with a newer version fails.
inline constexpr uint32_t kSchemaVersion = 1;
// The longest key a commit may write, on every engine: PostgreSQL's B-tree needs an entry to
// fit a third of a page, and a database must move between engines unchanged. Branchline's
// keys are far shorter (ids, request ids of at most 64 bytes, logins).
inline constexpr size_t kMaxKeyBytes = 2048;
// On engines that order the change log by transaction (PostgreSQL), a sequence is the
// transaction's id shifted by this many bits, plus the entry's place in the transaction.
inline constexpr int kChangeSequenceShift = 20;

class Engine;
class EngineBatch;
class RecordCache;

// Branchline's only door to its data: a column family per record kind (column_families.h),
// atomic and durable commits, ordered prefix scans, id allocation and the change-log sequence,
// over one of two engines (engine.h) chosen by StoreOptions: RocksDB, one database per data
// directory (the embedded default), or PostgreSQL (cluster mode, docs/cluster.md). Services
// see only this class; they behave the same on both.
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
  // Opens (creating if missing) the database at options.path, or in the PostgreSQL database
  // options.postgres names. Errors: FAILED_PRECONDITION for a database written by a newer
  // schema version or with unknown column families, DATA_LOSS for a missing or unreadable
  // schema version, UNAVAILABLE when another process holds it (RocksDB) or no PostgreSQL host
  // accepts a connection, INVALID_ARGUMENT for a connection string libpq cannot parse.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // Flushes nothing extra: every acknowledged commit is already durable.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads one value; nullopt when the key does not exist.
  absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const;
  // Reads and parses one record: false when absent, DATA_LOSS when it does not parse.
  absl::StatusOr<bool> GetMessage(Cf cf, std::string_view key,
                                  google::protobuf::MessageLite* message) const;
  // The first of `keys` in order that exists, parsed into `message`: its place, or nullopt;
  // DATA_LOSS when it does not parse. One round trip on PostgreSQL. Only for a fixed chain (an
  // organisation's ancestors): the cache also keeps each absence, so never a caller's keys.
  absl::StatusOr<std::optional<size_t>> GetFirstMessage(
      Cf cf, const std::vector<std::string>& keys, google::protobuf::MessageLite* message) const;

  // Commits the set atomically; with sync_writes, durably before returning. Change-log
  // entries get consecutive sequences, and index entries by organisation and by each person
  // they are addressed to (keys.h: ChangeByOrgKey, ChangeByPersonKey). On error nothing of
  // the set is visible; INVALID_ARGUMENT for a key longer than kMaxKeyBytes.
  absl::Status Commit(WriteSet batch);
  // Commits like Commit() without waiting for it: `done` runs once the set is durable (OK) or
  // failed (nothing of it visible). The sets handed over while a group is being written are
  // written together with one WAL sync by the store's committer thread (commit_queue.h), which
  // then runs each `done`: a done must be quick and must not block or commit itself.
  void CommitAsync(WriteSet batch, CommitDone done);

  // Visits, in key order, the keys that start with `prefix` and sort strictly after `start_after`
  // (ignored when empty) until the visitor returns false, all as of one snapshot.
  absl::Status Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                    const ScanVisitor& visit) const;
  // Visits the same range in descending key order, strictly before `start_before` when set.
  absl::Status ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                           const ScanVisitor& visit) const;

  // Backs up the database online into `backup_dir` (created when missing) while writes go
  // on: the backup is a consistent point in time including everything acknowledged before
  // the call. Concurrent calls run one after the other. FAILED_PRECONDITION on PostgreSQL,
  // whose backups are PostgreSQL's own (pg_basebackup and WAL archiving, docs/cluster.md).
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir);

  // For bulk loads and size measurements: writes every memtable to SST files and compacts
  // each column family fully, so the files on disk hold exactly the live data. (PostgreSQL:
  // nothing; its autovacuum reclaims space.)
  absl::Status FlushAndCompact();

  // A new record id of `tenant`, never handed out before, even across crashes (ids are
  // reserved in durable blocks, so a crash leaves gaps, never repeats).
  absl::StatusOr<uint64_t> NewId(uint32_t tenant);
  // A new tenant number, durable before it is returned.
  absl::StatusOr<uint32_t> NewTenant();

  // Change log: every sequence at or below StableChangeSequence() is committed, and no commit
  // can add one at or below it later. Sequences ascend in commit order on RocksDB and are
  // consecutive there; on PostgreSQL they are the transaction id followed by the entry's place
  // in it (kChangeSequenceShift), ascending but not consecutive, and every server on the
  // database sees the same mark (docs/cluster.md).
  uint64_t StableChangeSequence() const;
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

  // The background passes (reminders, meeting series, deferred publication, pruning) run on
  // one server of a database at a time. Whether this one may run a pass now: always on RocksDB
  // (one process per database); on PostgreSQL while this store holds the database's background
  // lease, which the first server to ask takes and keeps while its session lives, and which
  // it confirms with the database at most every few seconds (docs/cluster.md). May take a
  // round trip; false when the database cannot be reached.
  bool LeadsBackgroundWork();
  // The last answer of LeadsBackgroundWork, without asking the database (for metrics).
  bool LedBackgroundWork() const;

  const StoreOptions& options() const { return options_; }

  // Current engine figures (cheap: RocksDB properties and statistics tickers; zeros on
  // PostgreSQL).
  StoreStats Stats() const;
  // How many keys of exactly `key_size` bytes (0: any size) each tenant has in `cf`: keys
  // start with the tenant. Reads every key of the family (keys only, no values parsed):
  // callers cache the answer.
  absl::StatusOr<std::map<uint32_t, uint64_t>> CountKeysByTenant(Cf cf, size_t key_size) const;

  // Which engine holds the data: "rocksdb" or "postgres".
  std::string_view engine_name() const;

 private:
  Store(StoreOptions options, std::unique_ptr<Engine> engine, uint64_t last_change,
        std::map<uint32_t, uint64_t> pruned_through, uint64_t members_change_index_from);
  // Adds the set's writes, change-log entries and their indexes to `batch`. Returns the first
  // change sequence reserved (0: none, or the engine numbers them), to be ended once the batch
  // is written or dropped. `places` counts the batch's change-log entries so far, for an
  // engine that numbers them (EngineBatch::PutSequenced).
  absl::StatusOr<uint64_t> AddToBatch(WriteSet& set, EngineBatch& batch, uint32_t& places);
  void CommitGroup(std::vector<CommitQueue::Entry>& group);
  // Drops from the record cache what `set` wrote; after the write is visible.
  void InvalidateCached(const WriteSet& set);

  StoreOptions options_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<RecordCache> cache_;  // null: every read goes to the engine
  ChangeSequencer sequencer_;
  KeyLocks request_locks_;
  KeyLocks record_locks_;

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
