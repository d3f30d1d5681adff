#pragma once

#include <cstdint>
#include <set>

#include "absl/status/statusor.h"
#include "branchline/v1/calendar.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "storage/store.h"

namespace branchline {

// Per-organisation holiday lists: the local dates on which the series of the organisation
// and of its subtree create no occurrence (the Spring Festival week). Stored whole at
// storage::HolidaysKey(org): a list is at most 366 dates and is read once per series pass.
// Thread-safe.
class Holidays {
 public:
  static constexpr int kMaxDates = 366;

  Holidays(storage::Store& store, const Access& access, const Clock& clock)
      : store_(store), access_(access), clock_(clock) {}

  // Replaces the list of an organisation the caller manages (sorted, repeats dropped).
  // INVALID_ARGUMENT naming holidays.dates for a bad date or too many, NOT_FOUND,
  // PERMISSION_DENIED. Idempotent by request_id.
  absl::StatusOr<v1::HolidayList> Set(const Caller& caller, const v1::SetHolidaysRequest& request);
  // An organisation's own list (empty when it has none), for RequireCalendarRead callers.
  absl::StatusOr<v1::HolidayList> List(const Caller& caller,
                                       const v1::ListHolidaysRequest& request) const;
  // The local days series of `org` skip: its own holidays and those of its ancestors.
  absl::StatusOr<std::set<int64_t>> SkippedDays(const v1::Organization& org) const;

 private:
  absl::StatusOr<v1::HolidayList> Load(uint64_t org_id) const;

  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
};

}  // namespace branchline
