#include "tests/storage/test_backends.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

namespace branchline::storage::testing {

std::optional<std::string> PostgresDatabase(std::string* skip_reason) {
  std::ifstream env(POSTGRES_FIXTURE_ENV);
  if (!env) {
    *skip_reason = "no PostgreSQL fixture (" POSTGRES_FIXTURE_ENV
                   "): run through ctest, which starts storage_postgres_start first";
    return std::nullopt;
  }
  std::string line, socket;
  while (std::getline(env, line)) {
    if (line.rfind("unavailable=", 0) == 0) {
      *skip_reason = "PostgreSQL unavailable: " + line.substr(12);
      return std::nullopt;
    }
    if (line.rfind("socket=", 0) == 0) socket = line.substr(7);
  }
  if (socket.empty()) {
    *skip_reason = "unreadable " POSTGRES_FIXTURE_ENV;
    return std::nullopt;
  }
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string command =
      "/usr/lib/postgresql/15/bin/createdb -h '" + socket + "' -U postgres -T template0 " + name;
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "createdb failed: " << command;  // a broken fixture fails, never skips
    *skip_reason = "createdb failed";
    return std::nullopt;
  }
  // A URI, as --storage takes; host= names the socket directory.
  return "postgresql://postgres@/" + name + "?host=" + socket;
}

std::optional<StoreOptions> BackendOptions(const std::string& backend, const std::string& dir,
                                           std::string* skip_reason) {
  StoreOptions o;
  if (backend == kPostgres) {
    auto conninfo = PostgresDatabase(skip_reason);
    if (!conninfo) return std::nullopt;
    o.postgres = *conninfo;
    return o;
  }
  o.path = dir;
  o.write_buffer_size = 64 << 10;
  o.block_cache_bytes = 1 << 20;
  return o;
}

}  // namespace branchline::storage::testing
