#include "storage/backup.h"

#include <filesystem>
#include <memory>

#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace branchline::storage {

namespace {

absl::Status FromIo(const rocksdb::IOStatus& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = what + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(
    const std::string& backup_dir) {
  if (!std::filesystem::exists(backup_dir + "/meta")) {
    return absl::NotFoundError("no backups in " + backup_dir);
  }
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  auto s = rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(backup_dir),
                                               rocksdb::Env::Default(), &engine);
  if (!s.ok()) return FromIo(s, "opening backups in " + backup_dir);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(engine);
}

}  // namespace

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const auto& i : infos) out.push_back({i.backup_id, i.timestamp, i.size, i.number_files});
  return out;
}

absl::Status VerifyBackup(const std::string& backup_dir, uint32_t id) {
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  return FromIo((*engine)->VerifyBackup(id, /*verify_with_checksum=*/true),
                "verifying backup " + std::to_string(id));
}

absl::StatusOr<uint32_t> PurgeOldBackups(const std::string& backup_dir, uint32_t keep) {
  if (keep == 0) return absl::InvalidArgumentError("keep must be at least 1");
  auto before = ListBackups(backup_dir);
  if (!before.ok()) return before.status();
  if (before->size() <= keep) return 0;
  rocksdb::BackupEngine* raw = nullptr;
  auto s = rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                       rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromIo(s, "opening backups in " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  auto purged = FromIo(engine->PurgeOldBackups(keep), "deleting old backups in " + backup_dir);
  if (!purged.ok()) return purged;
  return static_cast<uint32_t>(before->size() - keep);
}

absl::Status RestoreBackup(const std::string& backup_dir, uint32_t id, const std::string& db_dir) {
  std::error_code ec;
  if (std::filesystem::exists(db_dir, ec) && !std::filesystem::is_empty(db_dir, ec)) {
    return absl::FailedPreconditionError(db_dir +
                                         " is not empty: restore only into a new directory");
  }
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  if (id == 0) {
    std::vector<rocksdb::BackupInfo> infos;
    (*engine)->GetBackupInfo(&infos);
    if (infos.empty()) return absl::NotFoundError("no backups in " + backup_dir);
    id = infos.back().backup_id;
  }
  std::filesystem::create_directories(db_dir, ec);
  return FromIo((*engine)->RestoreDBFromBackup(id, db_dir, db_dir),
                "restoring backup " + std::to_string(id));
}

}  // namespace branchline::storage
