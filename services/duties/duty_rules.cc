#include "services/duties/duty_rules.h"

#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/status_macros.h"

namespace branchline::duties {

DutyKind KindOf(const v1::DutyBoardEntry& entry) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kPost:
      return DutyKind::kPost;
    case v1::DutyBoardEntry::kGroup:
      return DutyKind::kGroup;
    default:
      return DutyKind::kArea;
  }
}

uint64_t IdOf(const v1::DutyBoardEntry& entry) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kArea:
      return entry.area().id();
    case v1::DutyBoardEntry::kPost:
      return entry.post().id();
    case v1::DutyBoardEntry::kGroup:
      return entry.group().id();
    default:
      return 0;
  }
}

uint64_t OrganizationOf(const v1::DutyBoardEntry& entry) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kArea:
      return entry.area().organization_id();
    case v1::DutyBoardEntry::kPost:
      return entry.post().organization_id();
    case v1::DutyBoardEntry::kGroup:
      return entry.group().organization_id();
    default:
      return 0;
  }
}

absl::StatusOr<Period> CheckPeriod(const v1::LocalDate* from, const v1::LocalDate* to,
                                   std::string_view prefix, int64_t first_day, int64_t today) {
  const std::string from_field = std::string(prefix) + "from_date";
  const std::string to_field = std::string(prefix) + "to_date";
  Period period;
  period.from = today;
  if (from) {
    ASSIGN_OR_RETURN(period.from, DayOfDate(*from, from_field));
  }
  if (period.from < first_day) {
    return InvalidField(from_field, "is before the organisation existed");
  }
  if (to) {
    ASSIGN_OR_RETURN(int64_t day, DayOfDate(*to, to_field));
    if (day < period.from) return InvalidField(to_field, "is before from_date");
    period.to = day;
  }
  return period;
}

namespace {

template <typename Item>
Period PeriodOfItem(const Item& item) {
  Period period;
  auto from = DayOfDate(item.from_date(), "from_date");
  period.from = from.ok() ? *from : 0;
  if (item.has_to_date()) {
    auto to = DayOfDate(item.to_date(), "to_date");
    if (to.ok()) period.to = *to;
  }
  return period;
}

}  // namespace

Period PeriodOf(const v1::DutyBoardEntry& entry) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kPost:
      return PeriodOfItem(entry.post());
    case v1::DutyBoardEntry::kGroup:
      return PeriodOfItem(entry.group());
    default:
      return PeriodOfItem(entry.area());
  }
}

bool IsCurrent(const v1::DutyBoardEntry& entry, int64_t today) {
  const Period period = PeriodOf(entry);
  return !period.to || *period.to >= today;
}

void AddRevision(google::protobuf::RepeatedPtrField<v1::DutyRevision>* history,
                 v1::DutyRevision revision) {
  *history->Add() = std::move(revision);
  if (history->size() > kMaxRevisions) history->erase(history->begin() + 1);
}

int CurrentMembership(const v1::DutyGroup& group, uint64_t person) {
  for (int i = 0; i < group.members_size(); ++i) {
    const auto& m = group.members(i);
    if (m.person_id() == person && !m.has_to_date()) return i;
  }
  return -1;
}

}  // namespace branchline::duties
