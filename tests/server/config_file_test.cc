// The real binary and its config file: --check-config's verdict, --print-config's effective
// values (flags > environment > file), and a server started from nothing but a config file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include "branchline/v1/auth.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/auth/token_keys.h"
#include "services/auth/token_signer.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::ServerProcess;
using testing::TempDir;

std::string Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
  return path;
}

// Runs the binary with `args` (after `env` assignments), stdout and stderr together.
std::string RunBinary(const std::string& env, const std::string& args, int* exit_code) {
  return testing::RunCommand("env " + env + " " + BRANCHLINE_SERVER_BINARY + " " + args, exit_code);
}

TEST(ConfigFile, CheckConfigSaysOkOrWhyNot) {
  TempDir dir;
  const std::string good = Write(dir.Sub("good.toml"),
                                 "listen = \"127.0.0.1:0\"\n"
                                 "data_dir = \"" +
                                     dir.Sub("data") +
                                     "\"\n"
                                     "metrics_listen = \"off\"\n");
  int code = -1;
  std::string out = RunBinary("", "--check-config " + good, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("ok"), std::string::npos) << out;

  const std::string unknown =
      Write(dir.Sub("unknown.toml"), "listen = \"127.0.0.1:0\"\nlisten_port = 5\n");
  out = RunBinary("", "--check-config " + unknown, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("unknown.toml:2: unknown key 'listen_port'"), std::string::npos) << out;

  const std::string wrong_type = Write(dir.Sub("type.toml"), "max_offline_hours = \"a week\"\n");
  out = RunBinary("", "--check-config " + wrong_type, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("max_offline_hours must be an integer"), std::string::npos) << out;

  // What only a start would find out: the edge rule for a public address, a readable key.
  const std::string exposed = Write(dir.Sub("exposed.toml"), "listen = \"0.0.0.0:50051\"\n");
  out = RunBinary("", "--check-config " + exposed, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("--behind-edge"), std::string::npos) << out;
  Write(dir.Sub("server.key"), "KEY", 0644);
  const std::string key =
      Write(dir.Sub("key.toml"), "tls_cert = \"" + dir.Sub("server.key") + "\"\ntls_key = \"" +
                                     dir.Sub("server.key") + "\"\n");
  out = RunBinary("", "--check-config " + key, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("readable by group or others"), std::string::npos) << out;

  out = RunBinary("", "--check-config " + dir.Sub("missing.toml"), &code);
  EXPECT_EQ(code, 1) << out;
  // Nothing was started: no data directory was made.
  EXPECT_FALSE(std::ifstream(dir.Sub("data")).good());
}

// deploy/branchline.toml, installed as /etc/branchline/branchline.toml: valid, and its data
// lives where the systemd unit lets the server write (ReadWritePaths=/var/lib/branchline).
TEST(ConfigFile, ThePackagedDefaultConfigIsValid) {
  const std::string file = std::string(BRANCHLINE_SOURCE_DIR) + "/deploy/branchline.toml";
  int code = -1;
  std::string out = RunBinary("", "--check-config " + file, &code);
  EXPECT_EQ(code, 0) << out;
  out = RunBinary("", "--config " + file + " --print-config", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("data_dir = \"/var/lib/branchline\"  # " + file), std::string::npos) << out;
  EXPECT_NE(out.find("backup_dir = \"/var/lib/branchline/backups\"  # " + file), std::string::npos)
      << out;
}

