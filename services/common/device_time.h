#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace branchline {

// How far a phone's clock may be trusted. Phones queue actions offline with the device time
// they happened and upload them later; the server records both times and refuses device
// times in the future (beyond a small skew) or older than the maximum delay.
struct DeviceTimeRules {
  int64_t max_future_skew_micros = 5 * 60 * 1'000'000LL;   // 5 minutes
  int64_t max_delay_micros = 7 * 24 * 3600 * 1'000'000LL;  // a week on the road
};

// OK when `device_micros` lies in [now - max_delay, now + max_future_skew]; else
// INVALID_ARGUMENT naming `field` with the reason ("is in the future", "is older than ...").
// A zero device time is "not set": INVALID_ARGUMENT "is required".
absl::Status CheckDeviceTime(std::string_view field, int64_t device_micros, int64_t now_micros,
                             const DeviceTimeRules& rules = {});

}  // namespace branchline
