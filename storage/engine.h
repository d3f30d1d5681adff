#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/backup.h"
#include "storage/column_families.h"
#include "storage/store_options.h"

namespace google::protobuf {
class MessageLite;
}

namespace branchline::storage {

// The writes of one atomic commit, buffered by an engine until Engine::Write. Save points
// let a commit group drop one set that cannot be added without dropping the others. Not
// thread-safe.
class EngineBatch {
 public:
  virtual ~EngineBatch() = default;
  virtual void Put(Cf cf, std::string_view key, std::string_view value) = 0;
  virtual void Delete(Cf cf, std::string_view key) = 0;
  virtual void SetSavePoint() = 0;
  // Drops everything added since the last SetSavePoint, and that save point.
  virtual void RollbackToSavePoint() = 0;
  // Forgets the last save point, keeping what was added since.
  virtual void PopSavePoint() = 0;
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

  virtual std::unique_ptr<EngineBatch> NewBatch() const = 0;
  // Applies the batch atomically: all of it or (on error) none of it. Durable before it
  // returns when the store syncs writes, or always with `force_sync` (schema records). OK
  // means committed, any other answer not committed: an engine whose connection can break
  // mid-commit finds out which before it returns. Only a database unreachable for the whole
  // of its bounded wait leaves the outcome unknown (UNAVAILABLE saying so); callers retry
  // with the same request_id, which the idempotency records make safe.
  virtual absl::Status Write(EngineBatch& batch, bool force_sync = false) = 0;

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
