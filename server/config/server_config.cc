#include "server/config/server_config.h"

#include <unistd.h>

#include <cctype>

#include "server/config/secret_file.h"

namespace branchline {

namespace {

using C = ServerConfig;

// Every flag of branchline-server. Adding a setting here makes it a flag, an environment
// variable and a config-file key at once; ToServerOptions() says what it does.
const Setting kSettings[] = {
    {"listen", &C::listen,
     "Address to serve gRPC on (host:port); anything but loopback needs TLS and behind_edge or "
     "i_accept_no_edge"},
    {"behind_edge", &C::behind_edge,
     "A non-loopback listen address is reached only through the nginx edge (docs/security.md)"},
    {"i_accept_no_edge", &C::i_accept_no_edge,
     "A non-loopback listen address faces clients directly, without the nginx edge in front of "
     "gRPC 1.51's HTTP/2 (known denial-of-service issues; docs/security.md)"},
    {"data_dir", &C::data_dir, "Data directory (RocksDB and the token and receipt keys)"},
    {"storage", &C::storage,
     "Where records live: rocksdb:DIR (default: rocksdb:<data_dir>/db) or a postgresql://… URI "
     "listing every host with target_session_attrs=read-write (cluster mode, docs/cluster.md); "
     "give its password with passfile=, not in the URI",
     0, 0, "", Secrecy::kUriWithPassword},
    {"backup_dir", &C::backup_dir,
     "Directory for online backups (AdminService.CreateBackup and the schedule)"},
    {"backup_interval_minutes", &C::backup_interval_minutes,
     "Take a verified online backup into backup_dir this often (0: off; RocksDB storage only, "
     "with PostgreSQL use pg_basebackup or pgBackRest)",
     0, 525600},
    {"backup_keep", &C::backup_keep,
     "How many backups the schedule keeps (the oldest beyond it are deleted)", 1, 100000},
    {"backup_copy_command", &C::backup_copy_command,
     "Shell command that copies each scheduled backup off the machine once it is verified "
     "(%d: backup_dir, %i: the backup's id; exit 0 for success), e.g. rsync -a --delete %d/ "
     "backup-host:/srv/branchline/; empty: no copy"},
    {"backup_copy_timeout_minutes", &C::backup_copy_timeout_minutes,
     "A backup copy command running longer is ended and counted as failed", 1, 1440},
    {"tls_cert", &C::tls_cert, "PEM certificate chain for TLS"},
    {"tls_key", &C::tls_key, "PEM private key for TLS (a file only the service user may read)", 0,
     0, "", Secrecy::kSecretFile},
    {"trusted_proxy", &C::trusted_proxy,
     "IP of a reverse proxy (the nginx edge) whose X-Real-IP names the client for sign-in "
     "throttling; repeatable (a list in the config file)"},
    {"tls_client_ca", &C::tls_client_ca,
     "PEM CA for optional client certificates (service accounts bound to one)"},
    {"log_level", &C::log_level, "trace, debug, info, warn or error", 0, 0,
     "trace|debug|info|warn|error"},
    {"log_format", &C::log_format,
     "text (spdlog lines) or json (one JSON object per line for a log shipper: time, level, "
     "message)",
     0, 0, "text|json"},
    {"admin_password", &C::admin_password,
     "Initial password of 'admin' on first start (tests; in production use admin_password_file); "
     "generated and printed once when no password is given",
     0, 0, "", Secrecy::kSecretValue},
    {"admin_password_file", &C::admin_password_file,
     "File holding the initial password of 'admin' on first start (readable by the service user "
     "only)",
     0, 0, "", Secrecy::kSecretFile},
    {"unsafe_no_sync", &C::unsafe_no_sync,
     "Acknowledge writes before the WAL is synced (benchmarks only: loses data on power failure)"},
    {"max_offline_hours", &C::max_offline_hours,
     "Oldest device time accepted for an action a phone uploads later", 1, 24 * 90},
    {"max_clock_skew_seconds", &C::max_clock_skew_seconds,
     "How far in the future a phone's clock may run", 0, 3600},
    {"change_retention_days", &C::change_retention_days,
     "Change-log entries older than this are deleted; older sync cursors must resync", 1, 3650},
    {"change_retention_seconds", &C::change_retention_seconds,
     "Retention in seconds instead of days (for tests of cursor expiry; 0: use the days)", 0,
     3650.0 * 86400},
    {"change_prune_interval_seconds", &C::change_prune_interval_seconds,
     "How often change-log retention runs", 1, 86400},
    {"audit_retention_days", &C::audit_retention_days,
     "Audit records (who wrote what, when) older than this are deleted", 30, 36500},
    {"file_quota_mb", &C::file_quota_mb,
     "Megabytes of photos and files each organisation may store (its files' sizes added up)", 1,
     1024 * 1024},
    {"record_cache_mb", &C::record_cache_mb,
     "Megabytes of memory for the records most calls read (sessions, people, meetings, "
     "organisations, study materials and plans; 0: read them from the database each time; "
     "RocksDB storage only, cluster mode reads through)",
     0, 65536},
    {"reminder_interval_seconds", &C::reminder_interval_seconds,
     "How often the reminder pass runs (docs/notifications.md); \"check-in closes in 10 "
     "minutes\" is late by at most this much",
     1, 3600},
    {"metrics_listen", &C::metrics_listen,
     "host:port for Prometheus /metrics (port 0: any free port); empty or 'off' disables. Keep "
     "it on loopback or a private network."},
    // Anonymous letters carry no author to throttle, so they are limited per receiving
    // organisation and per tenant (docs/limits.md); Start checks per organisation <= per tenant.
    {"anonymous_letters_per_organization_per_day", &C::anonymous_letters_per_organization_per_day,
     "Anonymous letters one organisation receives per local day; beyond it RESOURCE_EXHAUSTED "
     "with a retry delay to the next day",
     1, 1000000},
    {"anonymous_letters_per_tenant_per_day", &C::anonymous_letters_per_tenant_per_day,
     "Anonymous letters a whole tenant receives per UTC day (>= the per-organisation allowance)", 1,
     1000000},
    {"max_streams_per_person", &C::max_streams_per_person,
     "Server streams (WatchChanges, CSV exports) one caller may have open at once", 1, 100000},
    {"max_streams_per_connection", &C::max_streams_per_connection,
     "Server streams one connection may have open at once", 1, 100000},
    {"stream_stall_timeout_seconds", &C::stream_stall_timeout_seconds,
     "A stream whose reader takes nothing for this long is cancelled", 0.1, 3600},
    {"shutdown_grace_seconds", &C::shutdown_grace_seconds,
     "On SIGTERM, how long calls in flight may take to finish (the systemd unit's "
     "TimeoutStopSec leaves room for it)",
     0, 600},
    {"no_access_log", &C::no_access_log, "Do not log one line per call"},
    {"fast_password_hashing", &C::fast_password_hashing,
     "Minimum-cost Argon2id, for test suites only"},
};

}  // namespace

std::span<const Setting> Settings() { return kSettings; }

std::string FlagName(const Setting& setting) {
  std::string flag = std::string("--") + setting.key;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

std::string EnvName(const Setting& setting) {
  std::string env = std::string("BRANCHLINE_") + setting.key;
  for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

absl::StatusOr<ServerOptions> ToServerOptions(const ServerConfig& config) {
  ServerOptions options;
  options.listen = config.listen;
  options.behind_edge = config.behind_edge;
  options.accept_no_edge = config.i_accept_no_edge;
  options.data_dir = config.data_dir;
  options.storage = config.storage;
  options.backup_dir = config.backup_dir;
  options.backup_interval_micros = config.backup_interval_minutes * 60'000'000LL;
  options.backup_keep = static_cast<int>(config.backup_keep);
  options.backup_copy = {config.backup_copy_command,
                         std::chrono::minutes(config.backup_copy_timeout_minutes)};
  options.tls_cert_file = config.tls_cert;
  options.tls_key_file = config.tls_key;
  options.trusted_proxies = config.trusted_proxy;
  options.tls_client_ca_file = config.tls_client_ca;
  options.log_level = config.log_level;
  options.log_format = config.log_format;
  options.admin_password = config.admin_password;
  if (!config.admin_password_file.empty()) {
    if (!config.admin_password.empty()) {
      return absl::InvalidArgumentError("admin_password and admin_password_file are both set");
    }
    auto password = ReadSecretFile(config.admin_password_file, "admin_password_file");
    if (!password.ok()) return password.status();
    // A trailing newline is what `echo secret > file` leaves, not part of the password.
    while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) {
      password->pop_back();
    }
    options.admin_password = *password;
  }
  options.sync_writes = !config.unsafe_no_sync;
  options.device_time.max_delay_micros = config.max_offline_hours * 3'600'000'000LL;
  options.device_time.max_future_skew_micros = config.max_clock_skew_seconds * 1'000'000LL;
  options.audit_retention_micros = config.audit_retention_days * 86'400'000'000LL;
  options.files.quota_bytes_per_organization = static_cast<uint64_t>(config.file_quota_mb) << 20;
  options.record_cache_bytes = static_cast<size_t>(config.record_cache_mb) << 20;
  options.notifications.pass_interval_micros = config.reminder_interval_seconds * 1'000'000LL;
  options.change_retention_micros = config.change_retention_seconds > 0
                                        ? config.change_retention_seconds * 1'000'000LL
                                        : config.change_retention_days * 86'400'000'000LL;
  options.change_prune_interval_micros = config.change_prune_interval_seconds * 1'000'000LL;
  options.metrics_listen = config.metrics_listen == "off" ? "" : config.metrics_listen;
  options.anonymous_letters.per_organization_per_day =
      static_cast<int>(config.anonymous_letters_per_organization_per_day);
  options.anonymous_letters.per_tenant_per_day =
      static_cast<int>(config.anonymous_letters_per_tenant_per_day);
  options.streams.per_person = static_cast<int>(config.max_streams_per_person);
  options.streams.per_connection = static_cast<int>(config.max_streams_per_connection);
  options.streams.stall_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.stream_stall_timeout_seconds * 1000));
  options.shutdown_grace_ms = static_cast<int>(config.shutdown_grace_seconds * 1000);
  options.access_log = !config.no_access_log;
  options.fast_password_hashing = config.fast_password_hashing;
  // The settings' combinations first: "--tls-client-ca needs TLS" says more than a missing file.
  if (auto checked = CheckServerOptions(options); !checked.ok()) return checked;
  if (!config.tls_key.empty()) {
    if (auto key = CheckSecretFile(config.tls_key, "tls_key"); !key.ok()) return key;
  }
  // Public files, but --check-config should find a wrong path before a start does.
  for (const auto& [setting, path] : {std::pair{"tls_cert", &config.tls_cert},
                                      std::pair{"tls_client_ca", &config.tls_client_ca}}) {
    if (!path->empty() && access(path->c_str(), R_OK) != 0) {
      return absl::NotFoundError(std::string(setting) + ": cannot read " + *path);
    }
  }
  return options;
}

}  // namespace branchline
