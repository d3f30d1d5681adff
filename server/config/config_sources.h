#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "server/config/server_config.h"

namespace branchline {

// The effective settings and, per key, where each value came from ("default", "FILE:LINE",
// "environment BRANCHLINE_X", "flag --x"): --print-config shows it and errors name it.
struct LoadedConfig {
  ServerConfig values;
  std::map<std::string, std::string> origins;
};

// Sets the values a TOML config file gives. Errors (INVALID_ARGUMENT, naming the file and
// line): a syntax error, a key that is no setting (or a table), a value of the wrong type or
// outside its range, a secret value (admin_password) written into the file. NOT_FOUND when the
// file cannot be read. On error `config` may hold some of the file's values.
absl::Status ApplyConfigFile(const std::string& path, LoadedConfig& config);

// Sets the values of the BRANCHLINE_<KEY> environment variables that `getenv` returns (lists:
// comma-separated). Variables that are no setting are ignored (the tests' own use the prefix).
absl::Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                              LoadedConfig& config);

// Sets one setting from a command-line flag's text (`values` holds one element but for lists).
absl::Status ApplyFlag(const Setting& setting, const std::vector<std::string>& values,
                       LoadedConfig& config);

// The effective settings as a TOML config file that loads back to the same values: each with
// its origin as a comment; secret values masked and commented out, passwords in URIs masked.
std::string PrintConfig(const LoadedConfig& config);

}  // namespace branchline
