#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"

namespace prometheus {
class Registry;
class Exposer;
class Gauge;
class Counter;
class Histogram;
class Collectable;
template <typename T>
class Family;
}  // namespace prometheus

namespace branchline {
namespace storage {
class Store;
}

// Prometheus metrics on their own HTTP port (GET /metrics): calls and latency per method and
// status code, streams in progress, a schema migration's progress, RocksDB figures and
// per-tenant record counts. The call figures are fed by the call recorder
// (server/call_recorder.h); the storage and
// migration figures are read when scraped. Thread-safe.
class ServerMetrics {
 public:
  // Serves /metrics on `listen` (host:port; port 0 picks a free one), from before the
  // database opens, so a long schema migration shows its progress
  // (branchline_schema_migration_*). UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Start(const std::string& listen);
  // Adds the storage figures once the database is open. `store` outlives this object.
  void AttachStore(const storage::Store& store);
  ~ServerMetrics();

  int port() const { return port_; }

  void StreamStarted();
  void StreamEnded();
  void CallFinished(const std::string& method, grpc::StatusCode code,
                    std::chrono::steady_clock::duration duration);
  // Serves `collectable`'s figures too (kept alive here), e.g. the operations figures.
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);

 private:
  ServerMetrics() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* calls_ = nullptr;
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
  prometheus::Histogram* writes_ = nullptr;  // acknowledged writes, all methods together
  prometheus::Gauge* active_streams_ = nullptr;
  std::vector<std::shared_ptr<prometheus::Collectable>> extra_collectables_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

// The name Prometheus series use for a status code, e.g. "INVALID_ARGUMENT".
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace branchline
