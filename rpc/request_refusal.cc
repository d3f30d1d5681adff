#include "rpc/request_refusal.h"

#include <mutex>
#include <unordered_map>

namespace branchline {

namespace {
std::mutex mu;
// Only refused calls are here (rare), and each is removed when its status is sent.
std::unordered_map<const void*, absl::Status>& Refusals() {
  static auto* refusals = new std::unordered_map<const void*, absl::Status>();
  return *refusals;
}
}  // namespace

void RefuseRequest(const void* call, absl::Status status) {
  std::lock_guard lock(mu);
  Refusals()[call] = std::move(status);
}

std::optional<absl::Status> TakeRequestRefusal(const void* call) {
  std::lock_guard lock(mu);
  auto it = Refusals().find(call);
  if (it == Refusals().end()) return std::nullopt;
  absl::Status status = std::move(it->second);
  Refusals().erase(it);
  return status;
}

}  // namespace branchline
