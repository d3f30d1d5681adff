#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace branchline::storage {

// Backups of a Branchline database in a backup directory (RocksDB BackupEngine: files
// shared between backups, each with checksums). Creating one is Store::CreateBackup (online,
// while serving); reading, verifying and restoring need no open store.
struct BackupInfo {
  uint32_t id = 0;
  int64_t create_time_seconds = 0;
  uint64_t size_bytes = 0;
  uint32_t file_count = 0;
};

// Every backup in `backup_dir`, oldest first. NOT_FOUND when the directory has no backups.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);

// Checks that every file of backup `id` is present with its recorded size and checksum.
// NOT_FOUND for an unknown id, DATA_LOSS for a damaged backup.
absl::Status VerifyBackup(const std::string& backup_dir, uint32_t id);

// Deletes the oldest backups of `backup_dir` until at most `keep` (>= 1) are left, with the
// files only they used; returns how many it deleted. Needs no open store, but must not run
// while a backup of the same directory is being created (callers serialise the two).
absl::StatusOr<uint32_t> PurgeOldBackups(const std::string& backup_dir, uint32_t keep);

// Restores backup `id` (0: the latest) into `db_dir`, which must not exist or be empty
// (FAILED_PRECONDITION otherwise: a restore never overwrites a live database).
absl::Status RestoreBackup(const std::string& backup_dir, uint32_t id, const std::string& db_dir);

}  // namespace branchline::storage
