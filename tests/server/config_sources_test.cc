// The settings table read from a TOML file, the environment and flags: precedence, refusals
// that name the key and line, secret files and the printed effective configuration.
#include "server/config/config_sources.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "server/config/secret_file.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

using testing::TempDir;

std::string Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
  return path;
}

const Setting& Find(std::string_view key) {
  for (const Setting& s : Settings()) {
    if (key == s.key) return s;
  }
  throw std::runtime_error("no setting " + std::string(key));
}

// A fake environment.
struct Env {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> Lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(ConfigSources, NamesFollowFromTheKey) {
  EXPECT_EQ(FlagName(Find("max_offline_hours")), "--max-offline-hours");
  EXPECT_EQ(EnvName(Find("max_offline_hours")), "BRANCHLINE_MAX_OFFLINE_HOURS");
}

TEST(ConfigSources, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  TempDir dir;
  const std::string file = Write(dir.Sub("b.toml"),
                                 "listen = \"127.0.0.1:7001\"\n"
                                 "data_dir = \"/from/file\"\n"
                                 "backup_dir = \"/backups/from/file\"\n"
                                 "max_offline_hours = 48\n");
  LoadedConfig config;
  ASSERT_TRUE(ApplyConfigFile(file, config).ok());
  Env env{{{"BRANCHLINE_DATA_DIR", "/from/env"},
           {"BRANCHLINE_LISTEN", "127.0.0.1:7002"},
           {"BRANCHLINE_TRUSTED_PROXY", "10.0.0.1, 10.0.0.2"},
           {"BRANCHLINE_NOT_A_SETTING", "ignored"}}};
  ASSERT_TRUE(ApplyEnvironment(env.Lookup(), config).ok());
  ASSERT_TRUE(ApplyFlag(Find("listen"), {"127.0.0.1:7003"}, config).ok());

  EXPECT_EQ(config.values.listen, "127.0.0.1:7003");
  EXPECT_EQ(config.origins["listen"], "flag --listen");
  EXPECT_EQ(config.values.data_dir, "/from/env");
  EXPECT_EQ(config.origins["data_dir"], "environment BRANCHLINE_DATA_DIR");
  EXPECT_EQ(config.values.backup_dir, "/backups/from/file");
  EXPECT_EQ(config.origins["backup_dir"], file + ":3");
  EXPECT_EQ(config.values.max_offline_hours, 48);
  EXPECT_EQ(config.values.trusted_proxy, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(config.values.log_level, "info");  // default
  EXPECT_EQ(config.origins.count("log_level"), 0u);
}

TEST(ConfigSources, EveryKindOfValueLoadsFromTheFile) {
  TempDir dir;
  const std::string file = Write(dir.Sub("b.toml"),
                                 "behind_edge = true\n"
                                 "trusted_proxy = [\"10.1.1.1\"]\n"
                                 "stream_stall_timeout_seconds = 2.5\n"
                                 "shutdown_grace_seconds = 4\n"
                                 "log_level = \"warn\"\n");
  LoadedConfig config;
  ASSERT_TRUE(ApplyConfigFile(file, config).ok());
  EXPECT_TRUE(config.values.behind_edge);
  EXPECT_EQ(config.values.trusted_proxy, std::vector<std::string>{"10.1.1.1"});
  EXPECT_DOUBLE_EQ(config.values.stream_stall_timeout_seconds, 2.5);
  auto options = ToServerOptions(config.values);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->shutdown_grace_ms, 4000);
  EXPECT_EQ(options->streams.stall_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(options->log_level, "warn");
}

// Each refusal: the file's contents and the words the message must carry.
struct Refusal {
  std::string toml;
  std::vector<std::string> says;
};

TEST(ConfigSources, RefusesUnknownKeysWrongTypesAndBadValuesNamingKeyAndLine) {
  TempDir dir;
  const std::vector<Refusal> refusals = {
      {"listen = \"127.0.0.1:1\"\n\ndata_dri = \"/x\"\n", {"unknown key 'data_dri'", ":3"}},
      {"[server]\nlisten = \"127.0.0.1:1\"\n", {"unknown key 'server'", ":1"}},
      {"data_dir = \"/x\"\nmax_offline_hours = \"48\"\n",
       {"max_offline_hours", ":2", "must be an integer", "not string"}},
      {"behind_edge = 1\n", {"behind_edge", ":1", "boolean"}},
      {"trusted_proxy = \"10.0.0.1\"\n", {"trusted_proxy", "list of strings"}},
      {"trusted_proxy = [\"10.0.0.1\", 2]\n", {"trusted_proxy", "list of strings"}},
      {"max_offline_hours = 0\n", {"max_offline_hours", ":1", "outside 1..2160"}},
      {"log_level = \"loud\"\n", {"log_level", "not one of trace|debug|info|warn|error"}},
      {"admin_password = \"hunter22\"\n", {"admin_password", "admin_password_file"}},
      {"listen = \n", {"b.toml:1:"}},  // a TOML syntax error, with line and column
  };
  for (const Refusal& refusal : refusals) {
    const std::string file = Write(dir.Sub("b.toml"), refusal.toml);
    LoadedConfig config;
    absl::Status status = ApplyConfigFile(file, config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << refusal.toml;
    for (const std::string& word : refusal.says) {
      EXPECT_NE(status.message().find(word), std::string::npos)
          << refusal.toml << " -> " << status << " (expected: " << word << ")";
    }
  }
  LoadedConfig config;
  EXPECT_EQ(ApplyConfigFile(dir.Sub("missing.toml"), config).code(), absl::StatusCode::kNotFound);
}

TEST(ConfigSources, EnvironmentAndFlagsAreCheckedLikeTheFile) {
  LoadedConfig config;
  Env env{{{"BRANCHLINE_MAX_CLOCK_SKEW_SECONDS", "soon"}}};
  absl::Status status = ApplyEnvironment(env.Lookup(), config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("BRANCHLINE_MAX_CLOCK_SKEW_SECONDS"), std::string::npos)
      << status;
  status = ApplyFlag(Find("max_streams_per_person"), {"0"}, config);
  EXPECT_NE(status.message().find("--max-streams-per-person"), std::string::npos) << status;
  EXPECT_NE(status.message().find("outside 1..100000"), std::string::npos) << status;
}

TEST(ConfigSources, SecretFilesMustBeReadableByTheServiceUserOnly) {
  TempDir dir;
  const std::string open_key = Write(dir.Sub("open.key"), "KEY", 0644);
  const std::string password = Write(dir.Sub("admin.pw"), "s3cret-password\n", 0600);
  ServerConfig config;
  config.tls_key = open_key;
  config.tls_cert = Write(dir.Sub("cert.pem"), "CERT", 0644);  // a certificate is public
  auto refused = ToServerOptions(config);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("tls_key"), std::string::npos) << refused.status();
  EXPECT_NE(refused.status().message().find("0644"), std::string::npos) << refused.status();
  chmod(open_key.c_str(), 0600);
  EXPECT_TRUE(ToServerOptions(config).ok());

  ServerConfig with_password;
  with_password.admin_password_file = password;
  auto options = ToServerOptions(with_password);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->admin_password, "s3cret-password");  // the newline is not part of it
  chmod(password.c_str(), 0640);
  EXPECT_EQ(ToServerOptions(with_password).status().code(), absl::StatusCode::kPermissionDenied);
  with_password.admin_password_file = dir.Sub("missing.pw");
  EXPECT_EQ(ToServerOptions(with_password).status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigSources, UnreadableCertificateFilesAreNamedBeforeAStart) {
  TempDir dir;
  ServerConfig config;
  config.tls_cert = dir.Sub("missing.pem");
  config.tls_key = Write(dir.Sub("server.key"), "KEY", 0600);
  auto refused = ToServerOptions(config);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(refused.status().message().find("tls_cert: cannot read " + config.tls_cert),
            std::string::npos)
      << refused.status();
  config.tls_cert = Write(dir.Sub("server.pem"), "CERT", 0644);
  config.tls_client_ca = dir.Sub("missing-ca.pem");
  refused = ToServerOptions(config);
  EXPECT_NE(refused.status().message().find("tls_client_ca"), std::string::npos)
      << refused.status();
  config.tls_client_ca = config.tls_cert;
  EXPECT_TRUE(ToServerOptions(config).ok());
}

TEST(ConfigSources, PrintedConfigMasksSecretsAndLoadsBack) {
  TempDir dir;
  LoadedConfig config;
  config.values.admin_password = "hunter22-password";
  config.values.storage = "postgresql://branchline:pg-pass-1@db1,db2/branchline?password=pg-pass-2";
  config.values.trusted_proxy = {"10.0.0.1", "10.0.0.2"};
  config.values.data_dir = "/srv/数据 \"quoted\"";
  config.origins["data_dir"] = "flag --data-dir";
  const std::string printed = PrintConfig(config);
  EXPECT_EQ(printed.find("hunter22"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("pg-pass"), std::string::npos) << printed;
  EXPECT_NE(printed.find("# admin_password = \"********\""), std::string::npos) << printed;
  EXPECT_NE(printed.find("postgresql://branchline:****@db1,db2"), std::string::npos) << printed;
  EXPECT_NE(printed.find("# flag --data-dir"), std::string::npos) << printed;

  LoadedConfig loaded;
  ASSERT_TRUE(ApplyConfigFile(Write(dir.Sub("printed.toml"), printed), loaded).ok()) << printed;
  EXPECT_EQ(loaded.values.data_dir, config.values.data_dir);
  EXPECT_EQ(loaded.values.trusted_proxy, config.values.trusted_proxy);
  EXPECT_EQ(loaded.values.max_offline_hours, config.values.max_offline_hours);
  EXPECT_EQ(loaded.values.admin_password, "");
}

}  // namespace
}  // namespace branchline
