#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/backup_copy.h"
#include "services/calendar/calendar_options.h"
#include "services/common/clock.h"
#include "services/common/device_time.h"
#include "services/common/stream_bounds.h"
#include "services/feedback/anonymous_letter_limit.h"
#include "services/files/file_options.h"
#include "services/notifications/notification_options.h"
#include "storage/store_options.h"

namespace branchline {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port (see BranchlineServer::port()). Any
  // address but loopback needs TLS and behind_edge or accept_no_edge (server/listen_guard.h).
  std::string listen = "127.0.0.1:50051";
  // --behind-edge / --i-accept-no-edge: who reaches a non-loopback port (docs/security.md).
  bool behind_edge = false;
  bool accept_no_edge = false;
  // Open server streams per person and per connection, and the stall timeout of a stream
  // whose reader stopped reading (docs/limits.md).
  StreamLimits streams;
  // Data directory: RocksDB in db/ (unless `storage` says otherwise), the token signing key in
  // token.key, the receipt key in feedback.key.
  std::string data_dir = "./branchline-data";
  // Where records live (storage/storage_uri.h): empty = rocksdb:<data_dir>/db; rocksdb:DIR;
  // or postgresql://… (cluster mode, docs/cluster.md: every host of the cluster with
  // target_session_attrs=read-write).
  std::string storage;
  // Where AdminService.CreateBackup and the backup schedule write backups.
  std::string backup_dir = "./branchline-backups";
  // Scheduled backups (server/backup_schedule.h): every backup_interval_micros (0: none; not
  // with PostgreSQL storage), verified, keeping the newest backup_keep (>= 1).
  int64_t backup_interval_micros = 0;
  int backup_keep = 7;
  // Each scheduled backup copied off the machine by the operator's command (empty: none;
  // needs the schedule).
  BackupCopy backup_copy;
  // PEM certificate chain and private key; both empty means plaintext (loopback only!).
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA certificates for client certificates. When set (TLS only), the server asks each
  // client for a certificate and verifies any it is sent; clients without one (phones) are
  // still served. Service accounts can be bound to a certificate (CreateServiceAccount).
  std::string tls_client_ca_file;
  // IPs of reverse proxies (the nginx edge) whose `x-real-ip` header names the client for the
  // sign-in throttle. Empty: the header is ignored.
  std::vector<std::string> trusted_proxies;
  // trace, debug, info, warn, error.
  std::string log_level = "info";
  // text: spdlog's lines; json: one JSON object per line (server/json_log_formatter.h).
  std::string log_format = "text";
  // How long Run() lets calls in flight finish after SIGTERM/SIGINT.
  int shutdown_grace_ms = 10'000;
  // Initial password of the `admin` account on first start; empty: generated and printed.
  std::string admin_password;
  // Sync the WAL before acknowledging a write. Off only for benchmarks: loudly logged.
  bool sync_writes = true;
  // Bound of the in-memory cache of the records most calls read
  // (storage/record_cache.h); 0 turns it off. RocksDB only.
  size_t record_cache_bytes = storage::StoreOptions{}.record_cache_bytes;
  // How far phones' clocks are trusted for actions uploaded later (check-ins, study).
  DeviceTimeRules device_time;
  // One log line per call (method, status, duration, caller id) at info level.
  bool access_log = true;
  // host:port of the Prometheus /metrics endpoint (port 0: a free one); empty: no metrics.
  // When it cannot be bound the server runs without metrics and logs an error.
  // Keep it on loopback or a private network: the figures describe the whole service.
  std::string metrics_listen;
  // Minimum-cost password hashing, for test suites only.
  bool fast_password_hashing = false;
  // Change-log retention: entries older than this are deleted and cursors older than that
  // are answered CURSOR_EXPIRED (resync). Pruning runs every change_prune_interval_micros.
  int64_t change_retention_micros = 30LL * 86'400'000'000;
  int64_t change_prune_interval_micros = 10LL * 60'000'000;
  // The clock retention measures age by; null: the system clock. Tests move a fake one.
  const Clock* retention_clock = nullptr;
  // Audit-trail retention (services/audit/audit_log.h; --audit-retention-days, default 3
  // years), measured by retention_clock, pruned every audit_prune_interval_micros.
  int64_t audit_retention_micros = 3LL * 365 * 86'400'000'000;
  int64_t audit_prune_interval_micros = 6LL * 3600'000'000;
  // How often changes an anonymous author caused are published (services/sync/
  // deferred_changes.h), and the clock that decides which are due (null: the system clock).
  int64_t deferred_change_interval_micros = 10LL * 60'000'000;
  const Clock* publication_clock = nullptr;
  // Anonymous letters per receiving organisation per local day and per tenant per UTC day
  // (--anonymous-letters-per-organization-per-day, --anonymous-letters-per-tenant-per-day;
  // docs/limits.md). Both > 0 and per organisation <= per tenant, or Start refuses.
  feedback::AnonymousLetterLimit::Limits anonymous_letters;
  // Meeting series: default horizon, pass interval, clock (services/calendar).
  CalendarOptions calendar;
  // The clock of evaluation rounds (opening and closing times); the system clock when null.
  // Tests move a fake one past a round's close.
  const Clock* evaluation_clock = nullptr;
  // Reminders: pass interval, clock (services/notifications).
  NotificationOptions notifications;
  // Photos and files: size limits, the quota per organisation, upload expiry
  // (services/files/file_options.h).
  FileOptions files;
};

// The checks Start() makes before it touches anything (limits, listen exposure, TLS settings
// that need each other), for --check-config. INVALID_ARGUMENT or FAILED_PRECONDITION naming the
// flag to fix.
absl::Status CheckServerOptions(const ServerOptions& options);

// One running Branchline server: storage, services, gRPC. Thread-safe.
class BranchlineServer {
 public:
  // Opens the data directory (bootstrapping it when empty) and starts serving. Errors:
  // the store's open errors, UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<BranchlineServer>> Start(const ServerOptions& options);
  ~BranchlineServer();

  // The port actually bound.
  int port() const;
  // The port of /metrics; 0 when metrics are off.
  int metrics_port() const;
  // Stops accepting calls, lets in-flight calls finish (up to `grace_ms`) and closes the
  // database. Idempotent.
  void Shutdown(int grace_ms = 10'000);
  // Blocks until Shutdown() has finished.
  void Wait();
  // Runs audit-trail retention now (it also runs on its timer); returns the records deleted.
  absl::StatusOr<uint64_t> PruneAuditNow();
  // Deletes expired uploads now (services/files/uploads.h; tests).
  absl::StatusOr<uint64_t> PruneUploadsNow();
  // Runs change-log retention now (it also runs on its timer); returns the entries deleted.
  absl::StatusOr<uint64_t> PruneChangesNow();
  // Publishes the held-back changes of anonymous authors that are due (it also runs on its
  // timer); returns how many.
  absl::StatusOr<uint64_t> PublishDeferredChangesNow();
  // Creates the due occurrences of every meeting series (it also runs on its timer); returns
  // how many meetings it created.
  absl::StatusOr<uint64_t> MaterializeSeriesNow();
  // Runs the reminder pass (it also runs on its timer); returns how many notifications it
  // wrote.
  absl::StatusOr<uint64_t> RunRemindersNow();

  struct State;

 private:
  explicit BranchlineServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Runs a server until SIGINT or SIGTERM, then shuts down gracefully. Returns the exit code.
int Run(const ServerOptions& options);

}  // namespace branchline
