// Scheduled backups (backup_interval_minutes, backup_keep): each run is verified, only the newest
// backup_keep stay, the figures on /metrics move, a failed run is counted and logged without
// stopping the server or the next run, and the settings refuse what cannot work. With
// backup_copy_command each good backup is copied off the machine; a failed, hanging or
// interrupted copy is counted and ended without touching the backups.
#include "server/backup_schedule.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "branchline/v1/admin.grpc.pb.h"
#include "server/backup_copy.h"
#include "server/config/server_config.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "spdlog/spdlog.h"
#include "storage/backup.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/run_command.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TempDir;
using testing::TestServer;

// The value of the series named exactly `series` (name and labels), or -1 when absent.
double Value(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

constexpr char kOk[] = "branchline_backup_runs_total{result=\"ok\"}";
constexpr char kFailed[] = "branchline_backup_runs_total{result=\"failed\"}";
constexpr char kLastSuccess[] = "branchline_backup_last_success_timestamp_seconds";

// Scrapes until `series` reaches `at_least` (at most 20 s); returns the last scrape.
std::string WaitFor(int port, const std::string& series, double at_least) {
  std::string metrics;
  for (int waited = 0; waited < 20'000; waited += 20) {
    metrics = testing::ScrapeMetrics(port);
    if (Value(metrics, series) >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return metrics;
}

// The server's log lines, kept while the test runs (info and up).
class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000)) {
    previous_level_ = spdlog::default_logger()->level();
    spdlog::default_logger()->sinks().push_back(sink_);
    spdlog::set_level(spdlog::level::info);
  }
  ~CapturedLog() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    spdlog::set_level(previous_level_);
  }
  std::string Text() const {
    std::string text;
    for (const auto& line : sink_->last_formatted()) text += line;
    return text;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  spdlog::level::level_enum previous_level_;
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(BackupSchedule, RunsVerifiesKeepsTheNewestAndMovesTheMetrics) {
  CapturedLog log;
  TestServer server([](ServerOptions& options) {
    options.backup_interval_micros = 200'000;
    options.backup_keep = 2;
    options.metrics_listen = "127.0.0.1:0";
  });
  const std::string token = server.AdminToken();
  server.CreateOrg(token, server.RootOrgId(), "第一班组", v1::ORGANIZATION_KIND_TEAM);
  const int port = server.server().metrics_port();
  ASSERT_GT(port, 0);
  std::string metrics = WaitFor(port, kOk, 4);
  ASSERT_GE(Value(metrics, kOk), 4) << metrics;
  EXPECT_EQ(Value(metrics, kFailed), 0) << metrics;
  EXPECT_GE(Value(metrics, kLastSuccess), NowSeconds() - 60);
  EXPECT_LE(Value(metrics, kLastSuccess), NowSeconds() + 1);
  EXPECT_GT(Value(metrics, "branchline_backup_duration_seconds"), 0);
  EXPECT_DOUBLE_EQ(Value(metrics, "branchline_backup_interval_seconds"), 0.2);
  // Calls go on while the schedule runs.
  server.CreateOrg(token, server.RootOrgId(), "第二班组", v1::ORGANIZATION_KIND_TEAM);
  server.Stop();  // no run in the middle of its purge while the directory is listed

  const std::string backup_dir = server.dir().Sub("backups");
  auto backups = storage::ListBackups(backup_dir);
  ASSERT_TRUE(backups.ok()) << backups.status();
  ASSERT_EQ(backups->size(), 2u);
  // The newest two: ids are consecutive, and at least 4 backups were made.
  EXPECT_EQ((*backups)[1].id, (*backups)[0].id + 1);
  EXPECT_GE((*backups)[1].id, 4u);
  for (const auto& b : *backups) EXPECT_TRUE(storage::VerifyBackup(backup_dir, b.id).ok()) << b.id;
  const std::string text = log.Text();
  EXPECT_NE(text.find("scheduled backup"), std::string::npos) << text;
  EXPECT_NE(text.find("verified; deleted"), std::string::npos) << text;
  EXPECT_EQ(text.find("FAILED"), std::string::npos) << text;
}

TEST(BackupSchedule, AFailedRunIsCountedAndLoggedAndTheNextRunSucceeds) {
  CapturedLog log;
  std::string blocker;
  TestServer server([&](ServerOptions& options) {
    // A backup directory under a regular file cannot be made, even by root.
    blocker = std::filesystem::path(options.backup_dir).parent_path() / "blocker";
    std::ofstream(blocker) << "not a directory";
    options.backup_dir = blocker + "/backups";
    options.backup_interval_micros = 100'000;
    options.metrics_listen = "127.0.0.1:0";
  });
  const int port = server.server().metrics_port();
  std::string metrics = WaitFor(port, kFailed, 2);
  ASSERT_GE(Value(metrics, kFailed), 2) << metrics;
  EXPECT_EQ(Value(metrics, kOk), 0);
  EXPECT_EQ(Value(metrics, kLastSuccess), 0);
  EXPECT_NE(log.Text().find("scheduled backup FAILED"), std::string::npos) << log.Text();
  EXPECT_NE(log.Text().find("cannot create"), std::string::npos) << log.Text();
  // The server still serves.
  const std::string token = server.AdminToken();
  server.CreateOrg(token, server.RootOrgId(), "班组", v1::ORGANIZATION_KIND_TEAM);

  std::filesystem::remove(blocker);
  metrics = WaitFor(port, kOk, 1);
  EXPECT_GE(Value(metrics, kOk), 1) << metrics;
  EXPECT_GE(Value(metrics, kLastSuccess), NowSeconds() - 60);
}

TEST(BackupSchedule, CreateBackupSetsTheLastSuccessWhichSurvivesARestart) {
  TestServer server([](ServerOptions& options) { options.metrics_listen = "127.0.0.1:0"; });
  std::string metrics = testing::ScrapeMetrics(server.server().metrics_port());
  EXPECT_EQ(Value(metrics, kLastSuccess), 0) << metrics;
  EXPECT_EQ(Value(metrics, "branchline_backup_interval_seconds"), 0) << metrics;
  EXPECT_EQ(Value(metrics, kOk), 0) << metrics;

  auto admin = v1::AdminService::NewStub(server.channel());
  v1::CreateBackupRequest create;
  create.set_request_id(TestServer::RequestId());
  v1::Backup backup;
  ASSERT_TRUE(
      admin->CreateBackup(TestServer::Ctx(server.AdminToken()).get(), create, &backup).ok());
  metrics = testing::ScrapeMetrics(server.server().metrics_port());
  EXPECT_EQ(Value(metrics, kLastSuccess), backup.create_time().seconds()) << metrics;
  EXPECT_EQ(Value(metrics, kOk), 0) << metrics;  // runs count the schedule's

  server.Restart();
  metrics = testing::ScrapeMetrics(server.server().metrics_port());
  EXPECT_EQ(Value(metrics, kLastSuccess), backup.create_time().seconds()) << metrics;
}

constexpr char kCopyOk[] = "branchline_backup_copy_runs_total{result=\"ok\"}";
constexpr char kCopyFailed[] = "branchline_backup_copy_runs_total{result=\"failed\"}";
constexpr char kCopyLastSuccess[] = "branchline_backup_copy_last_success_timestamp_seconds";

TEST(BackupSchedule, ACopyCommandCopiesEachGoodBackupOffTheMachine) {
  CapturedLog log;
  setenv("BRANCHLINE_TEST_SECRET", "not-for-the-copy", 1);
  TempDir elsewhere;  // "the other machine"
  const std::string copies = elsewhere.Sub("copies");
  TestServer server([&](ServerOptions& options) {
    options.backup_interval_micros = 200'000;
    options.metrics_listen = "127.0.0.1:0";
    // %d and %i filled in; %% is a literal percent sign.
    options.backup_copy.command = "mkdir -p " + copies + " && cp -r %d/. " + copies +
                                  " && echo %i 100%% >> " + elsewhere.Sub("ids") + " && env > " +
                                  elsewhere.Sub("env");
  });
  const int port = server.server().metrics_port();
  std::string metrics = WaitFor(port, kCopyOk, 2);
  ASSERT_GE(Value(metrics, kCopyOk), 2) << metrics << log.Text();
  EXPECT_EQ(Value(metrics, kCopyFailed), 0) << metrics;
  EXPECT_GE(Value(metrics, kCopyLastSuccess), NowSeconds() - 60) << metrics;
  server.Stop();

  // The copy is a backup directory of its own, each backup in it verified.
  auto backups = storage::ListBackups(copies);
  ASSERT_TRUE(backups.ok()) << backups.status();
  ASSERT_FALSE(backups->empty());
  for (const auto& b : *backups) EXPECT_TRUE(storage::VerifyBackup(copies, b.id).ok()) << b.id;
  std::ifstream ids(elsewhere.Sub("ids"));
  uint64_t first = 0;
  std::string percent;
  ASSERT_TRUE(ids >> first >> percent);
  EXPECT_GE(first, 1u);
  EXPECT_EQ(percent, "100%");
  EXPECT_NE(log.Text().find("copied off the machine"), std::string::npos) << log.Text();
  // The server's own settings stay out of the command's environment.
  std::ifstream env_file(elsewhere.Sub("env"));
  const std::string env((std::istreambuf_iterator<char>(env_file)),
                        std::istreambuf_iterator<char>());
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
  EXPECT_EQ(env.find("BRANCHLINE_"), std::string::npos) << env;
  unsetenv("BRANCHLINE_TEST_SECRET");

  // The age of the last copy survives a restart: kept in the backup directory, read at start.
  const auto kept = LoadLastBackupCopyTime(server.dir().Sub("backups"));
  ASSERT_TRUE(kept.has_value());
  EXPECT_GE(*kept, Value(metrics, kCopyLastSuccess));
  BackupFigures figures;
  LoadBackupTimes(server.dir().Sub("backups"), figures);
  EXPECT_EQ(figures.copy_last_success_seconds.load(), *kept);
}

// Whether `pid` runs (a zombie nobody reaped has ended).
bool Running(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

TEST(BackupSchedule, AFailedOrHangingCopyIsCountedAndEndedAndTheBackupsStayGood) {
  CapturedLog log;
  TempDir elsewhere;
  const std::string pid_file = elsewhere.Sub("pid");
  TestServer server([&](ServerOptions& options) {
    options.backup_interval_micros = 100'000;
    options.metrics_listen = "127.0.0.1:0";
    // The first copy fails; the next ones hang in a grandchild (of the copy's process group)
    // until they are ended.
    options.backup_copy.command = "if [ -e " + pid_file + " ]; then sh -c 'echo $$ >> " + pid_file +
                                  "; exec sleep 60'; else touch " + pid_file + "; exit 3; fi";
    options.backup_copy.timeout = std::chrono::milliseconds(300);
  });
  const int port = server.server().metrics_port();
  std::string metrics = WaitFor(port, kCopyFailed, 3);
  ASSERT_GE(Value(metrics, kCopyFailed), 3) << metrics << log.Text();
  EXPECT_EQ(Value(metrics, kCopyOk), 0) << metrics;
  EXPECT_EQ(Value(metrics, kCopyLastSuccess), 0) << metrics;
  // The backups themselves are good and counted as such.
  EXPECT_GE(Value(metrics, kOk), 3) << metrics;
  EXPECT_EQ(Value(metrics, kFailed), 0) << metrics;
  const std::string text = log.Text();
  EXPECT_NE(text.find("backup copy FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("exited with status 3"), std::string::npos) << text;
  EXPECT_NE(text.find("ran past backup_copy_timeout_minutes"), std::string::npos) << text;
  // The command is not in the log (it may name a remote host).
  EXPECT_EQ(text.find("exec sleep"), std::string::npos) << text;
  server.Stop();
  // Every hanging copy's child was ended with it (its process group).
  std::ifstream pids(pid_file);
  int hung = 0;
  for (pid_t pid; pids >> pid; ++hung) EXPECT_FALSE(Running(pid)) << "copy child " << pid;
  EXPECT_GE(hung, 2);
}

TEST(BackupSchedule, AStopEndsACopyInProgress) {
  TempDir elsewhere;
  const std::string running = elsewhere.Sub("running");
  TestServer server([&](ServerOptions& options) {
    options.backup_interval_micros = 100'000;
    options.metrics_listen = "127.0.0.1:0";
    // With the default timeout, an hour.
    options.backup_copy.command = "touch " + running + "; exec sleep 60";
  });
  for (int waited = 0; waited < 20'000 && !std::filesystem::exists(running); waited += 20) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(std::filesystem::exists(running)) << "no copy started";
  const auto started = std::chrono::steady_clock::now();
  server.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(BackupSchedule, OptionsThatCannotWorkAreRefusedNamingTheSetting) {
  ServerOptions options;
  options.backup_interval_micros = -1;
  auto status = CheckServerOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--backup-interval-minutes"), std::string::npos) << status;
  options.backup_interval_micros = 60'000'000;
  options.backup_keep = 0;
  status = CheckServerOptions(options);
  EXPECT_NE(status.message().find("--backup-keep"), std::string::npos) << status;
  options.backup_keep = 7;
  EXPECT_TRUE(CheckServerOptions(options).ok());
  options.backup_copy.command = "rsync -a %d/ backup-host:/srv/branchline/";
  EXPECT_TRUE(CheckServerOptions(options).ok());
  options.backup_interval_micros = 0;  // a copy of scheduled backups needs the schedule
  status = CheckServerOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--backup-copy-command"), std::string::npos) << status;
  options.backup_copy.command.clear();
  options.backup_interval_micros = 60'000'000;
  for (const char* uri : {"postgres://db1,db2/branchline?target_session_attrs=read-write",
                          "postgresql://db1/branchline"}) {
    options.storage = uri;
    status = CheckServerOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("backup_interval_minutes"), std::string::npos) << status;
    EXPECT_NE(status.message().find("pg_basebackup"), std::string::npos) << status;
  }
  options.backup_interval_micros = 0;  // PostgreSQL without a schedule is fine
  EXPECT_TRUE(CheckServerOptions(options).ok());
}

TEST(BackupSchedule, CheckConfigRefusesBadBackupSettingsNamingThem) {
  TempDir dir;
  auto check = [&](const std::string& name, const std::string& text, int* code) {
    const std::string file = dir.Sub(name);
    std::ofstream(file) << "listen = \"127.0.0.1:0\"\nmetrics_listen = \"off\"\ndata_dir = \"" +
                               dir.Sub("data") + "\"\n" + text;
    return testing::RunCommand(std::string(BRANCHLINE_SERVER_BINARY) + " --check-config " + file,
                               code);
  };
  int code = -1;
  std::string out = check("good.toml", "backup_interval_minutes = 1440\nbackup_keep = 14\n", &code);
  EXPECT_EQ(code, 0) << out;
  out = check("negative.toml", "backup_interval_minutes = -5\n", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("negative.toml:4: backup_interval_minutes = -5 is outside"), std::string::npos)
      << out;
  out = check("keep.toml", "backup_keep = 0\n", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("backup_keep = 0 is outside 1.."), std::string::npos) << out;
  out = check("postgres.toml",
              "storage = \"postgresql://db1/branchline?target_session_attrs=read-write\"\n"
              "backup_interval_minutes = 60\n",
              &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("backup_interval_minutes"), std::string::npos) << out;
  EXPECT_NE(out.find("pgBackRest"), std::string::npos) << out;
  // The environment and flags carry the settings too.
  out =
      testing::RunCommand("env BRANCHLINE_BACKUP_KEEP=0 " + std::string(BRANCHLINE_SERVER_BINARY) +
                              " --check-config " + dir.Sub("good.toml"),
                          &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("backup_keep"), std::string::npos) << out;
  out = testing::RunCommand(std::string(BRANCHLINE_SERVER_BINARY) + " --check-config " +
                                dir.Sub("good.toml") + " --backup-interval-minutes -1",
                            &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("backup_interval_minutes"), std::string::npos) << out;
}

}  // namespace
}  // namespace branchline
