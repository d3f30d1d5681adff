#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/duties.pb.h"
#include "services/common/refusal.h"

namespace branchline::duties {

// Stable reasons (google.rpc.ErrorInfo, domain branchline.v1, docs/errors.md) of the
// FAILED_PRECONDITION refusals of DutiesService.
using reasons::kAlreadyInGroup;
using reasons::kDutyEnded;
using reasons::kGroupFull;
using reasons::kMemberOutsidePeriod;
using reasons::kNotInGroup;

// The kind byte of the board indexes (storage::DutyByOrgKey): areas sort first.
enum class DutyKind : uint8_t { kArea = 1, kPost = 2, kGroup = 3 };

// The kind, id and organisation of a stored item (0 / kArea for an empty entry).
DutyKind KindOf(const v1::DutyBoardEntry& entry);
uint64_t IdOf(const v1::DutyBoardEntry& entry);
uint64_t OrganizationOf(const v1::DutyBoardEntry& entry);

// A period in local day numbers (local_day.h), both ends included; no `to`: open.
struct Period {
  int64_t from = 0;
  std::optional<int64_t> to;
  bool Covers(int64_t day) const { return day >= from && (!to || day <= *to); }
};

// Checks a period of an item of an organisation created on local day `first_day`: `from`
// (absent: `today`) not before first_day, `to` (absent: open) not before from.
// INVALID_ARGUMENT naming `prefix` + "from_date" / "to_date" (bad dates as well).
absl::StatusOr<Period> CheckPeriod(const v1::LocalDate* from, const v1::LocalDate* to,
                                   std::string_view prefix, int64_t first_day, int64_t today);

// The period of a stored item (its dates were checked when written).
Period PeriodOf(const v1::DutyBoardEntry& entry);
// Whether the board shows it as current on local day `today`: its to_date is unset or not
// before today (an item starting later is shown too: the board announces it).
bool IsCurrent(const v1::DutyBoardEntry& entry, int64_t today);

// The history kept per item: the first revision (created) and the latest ones, so a record
// edited for years stays small.
inline constexpr int kMaxRevisions = 100;
// Appends `revision`, dropping the second-oldest beyond kMaxRevisions.
void AddRevision(google::protobuf::RepeatedPtrField<v1::DutyRevision>* history,
                 v1::DutyRevision revision);

// Group members: at most this many entries (current and past) per group, 200 in a create.
inline constexpr int kMaxGroupEntries = 500;
inline constexpr int kMaxGroupMembersAtCreate = 200;
// The index of `person`'s current membership (no to_date), or -1.
int CurrentMembership(const v1::DutyGroup& group, uint64_t person);

}  // namespace branchline::duties
