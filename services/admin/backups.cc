#include "services/admin/backups.h"

#include <filesystem>

#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/status_macros.h"
#include "storage/backup.h"

namespace branchline {

namespace {
namespace fs = std::filesystem;

v1::Backup ToApi(const storage::BackupInfo& info) {
  v1::Backup backup;
  backup.set_id(info.id);
  backup.mutable_create_time()->set_seconds(info.create_time_seconds);
  backup.set_size_bytes(info.size_bytes);
  backup.set_file_count(info.file_count);
  return backup;
}

absl::Status RequireSystemAdmin(const Caller& caller) {
  if (caller.system_admin) return absl::OkStatus();
  return Denied("backups are for system administrators");
}

absl::Status CopyPrivate(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return absl::UnavailableError("cannot copy " + from + " to " + to + ": " + ec.message());
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<v1::Backup> Backups::Create(const Caller& caller,
                                           const v1::CreateBackupRequest& request) {
  RETURN_IF_ERROR(RequireSystemAdmin(caller));
  return RunIdempotent<v1::Backup>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateBackup"}, request,
      clock_.NowMicros(), [&](Mutation&) -> absl::StatusOr<v1::Backup> {
        ASSIGN_OR_RETURN(auto info, CreateNow());
        if (on_created_) on_created_(info);
        return ToApi(info);
      });
}

absl::StatusOr<storage::BackupInfo> Backups::CreateNow() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(auto info, store_.CreateBackup(backup_dir_));
  std::error_code ec;
  fs::permissions(backup_dir_, fs::perms::owner_all, ec);
  RETURN_IF_ERROR(CopyPrivate(key_file_, backup_dir_ + "/" + kKeyFileName));
  const auto receipt_key = fs::path(key_file_).parent_path() / kReceiptKeyFileName;
  if (fs::exists(receipt_key, ec)) {
    RETURN_IF_ERROR(CopyPrivate(receipt_key.string(), backup_dir_ + "/" + kReceiptKeyFileName));
  }
  return info;
}

absl::StatusOr<uint32_t> Backups::PurgeOld(uint32_t keep) {
  std::lock_guard lock(mu_);
  return storage::PurgeOldBackups(backup_dir_, keep);
}

absl::StatusOr<v1::ListBackupsResponse> Backups::List(const Caller& caller,
                                                      const v1::ListBackupsRequest&) const {
  RETURN_IF_ERROR(RequireSystemAdmin(caller));
  v1::ListBackupsResponse response;
  auto backups = storage::ListBackups(backup_dir_);
  if (absl::IsNotFound(backups.status())) return response;
  if (!backups.ok()) return backups.status();
  for (const auto& b : *backups) *response.add_backups() = ToApi(b);
  return response;
}

absl::StatusOr<v1::VerifyBackupResponse> Backups::Verify(
    const Caller& caller, const v1::VerifyBackupRequest& request) const {
  RETURN_IF_ERROR(RequireSystemAdmin(caller));
  if (request.id() == 0) return InvalidField("id", "is required");
  ASSIGN_OR_RETURN(auto backups, storage::ListBackups(backup_dir_));
  for (const auto& b : backups) {
    if (b.id != request.id()) continue;
    RETURN_IF_ERROR(storage::VerifyBackup(backup_dir_, b.id));
    v1::VerifyBackupResponse response;
    *response.mutable_backup() = ToApi(b);
    return response;
  }
  return FieldError(absl::StatusCode::kNotFound, "id",
                    "backup " + std::to_string(request.id()) + " does not exist");
}

absl::Status RestoreDataDir(const std::string& backup_dir, uint32_t id,
                            const std::string& data_dir) {
  std::error_code ec;
  if (fs::exists(data_dir + "/db", ec) || fs::exists(data_dir + "/" + Backups::kKeyFileName, ec)) {
    return absl::FailedPreconditionError(data_dir +
                                         " already holds data: restore only into a new directory");
  }
  fs::create_directories(data_dir, ec);
  fs::permissions(data_dir, fs::perms::owner_all, ec);
  RETURN_IF_ERROR(storage::RestoreBackup(backup_dir, id, data_dir + "/db"));
  RETURN_IF_ERROR(CopyPrivate(backup_dir + "/" + Backups::kKeyFileName,
                              data_dir + "/" + Backups::kKeyFileName));
  // Backups made before the receipt key was backed up lack it; the server then makes a new
  // one (older receipt codes stop working), as before.
  if (!fs::exists(backup_dir + "/" + Backups::kReceiptKeyFileName, ec)) return absl::OkStatus();
  return CopyPrivate(backup_dir + "/" + Backups::kReceiptKeyFileName,
                     data_dir + "/" + Backups::kReceiptKeyFileName);
}

}  // namespace branchline
