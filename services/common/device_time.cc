#include "services/common/device_time.h"

#include <string>

#include "services/common/errors.h"

namespace branchline {

absl::Status CheckDeviceTime(std::string_view field, int64_t device_micros, int64_t now_micros,
                             const DeviceTimeRules& rules) {
  if (device_micros == 0) return InvalidField(field, "is required");
  if (device_micros > now_micros + rules.max_future_skew_micros) {
    return InvalidField(field, "is in the future; check the phone's clock");
  }
  if (device_micros < now_micros - rules.max_delay_micros) {
    return InvalidField(field, "is older than the " +
                                   std::to_string(rules.max_delay_micros / 3'600'000'000LL) +
                                   " hours an offline action may wait");
  }
  return absl::OkStatus();
}

}  // namespace branchline
