#include "tests/support/server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace branchline::testing {

ServerProcess::ServerProcess(const std::string& data_dir, std::vector<std::string> extra_args) {
  static int counter = 0;
  log_path_ = data_dir + ".log" + std::to_string(++counter);
  std::vector<std::string> args = {
      BRANCHLINE_SERVER_BINARY,  "--listen",         "127.0.0.1:0", "--data-dir", data_dir,
      "--fast-password-hashing", "--metrics-listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Launch(args);
}

ServerProcess::ServerProcess(ExactArgs, std::string log_path, std::vector<std::string> args)
    : log_path_(std::move(log_path)) {
  args.insert(args.begin(), BRANCHLINE_SERVER_BINARY);
  Launch(args);
}

void ServerProcess::Launch(const std::vector<std::string>& args_in) {
  std::vector<std::string> args = args_in;
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    // Say why in the log the parent prints (ETXTBSY: the binary is being relinked, e.g. by
    // deploy_packages' ninja while sources changed under a running ctest).
    dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  // The server logs "(port N)" once it listens.
  std::regex port_line(R"(\(port (\d+)\))");
  std::string ended;  // how the server ended when it did not start
  for (int i = 0; i < 300 && port_ == 0; ++i) {
    std::smatch m;
    std::string log = ReadLog();
    if (std::regex_search(log, m, port_line)) port_ = std::stoi(m[1]);
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ended = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                  : "exit code " + std::to_string(WEXITSTATUS(status));
      break;
    }
    if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port_ == 0) {
    ADD_FAILURE() << "server did not start (" << (ended.empty() ? "no port in 15 s" : ended)
                  << "):\n"
                  << ReadLog();
  }
  std::smatch m;
  std::string log = ReadLog();
  if (std::regex_search(log, m, std::regex(R"(\(metrics port (\d+)\))"))) {
    metrics_port_ = std::stoi(m[1]);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

std::string ServerProcess::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace branchline::testing
