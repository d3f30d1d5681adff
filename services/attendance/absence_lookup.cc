#include "services/attendance/absence_lookup.h"

#include <cstdio>

#include "services/common/local_day.h"
#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline::attendance {

absl::StatusOr<absl::flat_hash_map<uint64_t, Away>> AbsentOnDay(const storage::Store& store,
                                                                uint32_t tenant, int64_t day) {
  absl::flat_hash_map<uint64_t, Away> away;
  const std::string prefix = storage::AbsenceByDayPrefix(tenant, day);
  absl::Status inner;
  RETURN_IF_ERROR(store.Scan(
      storage::Cf::kIndex, prefix, "", [&](std::string_view key, std::string_view value) {
        storage::KeyReader r(key.substr(prefix.size()));
        auto person = r.U64();
        auto absence = r.U64();
        auto range = storage::DecodeAbsenceDayValue(value);
        if (!person || !absence || !range) {
          inner = absl::DataLossError("corrupt absence day entry");
          return false;
        }
        away.try_emplace(*person, Away{*absence, static_cast<v1::AbsenceType>(range->type),
                                       range->from_day, range->to_day});
        return true;
      }));
  RETURN_IF_ERROR(inner);
  return away;
}

absl::StatusOr<std::optional<v1::AbsenceRequest>> LoadAbsence(const storage::Store& store,
                                                              uint64_t id) {
  v1::AbsenceRequest absence;
  ASSIGN_OR_RETURN(
      bool found, store.GetMessage(storage::Cf::kLeaveRequests, storage::AbsenceKey(id), &absence));
  if (!found) return std::optional<v1::AbsenceRequest>();
  return std::optional<v1::AbsenceRequest>(std::move(absence));
}

absl::StatusOr<std::vector<ApprovedRange>> ApprovedAbsencesOf(const storage::Store& store,
                                                              uint64_t person) {
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kIndex, storage::AbsenceByPersonPrefix(person), "",
                             [&](std::string_view key, std::string_view) {
                               ids.push_back(storage::TrailingId(key));
                               return true;
                             }));
  std::vector<ApprovedRange> out;
  for (uint64_t id : ids) {
    ASSIGN_OR_RETURN(auto absence, LoadAbsence(store, id));
    if (!absence || absence->state() != v1::ABSENCE_STATE_APPROVED) continue;
    const auto& f = absence->from_date();
    const auto& t = absence->to_date();
    out.push_back({id, CivilToDay(f.year(), f.month(), f.day()),
                   CivilToDay(t.year(), t.month(), t.day()), AbsenceLabel(*absence)});
  }
  return out;
}

std::string AbsenceTypeLabel(v1::AbsenceType type) {
  switch (type) {
    case v1::ABSENCE_TYPE_PERSONAL_LEAVE:
      return "事假";
    case v1::ABSENCE_TYPE_SICK_LEAVE:
      return "病假";
    case v1::ABSENCE_TYPE_BUSINESS_TRIP:
      return "出差";
    case v1::ABSENCE_TYPE_DUTY_RUN:
      return "出车";
    case v1::ABSENCE_TYPE_NIGHT_SHIFT_REST:
      return "夜班休息";
    default:
      return "其他";
  }
}

std::string AbsenceLabel(v1::AbsenceType type, int64_t from_day, int64_t to_day) {
  const CivilDate f = DayToCivil(from_day), t = DayToCivil(to_day);
  char text[96];
  if (f.year == t.year) {
    std::snprintf(text, sizeof text, "%02d-%02d 至 %02d-%02d", f.month, f.day, t.month, t.day);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d 至 %04d-%02d-%02d", f.year, f.month, f.day,
                  t.year, t.month, t.day);
  }
  return AbsenceTypeLabel(type) + " " + text;
}

std::string AbsenceLabel(const v1::AbsenceRequest& absence) {
  const auto& f = absence.from_date();
  const auto& t = absence.to_date();
  return AbsenceLabel(absence.type(), CivilToDay(f.year(), f.month(), f.day()),
                      CivilToDay(t.year(), t.month(), t.day()));
}

}  // namespace branchline::attendance
