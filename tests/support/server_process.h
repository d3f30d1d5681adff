#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace branchline::testing {

// The real branchline-server binary as a child process, for tests that must stop, kill and
// restart it. Its stdout and stderr go to a log file in the data directory's parent.
class ServerProcess {
 public:
  // Starts the server on 127.0.0.1 with an OS-picked port and waits until it listens.
  ServerProcess(const std::string& data_dir, std::vector<std::string> extra_args = {});
  // Starts the binary with exactly `args` (no defaults: a config file says where to listen,
  // which must be an OS-picked port) and waits until it listens; logs to `log_path`.
  struct ExactArgs {};
  ServerProcess(ExactArgs, std::string log_path, std::vector<std::string> args);
  ~ServerProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The Prometheus /metrics port (a free one: tests pass --metrics-listen 127.0.0.1:0).
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }
  std::string ReadLog() const;

  // Sends `signal` and waits for the exit; returns the exit code, or 128+signal when killed.
  int Stop(int signal);

 private:
  void Launch(const std::vector<std::string>& args);

  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string log_path_;
};

}  // namespace branchline::testing
