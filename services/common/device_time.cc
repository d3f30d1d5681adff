#include "services/common/device_time.h"

#include <string>

#include "services/common/errors.h"
#include "services/common/refusal.h"

namespace branchline {

absl::Status CheckDeviceTime(std::string_view field, int64_t device_micros, int64_t now_micros,
                             const DeviceTimeRules& rules) {
  if (device_micros == 0) return InvalidField(field, "is required");
  if (device_micros > now_micros + rules.max_future_skew_micros) {
    return Refusal(absl::StatusCode::kInvalidArgument, reasons::kDeviceTimeInFuture, field);
  }
  if (device_micros < now_micros - rules.max_delay_micros) {
    return Refusal(absl::StatusCode::kInvalidArgument, reasons::kDeviceTimeTooOld, field,
                   {{"max_hours", std::to_string(rules.max_delay_micros / 3'600'000'000LL)}});
  }
  return absl::OkStatus();
}

}  // namespace branchline
