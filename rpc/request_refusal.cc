#include "rpc/request_refusal.h"

namespace branchline {

namespace {
constexpr char kRefusedKey[] = "branchline-refused-before-handler";
}  // namespace

bool RefusedBeforeHandler(const grpc::ServerContextBase* context) {
  const auto& received = context->client_metadata();
  return received.find(grpc::string_ref(kRefusedKey)) != received.end();
}

void DropClaimedRefusal(ReceivedMetadata& received) {
  received.erase(grpc::string_ref(kRefusedKey));
}

void MarkRefused(ReceivedMetadata& received) {
  received.emplace(grpc::string_ref(kRefusedKey), grpc::string_ref());
}

}  // namespace branchline