TEST(ConfigFile, PrintConfigShowsFlagsOverEnvironmentOverFileWithSecretsMasked) {
  TempDir dir;
  const std::string file = Write(dir.Sub("b.toml"),
                                 "listen = \"127.0.0.1:7001\"\n"
                                 "data_dir = \"/from/file\"\n"
                                 "backup_dir = \"/backups/from/file\"\n");
  int code = -1;
  const std::string out = RunBinary(
      "BRANCHLINE_DATA_DIR=/from/env BRANCHLINE_LISTEN=127.0.0.1:7002 "
      "BRANCHLINE_ADMIN_PASSWORD=hunter22-password",
      "--config " + file + " --listen 127.0.0.1:7003 --behind-edge --print-config", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("listen = \"127.0.0.1:7003\"  # flag --listen"), std::string::npos) << out;
  EXPECT_NE(out.find("data_dir = \"/from/env\"  # environment BRANCHLINE_DATA_DIR"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("backup_dir = \"/backups/from/file\"  # " + file + ":3"), std::string::npos)
      << out;
  EXPECT_NE(out.find("behind_edge = true  # flag --behind-edge"), std::string::npos) << out;
  EXPECT_NE(out.find("log_level = \"info\"  # default"), std::string::npos) << out;
  EXPECT_EQ(out.find("hunter22"), std::string::npos) << out;
  EXPECT_NE(out.find("# admin_password = \"********\""), std::string::npos) << out;
}

TEST(ConfigFile, ServerStartedFromAConfigFileServesSignIn) {
  TempDir dir;
  const std::string password_file =
      Write(dir.Sub("admin.password"), std::string(testing::kAdminPassword) + "\n");
  const std::string file = Write(dir.Sub("branchline.toml"),
                                 "# as deploy/branchline.toml, with test paths\n"
                                 "listen = \"127.0.0.1:0\"\n"
                                 "data_dir = \"" +
                                     dir.Sub("data") +
                                     "\"\n"
                                     "backup_dir = \"" +
                                     dir.Sub("backups") +
                                     "\"\n"
                                     "metrics_listen = \"off\"\n"
                                     "admin_password_file = \"" +
                                     password_file +
                                     "\"\n"
                                     "fast_password_hashing = true\n"
                                     "shutdown_grace_seconds = 2\n",
                                 0644);
  ServerProcess server(ServerProcess::ExactArgs{}, dir.Sub("server.log"), {"--config", file});
  ASSERT_GT(server.port(), 0) << server.ReadLog();
  auto auth = v1::AuthService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password(testing::kAdminPassword);
  v1::SignInResponse response;
  grpc::ClientContext ctx;
  grpc::Status status = auth->SignIn(&ctx, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << server.ReadLog();
  EXPECT_FALSE(response.access_token().empty());
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_TRUE(std::ifstream(dir.Sub("data") + "/token.key").good()) << "data_dir from the file";
}

// `branchline-server --rotate-token-key`: an offline command over the data directory's key
// files (services/auth/token_keys.h; the running server follows them).
TEST(ConfigFile, RotateTokenKeyMakesANewKeyAndKeepsTheOld) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  int code = 0;
  std::string out = RunBinary("", "--rotate-token-key --data-dir " + data, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  mkdir(data.c_str(), 0700);
  auto first = LoadOrCreateTokenKeys(data + "/token.key");
  ASSERT_TRUE(first.ok()) << first.status();
  out = RunBinary("", "--rotate-token-key --data-dir " + data, &code);
  EXPECT_EQ(code, 0) << out;
  auto rotated = LoadOrCreateTokenKeys(data + "/token.key");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->current, first->current);
  ASSERT_EQ(rotated->previous.size(), 1u);
  EXPECT_EQ(rotated->previous[0].key, first->current);
  EXPECT_NE(out.find("new current key " + TokenSigner::KeyId(rotated->current)), std::string::npos)
      << out;
  EXPECT_NE(out.find("previous key " + TokenSigner::KeyId(first->current)), std::string::npos)
      << out;
  for (const char* file : {"/token.key", "/token.key.previous"}) {
    struct stat st;
    ASSERT_EQ(stat((data + file).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600) << file;
  }
  out = RunBinary("", "--rotate-token-key --drop-previous-token-keys --data-dir " + data, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_TRUE(LoadOrCreateTokenKeys(data + "/token.key")->previous.empty());
  out = RunBinary("", "--drop-previous-token-keys --data-dir " + data, &code);
  EXPECT_EQ(code, 1) << out;
}

}  // namespace
}  // namespace branchline
