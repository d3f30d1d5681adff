#pragma once

#include <string>

#include "grpcpp/support/status.h"

namespace branchline::ctl {

// Exit codes scripts can test; `branchctl --help` and the README list them. Each gRPC status
// maps to exactly one of these (see ExitCodeFor).
enum ExitCode : int {
  kExitOk = 0,
  kExitOther = 1,             // anything not listed below (INTERNAL, DATA_LOSS, ...)
  kExitUsage = 2,             // bad command line: unknown command or flag, missing argument
  kExitUnauthenticated = 3,   // not signed in, or the token was refused
  kExitPermissionDenied = 4,  // signed in, but not allowed
  kExitNotFound = 5,          // the id does not exist (or belongs to another tenant)
  kExitInvalidArgument = 6,   // the server refused a field (the message names it)
  kExitUnavailable = 7,       // server unreachable, or the deadline (--timeout) passed
  kExitConflict = 8,          // FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, RESOURCE_EXHAUSTED
  kExitPartial = 9,           // a batch (people import) where some rows failed
};

ExitCode ExitCodeFor(grpc::StatusCode code);

// The table printed at the end of `branchctl --help`.
std::string ExitCodeHelp();

}  // namespace branchline::ctl
