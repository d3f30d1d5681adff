#include "server/config/command_line.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>

#include "CLI/CLI.hpp"
#include "server/config/config_sources.h"
#include "server/config/server_config.h"
#include "server/server.h"
#include "services/admin/backups.h"
#include "services/auth/token_keys.h"
#include "services/auth/token_signer.h"

namespace branchline {

namespace {

// Settings that are refused end the process like a start that fails.
constexpr int kRefused = 1;

// What the command line said besides the settings.
struct Request {
  std::string config_file;
  std::string check_config_file;
  bool print_config = false;
  std::string restore_from;
  uint32_t restore_id = 0;
  bool rotate_token_key = false;
  bool drop_previous_token_keys = false;
};

std::string DefaultText(const Setting& s) {
  ServerConfig defaults;
  return std::visit(
      [&](auto field) -> std::string {
        const auto& v = defaults.*field;
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return "";
        } else {
          std::ostringstream out;
          out << v;
          return out.str();
        }
      },
      s.field);
}

// Defaults, then the file, then the environment, then the flags given: each later source
// overrides the earlier ones.
absl::StatusOr<LoadedConfig> Load(const std::string& file, const std::deque<CLI::Option*>& flags,
                                  const std::deque<std::vector<std::string>>& flag_values) {
  LoadedConfig config;
  if (!file.empty()) {
    if (auto status = ApplyConfigFile(file, config); !status.ok()) return status;
  }
  if (auto status = ApplyEnvironment(&std::getenv, config); !status.ok()) return status;
  auto settings = Settings();
  for (size_t i = 0; i < settings.size(); ++i) {
    if (flags[i]->count() == 0) continue;
    if (auto status = ApplyFlag(settings[i], flag_values[i], config); !status.ok()) return status;
  }
  return config;
}

}  // namespace

int RunServerCommand(int argc, char** argv) {
  CLI::App app{"Branchline: meeting attendance, study check-ins and staff mailbox over gRPC"};
  Request request;
  app.add_option("--config", request.config_file,
                 "TOML config file: any setting below, by its name with underscores "
                 "(deploy/branchline.toml); flags and BRANCHLINE_<NAME> variables override it")
      ->envname("BRANCHLINE_CONFIG");
  app.add_option("--check-config", request.check_config_file,
                 "Validate this config file (with the environment and flags) and exit: 0 when "
                 "the server would start with it");
  app.add_flag("--print-config", request.print_config,
               "Print the effective settings as TOML (secrets masked) and exit");
  // One flag per setting; each takes its value as text so that flags and environment variables
  // are parsed and range-checked by the same code (config_sources.cc).
  std::deque<CLI::Option*> flags;
  std::deque<std::vector<std::string>> flag_values;
  for (const Setting& s : Settings()) {
    auto& values = flag_values.emplace_back();
    const std::string help = std::string(s.help) + " [" + EnvName(s) + "]";
    CLI::Option* option;
    if (std::holds_alternative<bool ServerConfig::*>(s.field)) {
      option = app.add_flag(FlagName(s), values, help);
    } else {
      option = app.add_option(FlagName(s), values, help);
      if (!std::holds_alternative<std::vector<std::string> ServerConfig::*>(s.field)) {
        option->expected(1);
      }
      option->default_str(DefaultText(s));
      static constexpr const char* kTypeNames[] = {"TEXT", "BOOL", "INT", "NUMBER", "TEXT"};
      option->type_name(kTypeNames[s.field.index()]);
    }
    flags.push_back(option);
  }
  // `branchline-server restore`: an offline command, never an RPC, so it cannot replace the
  // database of a running server.
  auto* restore = app.add_subcommand(
      "restore", "Restore a backup into a new data directory (--data-dir), then exit");
  restore->fallthrough();  // --data-dir (the target) belongs to the main command
  restore->add_option("--from", request.restore_from, "Backup directory")->required();
  restore->add_option("--backup-id", request.restore_id, "Backup to restore (default: the latest)");
  app.add_flag("--rotate-token-key", request.rotate_token_key,
               "Make a new access-token signing key in --data-dir (token.key), keep the old one "
               "for 16 minutes so no token it signed stops working, and exit; a running server "
               "picks the new key up within 5 seconds");
  app.add_flag("--drop-previous-token-keys", request.drop_previous_token_keys,
               "With --rotate-token-key: keep no previous key (a leaked key): every access token "
               "stops working at once and apps refresh theirs");
  CLI11_PARSE(app, argc, argv);

  const std::string& file =
      request.check_config_file.empty() ? request.config_file : request.check_config_file;
  auto config = Load(file, flags, flag_values);
  if (!config.ok()) {
    std::fprintf(stderr, "branchline-server: %s\n", std::string(config.status().message()).c_str());
    return kRefused;
  }
  if (request.print_config) {
    std::cout << PrintConfig(*config);
    return 0;
  }
  auto options = ToServerOptions(config->values);
  if (!request.check_config_file.empty()) {
    if (!options.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(),
                   std::string(options.status().message()).c_str());
      return kRefused;
    }
    std::printf("%s: ok\n", file.c_str());
    return 0;
  }
  if (!options.ok()) {
    std::fprintf(stderr, "branchline-server: %s\n",
                 std::string(options.status().message()).c_str());
    return kRefused;
  }
  if (request.rotate_token_key) {
    const std::string key_path = options->data_dir + "/token.key";
    auto keys =
        RotateTokenKeys(key_path,
                        std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count(),
                        request.drop_previous_token_keys ? 0 : TokenSigner::kKeepRetiredSeconds);
    if (!keys.ok()) {
      std::fprintf(stderr, "rotate-token-key failed: %s\n",
                   std::string(keys.status().message()).c_str());
      return 1;
    }
    std::printf("%s: new current key %s", key_path.c_str(),
                TokenSigner::KeyId(keys->current).c_str());
    for (const auto& retired : keys->previous) {
      std::printf(", previous key %s accepted until %lld", TokenSigner::KeyId(retired.key).c_str(),
                  static_cast<long long>(retired.retired_at + TokenSigner::kKeepRetiredSeconds));
    }
    std::printf("\n");
    return 0;
  }
  if (request.drop_previous_token_keys) {
    std::fprintf(stderr,
                 "branchline-server: --drop-previous-token-keys needs --rotate-token-key\n");
    return kRefused;
  }
  if (*restore) {
    auto status = RestoreDataDir(request.restore_from, request.restore_id, options->data_dir);
    if (!status.ok()) {
      std::fprintf(stderr, "restore failed: %s\n", std::string(status.message()).c_str());
      return 1;
    }
    std::printf("restored into %s\n", options->data_dir.c_str());
    return 0;
  }
  return Run(*options);
}

}  // namespace branchline
