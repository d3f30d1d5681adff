#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "storage/store_options.h"

namespace branchline::storage {

// Points `options` at the storage a --storage value names:
//   rocksdb:DIR                       the embedded RocksDB database in DIR
//   postgres://… or postgresql://…    a PostgreSQL database (a libpq connection URI)
// INVALID_ARGUMENT (naming the accepted forms) for anything else or an empty DIR. Whether the
// PostgreSQL string parses and connects is Store::Open's to say.
absl::Status ParseStorageUri(std::string_view uri, StoreOptions& options);

}  // namespace branchline::storage
