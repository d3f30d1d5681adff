#include "services/feedback/anonymous_letter_limit.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "services/common/absl_compat.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/refusal.h"

namespace branchline::feedback {

namespace {

absl::Status UsedUp(std::string_view whose, int64_t wait_seconds) {
  absl::Status status = DescribedRefusal(
      absl::StatusCode::kResourceExhausted, reasons::kAnonymousQuotaExceeded, "organization_id",
      std::string(whose) +
          " has received as many anonymous letters as it accepts today; try again in " +
          std::to_string(wait_seconds) + " s, or write a named letter",
      {{"retry_after_s", std::to_string(wait_seconds)}});
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(wait_seconds);
  status.SetPayload(AbslView("type.googleapis.com/google.rpc.RetryInfo"),
                    absl::Cord(retry.SerializeAsString()));
  return status;
}

// Seconds from `now_micros` to the start of the next local day (at least 1).
int64_t SecondsToNextDay(int64_t day, int32_t offset, int64_t now_micros) {
  return std::max<int64_t>(
      1, (LocalDayStartMicros(day + 1, offset) - now_micros + 999'999) / 1'000'000);
}

}  // namespace

absl::Status AnonymousLetterLimit::Take(uint32_t tenant, uint64_t organization_id,
                                        int32_t utc_offset_minutes, int64_t now_micros) {
  const int64_t org_day = LocalDay(now_micros, utc_offset_minutes);
  const int64_t utc_day = LocalDay(now_micros, 0);
  std::lock_guard lock(mu_);
  if (organizations_.size() >= kMaxOrganizations && !organizations_.count(organization_id)) {
    // Counters of earlier days carry no information any more: drop them first.
    for (auto it = organizations_.begin(); it != organizations_.end();) {
      it = it->second.day < org_day - 1 ? organizations_.erase(it) : std::next(it);
    }
    if (organizations_.size() >= kMaxOrganizations) organizations_.erase(organizations_.begin());
  }
  DayCount& org = organizations_[organization_id];
  if (org.day != org_day) org = DayCount{org_day, 0};
  DayCount& all = tenants_[tenant];
  if (all.day != utc_day) all = DayCount{utc_day, 0};
  if (org.count >= limits_.per_organization_per_day) {
    return UsedUp("this organization", SecondsToNextDay(org_day, utc_offset_minutes, now_micros));
  }
  if (all.count >= limits_.per_tenant_per_day) {
    return UsedUp("this company", SecondsToNextDay(utc_day, 0, now_micros));
  }
  ++org.count;
  ++all.count;
  return absl::OkStatus();
}

}  // namespace branchline::feedback
