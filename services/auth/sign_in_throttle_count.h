#pragma once

#include <cstdint>

namespace branchline {

// Sign-in attempts every SignInThrottle of this process has refused (passwords and service
// keys, all tenants) since it started: branchline_signin_throttled_total on /metrics. A
// steady rise is guessing (or a client retrying a wrong password); see docs/operations.md.
uint64_t SignInThrottleRefusals();

}  // namespace branchline
