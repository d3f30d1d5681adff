#include "rpc/call_marks.h"

namespace branchline {

namespace {
constexpr char kRefusedKey[] = "branchline-refused-before-handler";
constexpr char kPasswordChangeKey[] = "branchline-serves-password-change-sessions";

bool Marked(const grpc::ServerContextBase* context, const char* key) {
  const auto& received = context->client_metadata();
  return received.find(grpc::string_ref(key)) != received.end();
}
}  // namespace

bool RefusedBeforeHandler(const grpc::ServerContextBase* context) {
  return Marked(context, kRefusedKey);
}

bool ServesPasswordChangeSessions(const grpc::ServerContextBase* context) {
  return Marked(context, kPasswordChangeKey);
}

void DropClaimedMarks(ReceivedMetadata& received) {
  received.erase(grpc::string_ref(kRefusedKey));
  received.erase(grpc::string_ref(kPasswordChangeKey));
}

void MarkRefused(ReceivedMetadata& received) {
  received.emplace(grpc::string_ref(kRefusedKey), grpc::string_ref());
}

void MarkServesPasswordChangeSessions(ReceivedMetadata& received) {
  received.emplace(grpc::string_ref(kPasswordChangeKey), grpc::string_ref());
}

}  // namespace branchline
