#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace branchline::ctl {

// What `branchctl login` keeps between runs. The file holds bearer secrets, so it is written
// with mode 0600 inside a directory created with mode 0700, atomically (temp file + rename).
struct StoredLogin {
  std::string server;
  std::string access_token;
  int64_t access_expire_unix = 0;
  std::string refresh_token;
  uint64_t person_id = 0;
  uint64_t organization_id = 0;
  std::string display_name;
  // Local time offset of the person's organisation: times are shown and read in it.
  int32_t utc_offset_minutes = 480;
};

// ~/.config/branchline/token ($HOME; falls back to the current directory without one).
std::string DefaultTokenPath();

// Missing file: nullopt. Unreadable or malformed: throws std::runtime_error.
std::optional<StoredLogin> ReadLogin(const std::string& path);

// Creates missing parent directories with 0700 and writes the file with 0600. Throws
// std::runtime_error with the path on failure.
void WriteLogin(const std::string& path, const StoredLogin& login);

// Removes the file; true when there was one.
bool RemoveLogin(const std::string& path);

}  // namespace branchline::ctl
