#include "storage/storage_uri.h"

#include <string>

namespace branchline::storage {

absl::Status ParseStorageUri(std::string_view uri, StoreOptions& options) {
  constexpr std::string_view kRocksDb = "rocksdb:";
  if (uri.substr(0, kRocksDb.size()) == kRocksDb) {
    if (uri.size() == kRocksDb.size()) {
      return absl::InvalidArgumentError("--storage rocksdb: needs a directory (rocksdb:DIR)");
    }
    options.path = std::string(uri.substr(kRocksDb.size()));
    options.postgres.clear();
    return absl::OkStatus();
  }
  if (uri.substr(0, 11) == "postgres://" || uri.substr(0, 13) == "postgresql://") {
    options.postgres = std::string(uri);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "--storage must be rocksdb:DIR or a postgresql://… connection URI");
}

}  // namespace branchline::storage
