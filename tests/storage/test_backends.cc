#include "tests/storage/test_backends.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace branchline::storage::testing {

bool ServiceSuitesOnPostgres() {
  const char* engine = std::getenv("BRANCHLINE_TEST_STORAGE");
  return engine != nullptr && std::string_view(engine) == kPostgres;
}

std::optional<std::string> ReadValue(const Store& store, Cf cf, const std::string& key) {
  auto value = store.Get(cf, key);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : std::nullopt;
}

absl::Status CommitAndWait(Store& store, WriteSet writes, bool async) {
  if (!async) return store.Commit(std::move(writes));
  absl::Status result;
  std::atomic<bool> done{false};
  store.CommitAsync(std::move(writes), [&](absl::Status s) {
    result = std::move(s);
    done = true;
    done.notify_one();
  });
  done.wait(false);
  return result;
}

std::string Psql(const PostgresTestDatabase& db, const std::string& sql) {
  std::string quoted = "'";
  for (char c : sql) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  std::string command = db.psql + " -c " + quoted + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (!pipe) return "";
  std::string out;
  char buffer[256];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command << "\n" << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The fixture's file: socket=DIR (and port=P) to create databases through as `postgres`;
// optionally uri=… with {db} where the database name goes, the string the store connects with
// (the Patroni cluster test: every host, target_session_attrs=read-write) and owner=ROLE.
// $BRANCHLINE_POSTGRES_ENV overrides the path.
std::optional<PostgresTestDatabase> NewPostgresDatabase(std::string* skip_reason) {
  const char* override_path = std::getenv("BRANCHLINE_POSTGRES_ENV");
  const std::string path = override_path ? override_path : POSTGRES_FIXTURE_ENV;
  std::ifstream env(path);
  if (!env) {
    *skip_reason = "no PostgreSQL fixture (" + path +
                   "): run through ctest, which starts storage_postgres_start first";
    return std::nullopt;
  }
  std::string line, socket, port = "5432", uri, owner;
  while (std::getline(env, line)) {
    if (line.rfind("unavailable=", 0) == 0) {
      *skip_reason = "PostgreSQL unavailable: " + line.substr(12);
      return std::nullopt;
    }
    if (line.rfind("socket=", 0) == 0) socket = line.substr(7);
    if (line.rfind("port=", 0) == 0) port = line.substr(5);
    if (line.rfind("uri=", 0) == 0) uri = line.substr(4);
    if (line.rfind("owner=", 0) == 0) owner = line.substr(6);
  }
  if (socket.empty()) {
    ADD_FAILURE() << "unreadable " << path;
    *skip_reason = "unreadable " + path;
    return std::nullopt;
  }
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string server = " -h '" + socket + "' -p " + port + " -U postgres ";
  std::string command = "/usr/lib/postgresql/15/bin/createdb" + server + "-T template0 " +
                        (owner.empty() ? "" : "-O " + owner + " ") + name;
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "createdb failed: " << command;  // a broken fixture fails, never skips
    *skip_reason = "createdb failed";
    return std::nullopt;
  }
  PostgresTestDatabase db;
  db.psql =
      "/usr/lib/postgresql/15/bin/psql -X -q -A -t -v ON_ERROR_STOP=1" + server + "-d " + name;
  if (auto at = uri.find("{db}"); at != std::string::npos) {
    db.uri = uri.replace(at, 4, name);
  } else {
    // A URI, as --storage takes; host= names the socket directory.
    db.uri = "postgresql://postgres@/" + name + "?host=" + socket + "&port=" + port;
  }
  return db;
}

std::optional<std::string> PostgresDatabase(std::string* skip_reason) {
  auto db = NewPostgresDatabase(skip_reason);
  if (!db) return std::nullopt;
  return db->uri;
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
