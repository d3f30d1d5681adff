#include "server/metrics.h"

#include <map>
#include <mutex>

#include "absl/status/status.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "rpc/methods.h"
#include "storage/migrations.h"
#include "storage/store.h"

namespace branchline {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Per-tenant counts read every key of four families, so they are refreshed at most this often
// however often Prometheus scrapes.
constexpr auto kCountsMaxAge = std::chrono::seconds(30);

// Call durations: 0.5 ms to 10 s.
const prometheus::Histogram::BucketBoundaries& CallBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

MetricFamily One(const std::string& name, const std::string& help, MetricType type, double value) {
  MetricFamily family{name, help, type, {}};
  ClientMetric metric;
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// The schema migration running now (storage::CurrentMigration), read when scraped: the
// endpoint serves while Store::Open migrates, before anything else is up.
class MigrationCollector final : public prometheus::Collectable {
 public:
  std::vector<MetricFamily> Collect() const override {
    const storage::MigrationState state = storage::CurrentMigration();
    return {One("branchline_schema_migration_running",
                "1 while a schema migration runs (the server serves no calls until it ends)",
                MetricType::Gauge, state.running_from != 0),
            One("branchline_schema_migration_from_version",
                "The schema version the running migration step starts from (0: none)",
                MetricType::Gauge, state.running_from),
            One("branchline_schema_migration_done",
                "Units (e.g. change-log entries) the running migration step has done",
                MetricType::Gauge, static_cast<double>(state.done))};
  }
};

// The engine's figures (RocksDB's or PostgreSQL's) and per-tenant counts, computed when
// scraped.
class StoreCollector final : public prometheus::Collectable {
 public:
  explicit StoreCollector(const storage::Store& store) : store_(store) {}

  std::vector<MetricFamily> Collect() const override {
    const storage::StoreStats s = store_.Stats();
    std::vector<MetricFamily> out =
        store_.engine_name() == "postgres" ? PostgresFamilies(s) : RocksDbFamilies(s);
    out.insert(
        out.end(),
        {
            One("branchline_record_cache_hits_total",
                "Reads of the record cache's kinds (sessions, people, meetings, organisations, "
                "materials, study plans) answered from memory",
                MetricType::Counter, static_cast<double>(s.record_cache_hits_total)),
            One("branchline_record_cache_misses_total",
                "Reads of those kinds that went to the engine", MetricType::Counter,
                static_cast<double>(s.record_cache_misses_total)),
            One("branchline_record_cache_bytes", "Memory charged to the record cache",
                MetricType::Gauge, static_cast<double>(s.record_cache_bytes)),
            // Store::Open migrated the database to this version before serving.
            One("branchline_schema_version", "Schema version of the database (migrated at start)",
                MetricType::Gauge, storage::kLatestSchemaVersion),
        });
    out.push_back(TenantCounts());
    return out;
  }

 private:
  static std::vector<MetricFamily> RocksDbFamilies(const storage::StoreStats& s) {
    return {
        One("branchline_rocksdb_write_stopped", "1 while RocksDB stops writes (write stall)",
            MetricType::Gauge, s.write_stopped),
        One("branchline_rocksdb_delayed_write_rate_bytes",
            "Rate writes are slowed to, bytes/s (0: not slowed)", MetricType::Gauge,
            static_cast<double>(s.delayed_write_rate)),
        One("branchline_rocksdb_stall_seconds_total", "Time writers spent in write stalls",
            MetricType::Counter, s.stall_micros_total / 1e6),
        One("branchline_rocksdb_wal_syncs_total", "WAL fsyncs (shared by group commit)",
            MetricType::Counter, static_cast<double>(s.wal_syncs_total)),
        One("branchline_rocksdb_wal_sync_seconds_total", "Time spent in WAL fsyncs",
            MetricType::Counter, s.wal_sync_micros_total / 1e6),
        One("branchline_rocksdb_wal_bytes_total", "Bytes written to the WAL", MetricType::Counter,
            static_cast<double>(s.wal_bytes_total)),
        One("branchline_rocksdb_compaction_pending", "1 when a compaction is needed",
            MetricType::Gauge, static_cast<double>(s.compaction_pending)),
        One("branchline_rocksdb_compactions_running", "Compactions running", MetricType::Gauge,
            static_cast<double>(s.compactions_running)),
        One("branchline_rocksdb_flushes_running", "Memtable flushes running", MetricType::Gauge,
            static_cast<double>(s.flushes_running)),
        One("branchline_rocksdb_live_sst_bytes", "Size of the live SST files", MetricType::Gauge,
            static_cast<double>(s.live_sst_bytes)),
        One("branchline_rocksdb_memtable_bytes", "Size of all memtables", MetricType::Gauge,
            static_cast<double>(s.memtable_bytes)),
        One("branchline_rocksdb_table_readers_bytes",
            "Memory held by open SST files outside the block cache", MetricType::Gauge,
            static_cast<double>(s.table_readers_bytes)),
        One("branchline_rocksdb_block_cache_bytes",
            "Memory of the block cache (blocks and the memtable budget)", MetricType::Gauge,
            static_cast<double>(s.block_cache_bytes)),
    };
  }

  static std::vector<MetricFamily> PostgresFamilies(const storage::StoreStats& s) {
    return {
        One("branchline_postgres_up",
            "1 when the server's last statistics query reached PostgreSQL", MetricType::Gauge,
            s.postgres_up),
        One("branchline_postgres_connections_open",
            "This server's connections to PostgreSQL (reads and commits, record locks, long "
            "scans)",
            MetricType::Gauge, static_cast<double>(s.postgres_connections_open)),
        One("branchline_postgres_connections_busy", "Of them, in use now", MetricType::Gauge,
            static_cast<double>(s.postgres_connections_busy)),
        One("branchline_postgres_commits_in_flight", "This server's commits not yet answered",
            MetricType::Gauge, static_cast<double>(s.postgres_commits_in_flight)),
        One("branchline_postgres_oldest_commit_seconds",
            "How long the oldest commit in flight has run (writes are refused past 10 s)",
            MetricType::Gauge, s.postgres_oldest_commit_seconds),
        One("branchline_postgres_transactions_committed_total",
            "Transactions committed in Branchline's database (all servers)", MetricType::Counter,
            static_cast<double>(s.postgres_transactions_committed_total)),
        One("branchline_postgres_transactions_rolled_back_total",
            "Transactions rolled back in Branchline's database (all servers)", MetricType::Counter,
            static_cast<double>(s.postgres_transactions_rolled_back_total)),
        One("branchline_postgres_deadlocks_total", "Deadlocks PostgreSQL detected in the database",
            MetricType::Counter, static_cast<double>(s.postgres_deadlocks_total)),
        One("branchline_postgres_database_bytes", "Size of Branchline's database",
            MetricType::Gauge, static_cast<double>(s.postgres_database_bytes)),
        One("branchline_postgres_synchronous_standbys",
            "Standbys a commit waits for (-1: the role lacks pg_read_all_stats)", MetricType::Gauge,
            static_cast<double>(s.postgres_synchronous_standbys)),
        One("branchline_postgres_replication_lag_bytes",
            "WAL the standby furthest behind has yet to replay (-1: the role lacks "
            "pg_read_all_stats)",
            MetricType::Gauge, static_cast<double>(s.postgres_replication_lag_bytes)),
    };
  }

  MetricFamily TenantCounts() const {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (counts_.metric.empty() || now - counted_at_ > kCountsMaxAge) {
      MetricFamily family{"branchline_tenant_records",
                          "Records per tenant and kind (refreshed at most every 30 s)",
                          MetricType::Gauge,
                          {}};
      // Record keys are [tenant u32][id u64]; check-ins are [tenant][meeting][person].
      const struct {
        const char* kind;
        storage::Cf cf;
        size_t key_size;
      } kinds[] = {{"people", storage::Cf::kPeople, 12},
                   {"meetings", storage::Cf::kMeetings, 12},
                   {"check_ins", storage::Cf::kAttendance, 20},
                   {"letters", storage::Cf::kLetters, 12}};
      for (const auto& k : kinds) {
        auto counts = store_.CountKeysByTenant(k.cf, k.key_size);
        if (!counts.ok()) continue;  // left out of this scrape; the next one tries again
        for (const auto& [tenant, n] : *counts) {
          ClientMetric metric;
          metric.label = {{"kind", k.kind}, {"tenant", std::to_string(tenant)}};
          metric.gauge.value = static_cast<double>(n);
          family.metric.push_back(metric);
        }
      }
      counts_ = std::move(family);
      counted_at_ = now;
    }
    return counts_;
  }

  const storage::Store& store_;
  mutable std::mutex mu_;
  mutable MetricFamily counts_;
  mutable std::chrono::steady_clock::time_point counted_at_;
};

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC's codes are absl's codes, number for number.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? std::to_string(static_cast<int>(code)) : name;
}

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Start(const std::string& listen) {
  std::unique_ptr<ServerMetrics> m(new ServerMetrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  m->calls_ = &prometheus::BuildCounter()
                   .Name("branchline_grpc_calls_total")
                   .Help("gRPC calls finished, by method and status code")
                   .Register(*m->registry_);
  m->latency_ = &prometheus::BuildHistogram()
                     .Name("branchline_grpc_call_duration_seconds")
                     .Help("Time from the start of a call to its status, by method and code")
                     .Register(*m->registry_);
  m->writes_ = &prometheus::BuildHistogram()
                    .Name("branchline_grpc_write_duration_seconds")
                    .Help(
                        "Time from the start of a successful writing call (effect kWrites in "
                        "rpc/methods.cc) to its answer, i.e. to the acknowledged commit")
                    .Register(*m->registry_)
                    .Add({}, CallBuckets());
  m->active_streams_ = &prometheus::BuildGauge()
                            .Name("branchline_grpc_active_streams")
                            .Help("Streaming calls in progress (e.g. WatchChanges)")
                            .Register(*m->registry_)
                            .Add({});
  try {
    // One HTTP thread: Prometheus scrapes every few seconds at most.
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError("cannot serve metrics on " + listen + ": " + e.what());
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->AddCollectable(std::make_shared<MigrationCollector>());
  auto ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  return m;
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::AttachStore(const storage::Store& store) {
  AddCollectable(std::make_shared<StoreCollector>(store));
}

void ServerMetrics::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  exposer_->RegisterCollectable(collectable);
  extra_collectables_.push_back(std::move(collectable));
}

void ServerMetrics::StreamStarted() { active_streams_->Increment(); }
void ServerMetrics::StreamEnded() { active_streams_->Decrement(); }

void ServerMetrics::CallFinished(const std::string& method, grpc::StatusCode code,
                                 std::chrono::steady_clock::duration duration) {
  const std::map<std::string, std::string> labels = {{"method", method},
                                                     {"code", StatusCodeName(code)}};
  calls_->Add(labels).Increment();
  const double seconds = std::chrono::duration<double>(duration).count();
  latency_->Add(labels, CallBuckets()).Observe(seconds);
  if (code == grpc::StatusCode::OK) {
    const rpc::Method* m = rpc::FindMethod(method);
    if (m && m->effect == rpc::Effect::kWrites) writes_->Observe(seconds);
  }
}

}  // namespace branchline
