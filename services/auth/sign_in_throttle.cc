#include "services/auth/sign_in_throttle.h"

#include <algorithm>

#include "google/rpc/error_details.pb.h"
#include "services/common/absl_compat.h"

namespace branchline {

namespace {
std::string AccountKey(std::string_view account) { return "a:" + std::string(account); }
std::string AddressKey(std::string_view address) { return "n:" + std::string(address); }
}  // namespace

int64_t SignInThrottle::WaitSeconds(const std::string& key, int limit, int64_t now) {
  auto it = windows_.find(key);
  if (it == windows_.end() || now - it->second.start >= limits_.window_micros) return 0;
  if (it->second.failures < limit) return 0;
  return (it->second.start + limits_.window_micros - now + 999'999) / 1'000'000;
}

absl::Status SignInThrottle::Check(std::string_view account, std::string_view address) {
  int64_t now = clock_.NowMicros();
  int64_t wait = 0;
  {
    std::lock_guard lock(mu_);
    wait = std::max(
        WaitSeconds(AccountKey(account), limits_.account_failures, now),
        address.empty() ? 0 : WaitSeconds(AddressKey(address), limits_.address_failures, now));
  }
  if (wait == 0) return absl::OkStatus();
  absl::Status status = absl::ResourceExhaustedError("too many failed sign-ins; try again in " +
                                                     std::to_string(wait) + " s");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(wait);
  status.SetPayload(AbslView("type.googleapis.com/google.rpc.RetryInfo"),
                    absl::Cord(retry.SerializeAsString()));
  return status;
}

void SignInThrottle::Fail(const std::string& key, int64_t now) {
  if (windows_.size() >= kMaxEntries) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now - it->second.start >= limits_.window_micros ? windows_.erase(it) : std::next(it);
    }
    if (windows_.size() >= kMaxEntries) windows_.erase(windows_.begin());
  }
  Window& w = windows_[key];
  if (now - w.start >= limits_.window_micros) w = Window{now, 0};
  ++w.failures;
}

void SignInThrottle::RecordFailure(std::string_view account, std::string_view address) {
  int64_t now = clock_.NowMicros();
  std::lock_guard lock(mu_);
  Fail(AccountKey(account), now);
  if (!address.empty()) Fail(AddressKey(address), now);
}

void SignInThrottle::RecordSuccess(std::string_view account) {
  std::lock_guard lock(mu_);
  windows_.erase(AccountKey(account));
}

}  // namespace branchline
