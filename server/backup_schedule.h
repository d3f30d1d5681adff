#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/backup_copy.h"
#include "storage/backup.h"

namespace branchline {

class Backups;

// The figures /metrics shows about backups (server/operations_metrics.h): written by the
// schedule and, for the last success, by AdminService.CreateBackup too.
struct BackupFigures {
  // Unix time of the newest good backup: at start the newest one in the backup directory,
  // then each verified scheduled backup and each CreateBackup. 0: none yet.
  std::atomic<int64_t> last_success_seconds{0};
  std::atomic<uint64_t> runs_ok{0};
  std::atomic<uint64_t> runs_failed{0};
  std::atomic<double> last_duration_seconds{0};
  // The schedule's interval (0: no schedule), so an alert can tell "too old" from "not
  // configured".
  std::atomic<double> interval_seconds{0};
  // The copies off the machine (backup_copy_command), shown only when one is configured.
  std::atomic<bool> copy_configured{false};
  // Creation time of the newest backup copied off the machine; 0: none yet.
  std::atomic<int64_t> copy_last_success_seconds{0};
  std::atomic<uint64_t> copy_runs_ok{0};
  std::atomic<uint64_t> copy_runs_failed{0};
};

// Sets figures.last_success_seconds to the time of the newest backup in `backup_dir`, and
// copy_last_success_seconds to that of the last one copied off the machine (none: left as
// they are), so their ages survive a restart.
void LoadBackupTimes(const std::string& backup_dir, BackupFigures& figures);

// Scheduled online backups (backup_interval_minutes, backup_keep; docs/operations.md): a
// background thread takes a backup through Backups::CreateNow every interval, verifies it
// (every file against its checksum), then deletes the oldest beyond `keep`, and logs one line
// per run. The first run is due one interval after the newest backup already in the directory
// (at once when there is none or it is older). A failed run is counted, logged, and the next
// one comes an interval later as usual. Calls are never blocked: a backup copies the live
// files while writes go on. With a copy command (server/backup_copy.h), each good backup is
// then copied off the machine; a failed copy is counted and logged apart from the backup's
// own result, and the next run copies again. Thread-safe.
class BackupSchedule {
 public:
  // `interval` > 0, `keep` >= 1.
  BackupSchedule(Backups& backups, BackupFigures& figures, std::chrono::microseconds interval,
                 uint32_t keep, BackupCopy copy = {});
  ~BackupSchedule() { Stop(); }
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

  // Starts the thread (once).
  void Start();
  // Stops the thread after the run in progress (a backup already being copied is finished:
  // RocksDB cannot cut it short from here; a copy command is ended); idempotent.
  void Stop();
  // One run now, as the thread does it: backup, verify, purge, copy, figures, log lines.
  // Returns the backup made, or why the run failed (a failed copy does not fail it).
  absl::StatusOr<storage::BackupInfo> RunNow();

 private:
  void Loop();
  void CopyOffMachine(const storage::BackupInfo& backup);

  Backups& backups_;
  BackupFigures& figures_;
  const std::chrono::microseconds interval_;
  const uint32_t keep_;
  const BackupCopy copy_;
  std::mutex run_mu_;  // one run at a time (the thread's or RunNow's)
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::system_clock::time_point first_due_;
  std::thread thread_;
};

}  // namespace branchline
