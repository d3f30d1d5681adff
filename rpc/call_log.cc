#include "rpc/call_log.h"

#include <charconv>

#include "grpcpp/server_context.h"

namespace branchline {

namespace {
// Never sent: TakeLoggedCall removes both before the status goes out.
constexpr char kCallerKey[] = "branchline-log-caller";
constexpr char kNoLineKey[] = "branchline-log-none";
}  // namespace

void SetLoggedCaller(grpc::ServerContextBase* context, uint64_t person_id) {
  context->AddTrailingMetadata(kCallerKey, std::to_string(person_id));
}

void SuppressAccessLog(grpc::ServerContextBase* context) {
  context->AddTrailingMetadata(kNoLineKey, "");
}

LoggedCall TakeLoggedCall(std::multimap<std::string, std::string>& trailing) {
  LoggedCall call;
  auto [first, end] = trailing.equal_range(kCallerKey);
  for (auto it = first; it != end; ++it) {
    const std::string& value = it->second;
    std::from_chars(value.data(), value.data() + value.size(), call.caller);
  }
  trailing.erase(first, end);
  call.suppressed = trailing.erase(kNoLineKey) > 0;
  if (call.suppressed) call.caller = 0;
  return call;
}

}  // namespace branchline
