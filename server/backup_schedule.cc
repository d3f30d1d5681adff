#include "server/backup_schedule.h"

#include "services/admin/backups.h"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {
double SecondsSince(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}
}  // namespace

void LoadBackupTimes(const std::string& backup_dir, BackupFigures& figures) {
  auto existing = storage::ListBackups(backup_dir);
  if (existing.ok() && !existing->empty()) {
    figures.last_success_seconds = existing->back().create_time_seconds;
  }
  if (auto copied = LoadLastBackupCopyTime(backup_dir)) figures.copy_last_success_seconds = *copied;
}

BackupSchedule::BackupSchedule(Backups& backups, BackupFigures& figures,
                               std::chrono::microseconds interval, uint32_t keep, BackupCopy copy)
    : backups_(backups),
      figures_(figures),
      interval_(interval),
      keep_(keep),
      copy_(std::move(copy)) {
  figures_.interval_seconds = std::chrono::duration<double>(interval).count();
  figures_.copy_configured = !copy_.command.empty();
  first_due_ = std::chrono::system_clock::now();
  auto existing = storage::ListBackups(backups_.backup_dir());
  if (existing.ok() && !existing->empty()) {
    const auto newest = std::chrono::system_clock::time_point(
        std::chrono::seconds(existing->back().create_time_seconds));
    if (newest + interval_ > first_due_) first_due_ = newest + interval_;
  }
}

void BackupSchedule::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void BackupSchedule::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackupSchedule::Loop() {
  // The wall clock for the first run (it follows the newest backup's time), then a steady one.
  std::unique_lock lock(mu_);
  if (wake_.wait_until(lock, first_due_, [this] { return stopping_; })) return;
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    lock.unlock();
    (void)RunNow();
    lock.lock();
    const auto next = std::max(started + interval_, std::chrono::steady_clock::now());
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

absl::StatusOr<storage::BackupInfo> BackupSchedule::RunNow() {
  std::lock_guard run_lock(run_mu_);
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<storage::BackupInfo> made = backups_.CreateNow();
  uint32_t purged = 0;
  bool good = false;  // made and verified
  absl::Status failure;
  if (!made.ok()) {
    failure = made.status();
  } else if (auto verified = storage::VerifyBackup(backups_.backup_dir(), made->id);
             !verified.ok()) {
    failure = absl::Status(verified.code(),
                           "backup " + std::to_string(made->id) +
                               " failed its verification: " + std::string(verified.message()));
  } else if (auto old = backups_.PurgeOld(keep_); !old.ok()) {
    // The new backup is good; the disk may fill up if this keeps failing.
    good = true;
    failure = absl::Status(old.status().code(), "backup " + std::to_string(made->id) +
                                                    " is good, but deleting old ones failed: " +
                                                    std::string(old.status().message()));
  } else {
    good = true;
    purged = *old;
  }
  const double took = SecondsSince(started);
  figures_.last_duration_seconds = took;
  if (good) figures_.last_success_seconds = made->create_time_seconds;
  if (!failure.ok()) {
    ++figures_.runs_failed;
    spdlog::error("scheduled backup FAILED after {:.3f} s in {}: {}", took, backups_.backup_dir(),
                  failure.ToString());
  } else {
    ++figures_.runs_ok;
    spdlog::info(
        "scheduled backup {} ok: {} bytes, {} files, {:.3f} s, verified; deleted {} older "
        "(keeping {}) in {}",
        made->id, made->size_bytes, made->file_count, took, purged, keep_, backups_.backup_dir());
  }
  // A good backup is copied even when deleting old ones failed.
  if (good) CopyOffMachine(*made);
  if (!failure.ok()) return failure;
  return made;
}

void BackupSchedule::CopyOffMachine(const storage::BackupInfo& backup) {
  if (copy_.command.empty()) return;
  const auto started = std::chrono::steady_clock::now();
  absl::Status copied = RunBackupCopy(copy_, backups_.backup_dir(), backup.id, [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  });
  const double took = SecondsSince(started);
  if (copied.ok()) {
    figures_.copy_last_success_seconds = backup.create_time_seconds;
    ++figures_.copy_runs_ok;
    if (auto saved = SaveLastBackupCopyTime(backups_.backup_dir(), backup.create_time_seconds);
        !saved.ok()) {
      spdlog::warn("backup {} copied, but its time is not kept for a restart: {}", backup.id,
                   saved.ToString());
    }
    spdlog::info("backup {} copied off the machine in {:.3f} s (backup_copy_command)", backup.id,
                 took);
    return;
  }
  ++figures_.copy_runs_failed;
  // The command itself is not logged: it may name a host or a remote the log need not show.
  spdlog::error("backup copy FAILED for backup {} after {:.3f} s: {}", backup.id, took,
                copied.ToString());
}

}  // namespace branchline
