#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace branchline::testing {

// Runs `command` through the shell and returns what it wrote to stdout and stderr together;
// `*exit_code` gets its exit status. Header-only: a change here relinks only its users.
inline std::string RunCommand(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  *exit_code = WEXITSTATUS(pclose(pipe));
  return output;
}

}  // namespace branchline::testing
