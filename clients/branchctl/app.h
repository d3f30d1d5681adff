#pragma once

namespace branchline::ctl {

// Parses the command line, runs the command and returns the process exit code (see
// exit_codes.h). Errors go to stderr as one line (or a JSON object with --json).
int Run(int argc, char** argv);

}  // namespace branchline::ctl
