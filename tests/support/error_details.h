// The refusal details a client reads from a gRPC status (docs/errors.md): the ErrorInfo
// reason and metadata and the LocalizedMessage, and client contexts that ask for a language.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"

namespace branchline::testing {

struct RefusalDetails {
  bool parsed = false;  // the status had google.rpc.Status details
  std::string domain, reason;
  std::map<std::string, std::string> metadata;
  std::string field;            // the first BadRequest field violation
  std::string locale, message;  // the LocalizedMessage
  int localized_messages = 0;   // how many LocalizedMessage details (one expected)
};

inline RefusalDetails DetailsOf(const grpc::Status& status) {
  RefusalDetails d;
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) return d;
  d.parsed = true;
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::LocalizedMessage localized;
    google::rpc::BadRequest bad;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
      d.domain = info.domain();
      d.reason = info.reason();
      d.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.Is<google::rpc::LocalizedMessage>() && any.UnpackTo(&localized)) {
      d.locale = localized.locale();
      d.message = localized.message();
      ++d.localized_messages;
    } else if (any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad) &&
               bad.field_violations_size() > 0 && d.field.empty()) {
      d.field = bad.field_violations(0).field();
    }
  }
  return d;
}

// A client context with `token` (empty: none) asking for `accept_language` (empty: none).
inline std::unique_ptr<grpc::ClientContext> LanguageCtx(const std::string& token,
                                                        const std::string& accept_language) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  if (!accept_language.empty()) context->AddMetadata("accept-language", accept_language);
  return context;
}

}  // namespace branchline::testing
