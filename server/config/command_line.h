#pragma once

namespace branchline {

// branchline-server's command line: the settings of server/config/server_config.h as flags,
// --config FILE, --print-config, --check-config FILE and the offline `restore` command; then
// serves until SIGTERM. Returns the process exit code: 0, or 1 when the settings are refused
// (the reason on stderr; also --check-config's verdict), the server cannot start or a restore
// fails.
int RunServerCommand(int argc, char** argv);

}  // namespace branchline
