#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace branchline {

// Secrets (the TLS key, the admin password) come only from files that the service user alone
// may read: a key readable by group or others has leaked to every account on the machine.
// Errors name `setting`: NOT_FOUND when the file cannot be read, PERMISSION_DENIED when its mode
// lets group or others read or write it.
absl::Status CheckSecretFile(const std::string& path, std::string_view setting);
// CheckSecretFile, then the file's contents.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, std::string_view setting);

}  // namespace branchline
