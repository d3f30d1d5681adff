#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "server/server.h"

namespace branchline {

// Every setting of branchline-server as the operator writes it: one field per flag, in the
// units the flag takes (hours, seconds). The config file, the environment and the command line
// all fill this struct through the one table below; ToServerOptions() converts it.
struct ServerConfig {
  std::string listen = "127.0.0.1:50051";
  bool behind_edge = false;
  bool i_accept_no_edge = false;
  std::string data_dir = "./branchline-data";
  std::string storage;
  std::string backup_dir = "./branchline-backups";
  int64_t backup_interval_minutes = 0;
  int64_t backup_keep = 7;
  std::string backup_copy_command;
  int64_t backup_copy_timeout_minutes = 60;
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> trusted_proxy;
  std::string tls_client_ca;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string admin_password;
  std::string admin_password_file;
  bool unsafe_no_sync = false;
  int64_t max_offline_hours = 7 * 24;
  int64_t max_clock_skew_seconds = 5 * 60;
  int64_t change_retention_days = 30;
  int64_t change_retention_seconds = 0;
  int64_t change_prune_interval_seconds = 600;
  int64_t audit_retention_days = 3 * 365;
  int64_t file_quota_mb = 2048;
  int64_t record_cache_mb = 16;
  int64_t reminder_interval_seconds = 60;
  std::string metrics_listen = "127.0.0.1:9464";
  int64_t anonymous_letters_per_organization_per_day =
      feedback::AnonymousLetterLimit::Limits{}.per_organization_per_day;
  int64_t anonymous_letters_per_tenant_per_day =
      feedback::AnonymousLetterLimit::Limits{}.per_tenant_per_day;
  int64_t max_streams_per_person = StreamLimits{}.per_person;
  int64_t max_streams_per_connection = StreamLimits{}.per_connection;
  double stream_stall_timeout_seconds = 30;
  int64_t shutdown_grace_seconds = 10;
  bool no_access_log = false;
  bool fast_password_hashing = false;
};

// How a setting's value must be kept out of sight.
enum class Secrecy {
  kPlain,
  // The value is a secret (a password): masked when printed, refused in the config file (which
  // is usually world-readable): give it as a file through the matching *_file setting.
  kSecretValue,
  // The value names a file holding a secret: the file must not be readable by group or others.
  kSecretFile,
  // A URI that may carry a password (postgresql://user:PASSWORD@host): masked when printed.
  kUriWithPassword,
};

using SettingField =
    std::variant<std::string ServerConfig::*, bool ServerConfig::*, int64_t ServerConfig::*,
                 double ServerConfig::*, std::vector<std::string> ServerConfig::*>;

// One setting, declared once. Its names follow from `key`: the config file key `key`, the flag
// --key-with-dashes and the environment variable BRANCHLINE_KEY_IN_CAPITALS.
struct Setting {
  const char* key;
  SettingField field;
  const char* help;
  // Numbers: the allowed range, checked when the value is set from any source.
  double min = 0;
  double max = 0;
  // Strings: the allowed values separated by '|' (empty: any).
  const char* choices = "";
  Secrecy secrecy = Secrecy::kPlain;
};

// The table of every setting, in the order --help and --print-config list them.
std::span<const Setting> Settings();

// "--data-dir" for "data_dir".
std::string FlagName(const Setting& setting);
// "BRANCHLINE_DATA_DIR" for "data_dir".
std::string EnvName(const Setting& setting);

// Converts the operator's settings into the server's options: units, "off" for metrics, and the
// admin password read from admin_password_file. Errors: INVALID_ARGUMENT naming the setting
// when a value is unusable (an unreadable password file), plus the server's own checks
// (CheckServerOptions) so that --check-config refuses what a start would refuse.
absl::StatusOr<ServerOptions> ToServerOptions(const ServerConfig& config);

}  // namespace branchline
