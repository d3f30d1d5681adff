#pragma once

#include <optional>
#include <string>

#include "storage/store_options.h"

namespace branchline::storage::testing {

// The two engines the storage contract runs against. PostgreSQL comes from the ctest fixture
// storage_postgres (tests/storage/postgres_fixture.sh), one server for the whole run and a
// fresh database per call of PostgresDatabase.
inline constexpr char kRocksDb[] = "rocksdb";
inline constexpr char kPostgres[] = "postgres";

// A postgresql:// URI of a new, empty database on the fixture's server, or the reason
// there is none (binaries missing, test not started through ctest) in `skip_reason`.
std::optional<std::string> PostgresDatabase(std::string* skip_reason);

// Options for `backend`: RocksDB in `dir` with tiny memtables (flushes really happen), or a
// new PostgreSQL database. nullopt with `skip_reason` set when PostgreSQL is unavailable.
std::optional<StoreOptions> BackendOptions(const std::string& backend, const std::string& dir,
                                           std::string* skip_reason);

}  // namespace branchline::storage::testing
