#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "services/common/clock.h"

namespace branchline {

// Slows password guessing: after too many failed sign-ins for one account, or from one client
// address, within a window, further attempts are RESOURCE_EXHAUSTED with a google.rpc.RetryInfo
// saying when to try again. Kept in memory only (a restart forgets; addresses are never
// stored or logged). Bounded: at most kMaxEntries keys, expired ones dropped first.
// Thread-safe.
class SignInThrottle {
 public:
  struct Limits {
    int account_failures = 5;   // per account and window
    int address_failures = 50;  // per client address and window (a shared NAT has many users)
    int64_t window_micros = 15 * 60 * 1'000'000LL;
  };
  static constexpr size_t kMaxEntries = 100'000;

  explicit SignInThrottle(const Clock& clock) : SignInThrottle(clock, Limits{}) {}
  SignInThrottle(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

  // OK, or RESOURCE_EXHAUSTED (with RetryInfo) when the account or the address is held back.
  absl::Status Check(std::string_view account, std::string_view address);
  void RecordFailure(std::string_view account, std::string_view address);
  // A correct password clears the account's failures (not the address's).
  void RecordSuccess(std::string_view account);

 private:
  struct Window {
    int64_t start = 0;
    int failures = 0;
  };
  // Seconds until `key` may try again, 0 when it may now. Caller holds mu_.
  int64_t WaitSeconds(const std::string& key, int limit, int64_t now);
  void Fail(const std::string& key, int64_t now);

  const Clock& clock_;
  const Limits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace branchline
