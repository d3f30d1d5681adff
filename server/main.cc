#include <cstdio>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "server/server.h"
#include "services/admin/backups.h"

// branchline-server: parse flags, run. Everything else is in server.cc.
int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex deadlock detection on: a
  // global lock-order graph updated whenever gRPC nests its locks, on every call. bench/
  // profiles show it at 4-7% of the server's CPU under 64 concurrent check-ins (the graph
  // cycle library alone 3.7%). It guards against lock-order bugs in gRPC, not in our code.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  branchline::ServerOptions options;
  bool unsafe_no_sync = false;
  CLI::App app{"Branchline: meeting attendance, study check-ins and staff mailbox over gRPC"};
  app.add_option("--listen", options.listen,
                 "Address to serve gRPC on (host:port); anything but loopback needs TLS and "
                 "--behind-edge or --i-accept-no-edge")
      ->capture_default_str();
  app.add_flag("--behind-edge", options.behind_edge,
               "A non-loopback --listen is reached only through the nginx edge (docs/security.md)");
  app.add_flag("--i-accept-no-edge", options.accept_no_edge,
               "A non-loopback --listen faces clients directly, without the nginx edge in front "
               "of gRPC 1.51's HTTP/2 (known denial-of-service issues; docs/security.md)");
  app.add_option("--data-dir", options.data_dir, "Data directory (RocksDB and token key)")
      ->capture_default_str();
  app.add_option("--storage", options.storage,
                 "Where records live: rocksdb:DIR (default: rocksdb:<data-dir>/db) or a "
                 "postgresql://… URI listing every host with target_session_attrs=read-write "
                 "(cluster mode, docs/cluster.md)");
  app.add_option("--backup-dir", options.backup_dir, "Directory for online backups (AdminService)")
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate chain for TLS");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key for TLS");
  app.add_option("--trusted-proxy", options.trusted_proxies,
                 "IP of a reverse proxy (the nginx edge) whose X-Real-IP names the client for "
                 "sign-in throttling; repeatable");
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "PEM CA for optional client certificates (service accounts bound to one)");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--admin-password", options.admin_password,
                 "Initial password of 'admin' on first start (or $BRANCHLINE_ADMIN_PASSWORD; "
                 "generated and printed once when neither is set)");
  app.add_flag("--unsafe-no-sync", unsafe_no_sync,
               "Acknowledge writes before the WAL is synced (benchmarks only: loses data on "
               "power failure)");
  int64_t max_offline_hours = 7 * 24, max_clock_skew_seconds = 5 * 60;
  app.add_option("--max-offline-hours", max_offline_hours,
                 "Oldest device time accepted for an action a phone uploads later")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 90));
  app.add_option("--max-clock-skew-seconds", max_clock_skew_seconds,
                 "How far in the future a phone's clock may run")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  int64_t change_retention_days = 30, change_retention_seconds = 0, prune_interval_seconds = 600;
  app.add_option("--change-retention-days", change_retention_days,
                 "Change-log entries older than this are deleted; older sync cursors must resync")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  app.add_option("--change-retention-seconds", change_retention_seconds,
                 "Retention in seconds instead of days (for tests of cursor expiry)")
      ->check(CLI::Range(1, 3650 * 86400));
  app.add_option("--change-prune-interval-seconds", prune_interval_seconds,
                 "How often change-log retention runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  std::string metrics_listen = "127.0.0.1:9464";
  app.add_option("--metrics-listen", metrics_listen,
                 "host:port for Prometheus /metrics (port 0: any free port); empty or 'off' "
                 "disables. Keep it on loopback or a private network.")
      ->capture_default_str();
  // Anonymous letters carry no author to throttle, so they are limited per receiving
  // organisation and per tenant (docs/limits.md); Start checks per organisation <= per tenant.
  app.add_option("--anonymous-letters-per-organization-per-day",
                 options.anonymous_letters.per_organization_per_day,
                 "Anonymous letters one organisation receives per local day; beyond it "
                 "RESOURCE_EXHAUSTED with a retry delay to the next day")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--anonymous-letters-per-tenant-per-day",
                 options.anonymous_letters.per_tenant_per_day,
                 "Anonymous letters a whole tenant receives per UTC day (>= the per-organisation "
                 "allowance)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  double stall_timeout_seconds = 30;
  app.add_option("--max-streams-per-person", options.streams.per_person,
                 "Server streams (WatchChanges, CSV exports) one caller may have open at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--max-streams-per-connection", options.streams.per_connection,
                 "Server streams one connection may have open at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--stream-stall-timeout-seconds", stall_timeout_seconds,
                 "A stream whose reader takes nothing for this long is cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  bool no_access_log = false;
  app.add_flag("--no-access-log", no_access_log, "Do not log one line per call");
  app.add_flag("--fast-password-hashing", options.fast_password_hashing,
               "Minimum-cost Argon2id, for test suites only");
  // `branchline-server restore`: an offline command, never an RPC, so it cannot replace the
  // database of a running server.
  std::string restore_from;
  uint32_t restore_id = 0;
  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into a new data directory (--data-dir), then exit");
  restore->fallthrough();  // --data-dir (the target) belongs to the main command
  restore->add_option("--from", restore_from, "Backup directory")->required();
  restore->add_option("--backup-id", restore_id, "Backup to restore (default: the latest)");
  CLI11_PARSE(app, argc, argv);
  if (*restore) {
    auto status = branchline::RestoreDataDir(restore_from, restore_id, options.data_dir);
    if (!status.ok()) {
      std::fprintf(stderr, "restore failed: %s\n", std::string(status.message()).c_str());
      return 1;
    }
    std::printf("restored into %s\n", options.data_dir.c_str());
    return 0;
  }
  options.sync_writes = !unsafe_no_sync;
  options.access_log = !no_access_log;
  options.metrics_listen = metrics_listen == "off" ? "" : metrics_listen;
  options.device_time.max_delay_micros = max_offline_hours * 3'600'000'000LL;
  options.device_time.max_future_skew_micros = max_clock_skew_seconds * 1'000'000LL;
  options.change_retention_micros = change_retention_seconds > 0
                                        ? change_retention_seconds * 1'000'000LL
                                        : change_retention_days * 86'400'000'000LL;
  options.change_prune_interval_micros = prune_interval_seconds * 1'000'000LL;
  options.streams.stall_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(stall_timeout_seconds * 1000));
  return branchline::Run(options);
}
