#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "storage/engine.h"
#include "storage/store_options.h"

namespace branchline::storage {

// Connects to the PostgreSQL database named by options.postgres (a libpq connection string)
// and creates Branchline's table when missing: the cluster-mode engine (docs/cluster.md).
// Errors: INVALID_ARGUMENT for a connection string libpq cannot parse, UNAVAILABLE when no
// host accepts a connection (the message says why, never the password).
absl::StatusOr<std::unique_ptr<Engine>> OpenPostgresEngine(const StoreOptions& options);

}  // namespace branchline::storage
