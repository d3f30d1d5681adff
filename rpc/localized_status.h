#pragma once

#include <string_view>

#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "services/common/message_catalog.h"

namespace branchline {

// Adds to `rpc` (a refusal's google.rpc.Status) a google.rpc.LocalizedMessage in `locale`,
// replacing any there: the catalogue's message of its ErrorInfo reason (domain branchline.v1)
// rendered with the ErrorInfo metadata, else the generic message of its code naming its
// BadRequest field (docs/errors.md). Nothing for OK.
void AddLocalizedMessage(google::rpc::Status& rpc, Locale locale);

// `status` with a LocalizedMessage in the language of `accept_language` (the caller's
// metadata) added to its details; the code and message are unchanged. The transport applies
// it to every refusal (rpc/call_interceptor.cc). OK stays OK.
grpc::Status LocalizeStatus(const grpc::Status& status, std::string_view accept_language);

}  // namespace branchline
