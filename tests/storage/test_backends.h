#pragma once

#include <optional>
#include <string>

#include "storage/store.h"
#include "storage/store_options.h"

namespace branchline::storage::testing {

// The two engines the storage contract runs against. PostgreSQL comes from the ctest fixture
// storage_postgres (tests/storage/postgres_fixture.sh), one server for the whole run and a
// fresh database per call of PostgresDatabase.
inline constexpr char kRocksDb[] = "rocksdb";
inline constexpr char kPostgres[] = "postgres";

// A new, empty database on the fixture's server: the postgresql:// URI the store connects
// with, and a psql command line connected to it as the superuser (for tests that reach
// around the store: triggers, pg_terminate_backend, server settings).
struct PostgresTestDatabase {
  std::string uri;
  std::string psql;
};
// nullopt, with the reason (binaries missing, test not started through ctest) in
// `skip_reason`, when there is no fixture.
std::optional<PostgresTestDatabase> NewPostgresDatabase(std::string* skip_reason);
// Commits `writes` with Store::Commit, or with Store::CommitAsync waiting for its `done`: the
// two paths every engine must serve alike.
absl::Status CommitAndWait(Store& store, WriteSet writes, bool async);

// Store::Get's value, nullopt when absent; a failed read fails the test (and is nullopt).
std::optional<std::string> ReadValue(const Store& store, Cf cf, const std::string& key);

// Runs SQL through `db`'s psql (tests never link libpq: only storage/ does) and returns its
// unaligned output without the trailing newline; a failing command fails the test.
std::string Psql(const PostgresTestDatabase& db, const std::string& sql);
// Only the URI of NewPostgresDatabase.
std::optional<std::string> PostgresDatabase(std::string* skip_reason);

// Whether this test process runs the service suites on PostgreSQL (BRANCHLINE_TEST_STORAGE=
// postgres, set by the postgres_* tests of tests/CMakeLists.txt): TestServer then gives each
// server a database of its own, and the tests that reach around the API into RocksDB skip.
bool ServiceSuitesOnPostgres();

// Options for `backend`: RocksDB in `dir` with tiny memtables (flushes really happen), or a
// new PostgreSQL database. nullopt with `skip_reason` set when PostgreSQL is unavailable.
std::optional<StoreOptions> BackendOptions(const std::string& backend, const std::string& dir,
                                           std::string* skip_reason);

}  // namespace branchline::storage::testing
