#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "storage/engine.h"
#include "storage/store_options.h"

namespace branchline::storage {

// Opens (creating if missing) the RocksDB database at options.path: the embedded engine, one
// database per data directory, a column family per Cf. Errors: FAILED_PRECONDITION for unknown
// column families (a newer version's database), UNAVAILABLE when another process holds it.
absl::StatusOr<std::unique_ptr<Engine>> OpenRocksDbEngine(const StoreOptions& options);

}  // namespace branchline::storage
