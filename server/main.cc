#include "CLI/CLI.hpp"
#include "server/server.h"

// branchline-server: parse flags, run. Everything else is in server.cc.
int main(int argc, char** argv) {
  branchline::ServerOptions options;
  bool unsafe_no_sync = false;
  CLI::App app{"Branchline: meeting attendance, study check-ins and staff mailbox over gRPC"};
  app.add_option("--listen", options.listen, "Address to serve gRPC on (host:port)")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir, "Data directory (RocksDB and token key)")
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate chain for TLS");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key for TLS");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--admin-password", options.admin_password,
                 "Initial password of 'admin' on first start (or $BRANCHLINE_ADMIN_PASSWORD; "
                 "generated and printed once when neither is set)");
  app.add_flag("--unsafe-no-sync", unsafe_no_sync,
               "Acknowledge writes before the WAL is synced (benchmarks only: loses data on "
               "power failure)");
  bool no_access_log = false;
  app.add_flag("--no-access-log", no_access_log, "Do not log one line per call");
  app.add_flag("--fast-password-hashing", options.fast_password_hashing,
               "Minimum-cost Argon2id, for test suites only");
  CLI11_PARSE(app, argc, argv);
  options.sync_writes = !unsafe_no_sync;
  options.access_log = !no_access_log;
  return branchline::Run(options);
}
