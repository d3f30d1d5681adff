#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Collectable;
}

namespace branchline {
namespace storage {
class Store;
}
struct BackupFigures;

// What an operator's alerts need beyond calls and RocksDB (deploy/monitoring/): backups, free
// space of the data directory, sign-in throttle refusals and how far the change log reaches
// back. Computed when scraped (the change log's age at most every 30 s).
struct OperationsSources {
  const storage::Store* store = nullptr;
  std::string data_dir;
  const BackupFigures* backups = nullptr;
  int64_t change_retention_micros = 0;
};

std::shared_ptr<prometheus::Collectable> MakeOperationsCollector(OperationsSources sources);

}  // namespace branchline
