#pragma once

#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "nlohmann/json.hpp"

namespace branchline::ctl {

// A message as JSON with the proto field names (snake_case, as in the .proto files and the
// API docs); 64-bit ids are strings, as in every proto JSON mapping.
nlohmann::json ToJson(const google::protobuf::Message& message);
// Prints JSON on stdout, indented, one document per command.
void PrintJson(const nlohmann::json& json);

// Writes a whole file made by the server (an export) to `path` ("-": stdout) and says so on
// stderr as "<what> written to <path>" (nothing when `what` is empty). `private_file`: mode
// 0600 (a ballot). CtlError(kExitOther) when it cannot be written. The caller reads the whole
// answer first, so a refused export leaves no half-written file behind.
void WriteOutputFile(const std::string& path, const std::string& data, const std::string& what,
                     bool private_file = false);

// The fields a google.rpc.BadRequest detail of `status` names, with why.
std::vector<std::pair<std::string, std::string>> FieldViolations(const grpc::Status& status);
// Same, for the google.rpc.Status of one row of a batch answer.
std::vector<std::pair<std::string, std::string>> FieldViolations(
    const std::string& serialized_rpc_status);

// The google.rpc.LocalizedMessage of `status` (the server's message for people, in the
// language branchctl asked for; docs/errors.md), "" when it has none.
std::string LocalizedMessage(const grpc::Status& status);
// The google.rpc.ErrorInfo reason of `status` ("" when none).
std::string ErrorReason(const grpc::Status& status);

// The `accept-language` branchctl sends, from the POSIX locale of the environment (LC_ALL,
// else LC_MESSAGES, else LANG; "en_US.UTF-8" → "en-US"): "zh-CN" when none is set or it is
// C/POSIX. `get` reads a variable (nullptr when unset).
std::string AcceptLanguageFromLocale(const char* (*get)(const char*));

// "INVALID_ARGUMENT" for the code.
std::string CodeName(grpc::StatusCode code);

// "field: why; field: why", or the message itself when no field is named.
std::string DescribeFailure(const std::string& message,
                            const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace branchline::ctl
