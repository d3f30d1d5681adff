#include "server/config/secret_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace branchline {

absl::Status CheckSecretFile(const std::string& path, std::string_view setting) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(std::string(setting) + ": cannot read " + path);
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return absl::PermissionDeniedError(std::string(setting) + ": " + path +
                                       " is readable by group or others (mode " + mode +
                                       "); a secret file must be readable by the service user "
                                       "only: chmod 600 it");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, std::string_view setting) {
  if (auto checked = CheckSecretFile(path, setting); !checked.ok()) return checked;
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in) return absl::NotFoundError(std::string(setting) + ": cannot read " + path);
  return contents.str();
}

}  // namespace branchline
