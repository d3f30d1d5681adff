#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace rocksdb {
class Env;
}

namespace branchline::storage::testing {

// A RocksDB file system (a rocksdb::FileSystemWrapper over the real one) that remembers what
// has been made durable: per file, how many bytes were synced, and whether the file's name
// was made durable by a sync of its directory. CutPowerInto() copies exactly that durable
// state into another directory, which is what a power cut would leave on disk: every file
// truncated to its last synced size, files whose directory entry was never synced gone.
// The database keeps running; the copy is opened afterwards like a disk after a reboot.
//
// Test-only (storage/testing, never linked into the server). Open the Store with
// StoreOptions::env = env().
class LostFsyncFileSystem {
 public:
  LostFsyncFileSystem();
  ~LostFsyncFileSystem();
  LostFsyncFileSystem(const LostFsyncFileSystem&) = delete;
  LostFsyncFileSystem& operator=(const LostFsyncFileSystem&) = delete;

  // The Env to open the database with.
  rocksdb::Env* env() const;

  struct CutFigures {
    int files_kept = 0;
    int files_dropped = 0;  // never made durable by a directory sync
    uint64_t bytes_kept = 0;
    uint64_t bytes_dropped = 0;  // written but not synced
  };
  // Copies the durable state of every file written through this file system under
  // `db_dir` into `target_dir` (created), atomically with respect to concurrent writes.
  absl::Status CutPowerInto(const std::string& db_dir, const std::string& target_dir,
                            CutFigures* figures = nullptr);

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace branchline::storage::testing
