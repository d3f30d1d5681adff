#include "clients/branchctl/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "nlohmann/json.hpp"

namespace branchline::ctl {
namespace {

[[noreturn]] void Fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// mkdir -p with 0700 for every directory it creates; existing ones are left as they are.
void MakeParents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) Fail("cannot create directory", dir);
  }
}

}  // namespace

std::string DefaultTokenPath() {
  const char* home = std::getenv("HOME");
  std::string base = home && *home ? std::string(home) : std::string(".");
  return base + "/.config/branchline/token";
}

std::optional<StoredLogin> ReadLogin(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    Fail("cannot read token file", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(text.str());
    StoredLogin login;
    login.server = j.value("server", "");
    login.access_token = j.value("access_token", "");
    login.access_expire_unix = j.value("access_expire_unix", int64_t{0});
    login.refresh_token = j.value("refresh_token", "");
    login.person_id = j.value("person_id", uint64_t{0});
    login.organization_id = j.value("organization_id", uint64_t{0});
    login.display_name = j.value("display_name", "");
    login.utc_offset_minutes = j.value("utc_offset_minutes", 480);
    return login;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("malformed token file " + path + " (run branchctl login again)");
  }
}

void WriteLogin(const std::string& path, const StoredLogin& login) {
  nlohmann::json j = {{"server", login.server},
                      {"access_token", login.access_token},
                      {"access_expire_unix", login.access_expire_unix},
                      {"refresh_token", login.refresh_token},
                      {"person_id", login.person_id},
                      {"organization_id", login.organization_id},
                      {"display_name", login.display_name},
                      {"utc_offset_minutes", login.utc_offset_minutes}};
  std::string text = j.dump(2) + "\n";
  MakeParents(path);
  std::string temp = path + ".tmp" + std::to_string(getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0) Fail("cannot write token file", temp);
  // The umask cannot widen 0600, but an existing temp file could have other bits.
  fchmod(fd, 0600);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = fsync(fd) == 0 && ok;
  close(fd);
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    Fail("cannot write token file", path);
  }
}

bool RemoveLogin(const std::string& path) { return unlink(path.c_str()) == 0; }

}  // namespace branchline::ctl
