#include "server/backup_copy.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "services/common/atomic_file.h"

extern char** environ;

namespace branchline {

namespace {

constexpr char kLastCopyFile[] = "LAST_COPY";
constexpr auto kPoll = std::chrono::milliseconds(50);

// Ends the command's whole process group (rsync starts ssh, a shell script its own children):
// SIGTERM, then SIGKILL after a grace, and reaps the shell.
void KillGroup(pid_t pid) {
  kill(-pid, SIGTERM);
  for (int i = 0; i < 40; ++i) {  // 2 s
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      kill(-pid, SIGKILL);  // children that outlived the shell
      return;
    }
    std::this_thread::sleep_for(kPoll);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

std::string ExpandBackupCopyCommand(const std::string& command, const std::string& backup_dir,
                                    uint64_t id) {
  std::string out;
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i] != '%' || i + 1 == command.size()) {
      out.push_back(command[i]);
      continue;
    }
    const char next = command[++i];
    if (next == 'd') {
      out += backup_dir;
    } else if (next == 'i') {
      out += std::to_string(id);
    } else if (next == '%') {
      out.push_back('%');
    } else {
      out.push_back('%');
      out.push_back(next);
    }
  }
  return out;
}

absl::Status RunBackupCopy(const BackupCopy& copy, const std::string& backup_dir, uint64_t id,
                           const std::function<bool()>& stopping) {
  const std::string command = ExpandBackupCopyCommand(copy.command, backup_dir, id);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A process group of its own, to end everything it started; default signal handling and an
  // empty mask (the server blocks its stop signals in every thread, and a child inherits that).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&files, STDERR_FILENO, STDOUT_FILENO);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  // The server's environment without its own settings: BRANCHLINE_ADMIN_PASSWORD and the like
  // are not the copy's business.
  std::vector<char*> environment;
  for (char** variable = environ; *variable; ++variable) {
    if (std::strncmp(*variable, "BRANCHLINE_", 11) != 0) environment.push_back(*variable);
  }
  environment.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, "/bin/sh", &files, &attr, const_cast<char**>(argv), environment.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) {
    return absl::UnavailableError(std::string("cannot start /bin/sh: ") + std::strerror(spawned));
  }
  const auto deadline = std::chrono::steady_clock::now() + copy.timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
      if (WIFEXITED(status)) {
        return absl::FailedPreconditionError("the copy command exited with status " +
                                             std::to_string(WEXITSTATUS(status)));
      }
      return absl::FailedPreconditionError("the copy command was killed by signal " +
                                           std::to_string(WTERMSIG(status)));
    }
    if (done < 0 && errno != EINTR) {
      return absl::UnavailableError(std::string("waiting for the copy command: ") +
                                    std::strerror(errno));
    }
    if (stopping && stopping()) {
      KillGroup(pid);
      return absl::CancelledError("the server is stopping: the copy command was ended");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      KillGroup(pid);
      return absl::DeadlineExceededError(
          "the copy command ran past backup_copy_timeout_minutes and was ended");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

std::optional<int64_t> LoadLastBackupCopyTime(const std::string& backup_dir) {
  std::ifstream in(std::filesystem::path(backup_dir) / kLastCopyFile);
  int64_t seconds = 0;
  if (in >> seconds && seconds > 0) return seconds;
  return std::nullopt;
}

absl::Status SaveLastBackupCopyTime(const std::string& backup_dir, int64_t unix_seconds) {
  return WriteFileAtomically((std::filesystem::path(backup_dir) / kLastCopyFile).string(),
                             std::to_string(unix_seconds) + "\n");
}

}  // namespace branchline
