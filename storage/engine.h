#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/backup.h"
#include "storage/column_families.h"
#include "storage/key_locks.h"
#include "storage/store_options.h"

namespace google::protobuf {
class MessageLite;
}

namespace branchline::storage {

// What Engine::Write returns when a key written with PutIfAbsent already has a value.
inline absl::Status GuardTakenError() {
  return absl::AlreadyExistsError("commit: a key written only if absent already has a value");
}
// What a read answers for a stored value of `cf` that does not parse (GetMessage, and the
// store's reads through its cache).
inline absl::Status UnparseableRecordError(Cf cf) {
  return absl::DataLossError("unparseable record in " + std::string(kCfNames[CfIndex(cf)]));
}

// The writes of one atomic commit, buffered by an engine until Engine::Write. Save points
// let a commit group drop one set that cannot be added without dropping the others. Not
// thread-safe.
class EngineBatch {
 public:
  virtual ~EngineBatch() = default;
  virtual void Put(Cf cf, std::string_view key, std::string_view value) = 0;
  virtual void Delete(Cf cf, std::string_view key) = 0;
  // WriteSet::PutIfAbsent: the engine's Write fails with ALREADY_EXISTS, writing nothing,
  // when the key has a value.
  virtual void PutIfAbsent(Cf cf, std::string_view key, std::string_view value) = 0;
  virtual void SetSavePoint() = 0;
  // Drops everything added since the last SetSavePoint, and that save point.
  virtual void RollbackToSavePoint() = 0;
  // Forgets the last save point, keeping what was added since.
  virtual void PopSavePoint() = 0;
  // Only on engines that number the change log themselves (Engine::SequencesChanges): a write
  // whose key is `key_prefix` followed by the 8-byte change sequence the engine assigns when
  // it commits, the same for every write with the same `place` in this batch. With
  // `sequence_field`, the value is a ChangeRecord whose `sequence` the engine sets to it.
  virtual void PutSequenced(Cf cf, std::string_view key_prefix, uint32_t place,
                            std::string_view value, bool sequence_field) {}
  // Operations buffered (0: nothing to write).
  virtual size_t Count() const = 0;
};

// What Store needs of a key-value engine: ordered byte keys per column family, atomic
// batches, durable counters. Store (store.h) builds the change log, ids and locks on top, the
// same for every engine; only storage/ sees this interface. Implementations: RocksDB
// (rocksdb_engine.h, embedded) and PostgreSQL (postgres_engine.h, cluster mode).
// Thread-safe: every method may be called concurrently.
class Engine {
 public:
  virtual ~Engine() = default;

  // Whether the database held data before this open (a missing schema version then means
  // "not a Branchline database", not "new").
  virtual bool existed() const = 0;

  // nullopt when the key does not exist.
  virtual absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const = 0;
  // False when absent, DATA_LOSS when the value does not parse.
  virtual absl::StatusOr<bool> GetMessage(Cf cf, std::string_view key,
                                          google::protobuf::MessageLite* message) const = 0;
  // The first of `keys`, in their order, that exists: its place and value (nullopt: none).
  // Read one by one up to it, unless the engine does better (PostgreSQL: one statement).
  virtual absl::StatusOr<std::optional<std::pair<size_t, std::string>>> GetFirst(
      Cf cf, const std::vector<std::string>& keys) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      auto value = Get(cf, keys[i]);
      if (!value.ok()) return value.status();
      if (*value) return std::make_pair(i, std::move(**value));
    }
    return std::nullopt;
  }

  virtual std::unique_ptr<EngineBatch> NewBatch() const = 0;
  // Applies the batch atomically: all of it or (on error) none of it. Durable before it
  // returns when the store syncs writes, or always with `force_sync` (schema records). OK
  // means committed, any other answer not committed: an engine whose connection can break
  // mid-commit finds out which before it returns. Only a database unreachable for the whole
  // of its bounded wait leaves the outcome unknown (UNAVAILABLE saying so); callers retry
  // with the same request_id, which the idempotency records make safe.
  virtual absl::Status Write(EngineBatch& batch, bool force_sync = false) = 0;

  // OK, or UNAVAILABLE (with a google.rpc.RetryInfo) when writes are not completing and a
  // new one would only queue behind them: the store refuses it at once instead.
  virtual absl::Status AcceptingWrites() const { return absl::OkStatus(); }

  // Whether the engine numbers the change log itself, so that servers sharing the database
  // need no common counter (PostgreSQL: the committing transaction's id). Store then hands
  // change-log writes to EngineBatch::PutSequenced and asks the engine for the stable mark.
  virtual bool SequencesChanges() const { return false; }
  // Only when SequencesChanges: the highest sequence no commit still running, on any server,
  // can write at or below.
  virtual absl::StatusOr<uint64_t> StableChangeSequence() const { return 0; }
  // Only when SequencesChanges: calls `publish` with the stable mark whenever it may have
  // advanced — after this engine's commits, and within a bounded delay after other servers'.
  virtual void FollowStableChangeSequence(std::function<void(uint64_t)> publish) {}

  // Locks other servers on the same database also take (PostgreSQL advisory locks), for the
  // store's KeyLocks; null when the database has one writer (RocksDB: one process).
  virtual SharedStripeLocks* shared_locks() { return nullptr; }

  // Store::LeadsBackgroundWork (store.h) has the contract; an engine with one writer process
  // (RocksDB) always leads. `LedBackgroundWork` is the last answer, without asking.
  virtual bool LeadsBackgroundWork() { return true; }
  virtual bool LedBackgroundWork() const { return true; }

  // Store::Scan and Store::ScanReverse (store.h) have the contract.
  virtual absl::Status Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                            const ScanVisitor& visit) const = 0;
  virtual absl::Status ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                                   const ScanVisitor& visit) const = 0;

  // Atomically raises the counter at `key` in Cf::kMeta (an 8-byte big-endian value;
  // `initial` when absent) by `count` and returns the new value: the caller owns
  // (new - count, new]. Safe against concurrent callers, in other processes too for engines
  // that several servers share.
  virtual absl::StatusOr<uint64_t> Reserve(std::string_view key, uint64_t initial,
                                           uint64_t count) = 0;

  virtual absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir) = 0;
  virtual absl::Status FlushAndCompact() = 0;
  virtual StoreStats Stats() const = 0;
  virtual absl::StatusOr<std::map<uint32_t, uint64_t>> CountKeysByTenant(Cf cf,
                                                                         size_t key_size) const = 0;
};

}  // namespace branchline::storage
