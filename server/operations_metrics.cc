#include "server/operations_metrics.h"

#include <sys/statvfs.h>

#include <chrono>
#include <mutex>
#include <optional>

#include "prometheus/client_metric.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/backup_schedule.h"
#include "services/auth/sign_in_throttle_count.h"
#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/store.h"

namespace branchline {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Finding the oldest change-log entry reads one entry per tenant: at most this often.
constexpr auto kChangeAgeMaxAge = std::chrono::seconds(30);

MetricFamily Gauge(const std::string& name, const std::string& help, double value) {
  MetricFamily family{name, help, MetricType::Gauge, {}};
  ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(metric);
  return family;
}

// A counter by result: {result="ok"} and {result="failed"}.
MetricFamily ResultCounter(const std::string& name, const std::string& help, uint64_t ok,
                           uint64_t failed) {
  MetricFamily family{name, help, MetricType::Counter, {}};
  for (const auto& [result, n] : {std::pair{"ok", ok}, std::pair{"failed", failed}}) {
    ClientMetric metric;
    metric.label = {{"result", result}};
    metric.counter.value = static_cast<double>(n);
    family.metric.push_back(metric);
  }
  return family;
}

class OperationsCollector final : public prometheus::Collectable {
 public:
  explicit OperationsCollector(OperationsSources sources) : sources_(std::move(sources)) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    if (const BackupFigures* b = sources_.backups) {
      out.push_back(Gauge("branchline_backup_last_success_timestamp_seconds",
                          "Unix time of the newest good backup (scheduled and verified, or "
                          "made by CreateBackup); 0: none yet",
                          static_cast<double>(b->last_success_seconds.load())));
      out.push_back(ResultCounter("branchline_backup_runs_total",
                                  "Scheduled backup runs by result (ok: made and verified)",
                                  b->runs_ok.load(), b->runs_failed.load()));
      out.push_back(Gauge("branchline_backup_duration_seconds",
                          "Duration of the last scheduled backup run (backup, verify, purge)",
                          b->last_duration_seconds.load()));
      out.push_back(Gauge("branchline_backup_interval_seconds",
                          "Interval of scheduled backups (0: no schedule)",
                          b->interval_seconds.load()));
      if (b->copy_configured.load()) {
        out.push_back(Gauge("branchline_backup_copy_last_success_timestamp_seconds",
                            "Creation time (unix) of the newest backup copied off the machine "
                            "by backup_copy_command; 0: none yet",
                            static_cast<double>(b->copy_last_success_seconds.load())));
        out.push_back(ResultCounter("branchline_backup_copy_runs_total",
                                    "Copies of scheduled backups off the machine by result",
                                    b->copy_runs_ok.load(), b->copy_runs_failed.load()));
      }
    }
    struct statvfs fs {};
    if (!sources_.data_dir.empty() && statvfs(sources_.data_dir.c_str(), &fs) == 0) {
      out.push_back(Gauge("branchline_data_dir_free_bytes",
                          "Bytes available to the server on the data directory's file system",
                          static_cast<double>(fs.f_bavail) * fs.f_frsize));
      out.push_back(Gauge("branchline_data_dir_size_bytes",
                          "Size of the data directory's file system",
                          static_cast<double>(fs.f_blocks) * fs.f_frsize));
    }
    MetricFamily throttled{"branchline_signin_throttled_total",
                           "Sign-in attempts refused by the sign-in throttle (passwords and "
                           "service keys)",
                           MetricType::Counter,
                           {}};
    ClientMetric refusals;
    refusals.counter.value = static_cast<double>(SignInThrottleRefusals());
    throttled.metric.push_back(refusals);
    out.push_back(std::move(throttled));
    out.push_back(Gauge("branchline_change_log_retention_seconds",
                        "Change-log retention window (change_retention_days)",
                        sources_.change_retention_micros / 1e6));
    if (sources_.store) {
      out.push_back(Gauge("branchline_background_leader",
                          "1 while this server runs the database's background passes (reminders, "
                          "meeting series, deferred publication, pruning): always with RocksDB, "
                          "one server of a PostgreSQL database at a time",
                          sources_.store->LedBackgroundWork() ? 1 : 0));
    }
    if (auto age = OldestChangeAgeSeconds()) {
      out.push_back(Gauge("branchline_change_log_oldest_age_seconds",
                          "Age of the oldest change-log entry of any tenant (0: empty); above "
                          "the retention window when pruning falls behind",
                          *age));
    }
    return out;
  }

 private:
  // The age of the oldest entry left in the change log (each tenant's first entry above its
  // prune mark); nullopt when the store cannot be read.
  std::optional<double> OldestChangeAgeSeconds() const {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (age_ && now - aged_at_ < kChangeAgeMaxAge) return age_;
    if (!sources_.store) return std::nullopt;
    const storage::Store& store = *sources_.store;
    int64_t oldest_micros = 0;
    uint32_t tenant = 0;
    for (;;) {
      std::optional<uint32_t> next;
      auto status =
          store.Scan(storage::Cf::kChanges, "", storage::KeyBuilder(tenant).U64(UINT64_MAX).key(),
                     [&](std::string_view key, std::string_view) {
                       next = storage::KeyReader(key).U32();
                       return false;
                     });
      if (!status.ok()) return std::nullopt;
      if (!next) break;
      tenant = *next;
      status =
          store.Scan(storage::Cf::kChanges, storage::KeyBuilder(tenant).key(),
                     storage::ChangeKey(tenant, store.ChangesPrunedThrough(tenant)),
                     [&](std::string_view, std::string_view value) {
                       internal::v1::ChangeRecord change;
                       if (change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                         const int64_t micros = change.commit_time().seconds() * 1'000'000 +
                                                change.commit_time().nanos() / 1'000;
                         if (oldest_micros == 0 || micros < oldest_micros) {
                           oldest_micros = micros;
                         }
                       }
                       return false;
                     });
      if (!status.ok()) return std::nullopt;
      if (tenant == UINT32_MAX) break;
    }
    const int64_t now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    age_ = oldest_micros == 0 ? 0.0 : std::max<int64_t>(0, now_micros - oldest_micros) / 1e6;
    aged_at_ = now;
    return age_;
  }

  const OperationsSources sources_;
  mutable std::mutex mu_;
  mutable std::optional<double> age_;
  mutable std::chrono::steady_clock::time_point aged_at_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> MakeOperationsCollector(OperationsSources sources) {
  return std::make_shared<OperationsCollector>(std::move(sources));
}

}  // namespace branchline
