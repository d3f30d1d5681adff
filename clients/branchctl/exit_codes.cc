#include "clients/branchctl/exit_codes.h"

namespace branchline::ctl {

ExitCode ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::UNAUTHENTICATED:
      return kExitUnauthenticated;
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitPermissionDenied;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kExitInvalidArgument;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnavailable;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitConflict;
    default:
      return kExitOther;
  }
}

std::string ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  ok\n"
         "  1  other error\n"
         "  2  usage error (unknown command or flag, missing or malformed argument)\n"
         "  3  unauthenticated (not signed in, or the token was refused)\n"
         "  4  permission denied\n"
         "  5  not found\n"
         "  6  invalid argument (the message names the field)\n"
         "  7  server unavailable or deadline exceeded (--timeout)\n"
         "  8  conflict: failed precondition, already exists, or rate limited\n"
         "  9  partly done: some rows of a batch failed (people import)\n"
         "A refusal prints the server's message in the language of LC_ALL / LC_MESSAGES / LANG\n"
         "(Chinese unless it is English), then the developer detail and its reason.\n";
}

}  // namespace branchline::ctl
