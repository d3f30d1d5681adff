#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "branchline/v1/admin.pb.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Online backups for system administrators (the domain rules behind AdminService).
// Each backup directory also gets a copy of the token signing key (mode 0600), so a server
// restored from it accepts the sessions it had; keep backup directories as private as the
// data directory. Thread-safe.
class Backups {
 public:
  Backups(storage::Store& store, std::string backup_dir, std::string key_file, const Clock& clock)
      : store_(store),
        backup_dir_(std::move(backup_dir)),
        key_file_(std::move(key_file)),
        clock_(clock) {}

  absl::StatusOr<v1::Backup> Create(const Caller& caller, const v1::CreateBackupRequest& request);
  absl::StatusOr<v1::ListBackupsResponse> List(const Caller& caller,
                                               const v1::ListBackupsRequest& request) const;
  absl::StatusOr<v1::VerifyBackupResponse> Verify(const Caller& caller,
                                                  const v1::VerifyBackupRequest& request) const;

  // Creates a backup now, with the key copies, without a caller (the backup schedule; Create
  // after its checks). One backup or purge of the directory at a time.
  absl::StatusOr<storage::BackupInfo> CreateNow();
  // Deletes the oldest backups until `keep` (>= 1) are left; returns how many it deleted.
  absl::StatusOr<uint32_t> PurgeOld(uint32_t keep);
  // Called after each backup Create makes (the schedule records its own, once verified), for
  // the last-success metric. Set before the server serves.
  void OnCreated(std::function<void(const storage::BackupInfo&)> observer) {
    on_created_ = std::move(observer);
  }
  const std::string& backup_dir() const { return backup_dir_; }

  // The name of the key copy inside a backup directory.
  static constexpr char kKeyFileName[] = "token.key";
  // The receipt key of anonymous letters (next to the token key in the data directory):
  // without it a restored server could not recognise any receipt code handed out before.
  static constexpr char kReceiptKeyFileName[] = "feedback.key";

 private:
  storage::Store& store_;
  const std::string backup_dir_;
  const std::string key_file_;
  const Clock& clock_;
  std::mutex mu_;  // one backup or purge at a time (RocksDB's BackupEngine is not shared)
  std::function<void(const storage::BackupInfo&)> on_created_;
};

// Restores backup `id` (0: latest) of `backup_dir` into a new data directory `data_dir`
// (database, token key and, when the backup has it, the receipt key). FAILED_PRECONDITION when
// `data_dir` already holds data.
absl::Status RestoreDataDir(const std::string& backup_dir, uint32_t id,
                            const std::string& data_dir);

}  // namespace branchline
