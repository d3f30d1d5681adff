#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace branchline {

// The copy of each scheduled backup off the machine (backup_copy_command; docs/operations.md):
// backups on the data's own disk do not survive losing that disk. Like PostgreSQL's
// archive_command, the operator's command does the copying (rsync over ssh, rclone, a mounted
// share) and its exit status says whether it worked: `%d` is replaced by the backup directory,
// `%i` by the new backup's id and `%%` by `%`.
struct BackupCopy {
  std::string command;  // empty: no copy
  std::chrono::milliseconds timeout{std::chrono::minutes(60)};
};

// Runs `copy.command` through /bin/sh for backup `id` in `backup_dir` and waits for it, with
// the server's environment less its BRANCHLINE_* settings. Its output goes to the server's own
// standard error (the journal, under systemd). OK when it
// exits 0; otherwise why not: it exited with another status, was killed by a signal, ran
// past the timeout (then it and its children are killed), or `stopping` turned true (the
// server stops: it is killed the same way). Never throws; thread-safe.
absl::Status RunBackupCopy(const BackupCopy& copy, const std::string& backup_dir, uint64_t id,
                           const std::function<bool()>& stopping);

// The command with its placeholders filled in (exposed for tests).
std::string ExpandBackupCopyCommand(const std::string& command, const std::string& backup_dir,
                                    uint64_t id);

// The last good copy, kept in the backup directory (a file of its own, beside RocksDB's
// backup layout) so its age survives a restart: its unix time, or nothing when there is none.
std::optional<int64_t> LoadLastBackupCopyTime(const std::string& backup_dir);
absl::Status SaveLastBackupCopyTime(const std::string& backup_dir, int64_t unix_seconds);

}  // namespace branchline
