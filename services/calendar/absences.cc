#include "services/calendar/absences.h"

#include <string>

#include "branchline/v1/people.pb.h"
#include "services/attendance/absence_lookup.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_date.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {

absl::Status Precondition(std::string_view reason) {
  return Refusal(absl::StatusCode::kFailedPrecondition, reason, "id");
}

// The range's day numbers; INVALID_ARGUMENT naming the date at fault.
absl::StatusOr<std::pair<int64_t, int64_t>> CheckRange(const v1::RequestAbsenceRequest& r) {
  if (!r.has_from_date()) return InvalidField("from_date", "is required");
  if (!r.has_to_date()) return InvalidField("to_date", "is required");
  ASSIGN_OR_RETURN(int64_t from, DayOfDate(r.from_date(), "from_date"));
  ASSIGN_OR_RETURN(int64_t to, DayOfDate(r.to_date(), "to_date"));
  if (to < from) return InvalidField("to_date", "is before from_date");
  if (to - from + 1 > Absences::kMaxSpanDays) {
    return InvalidField("to_date", "the range may span at most " +
                                       std::to_string(Absences::kMaxSpanDays) + " days");
  }
  return std::make_pair(from, to);
}

// The days of an absence's range (dates checked when it was requested).
std::pair<int64_t, int64_t> DaysOf(const v1::AbsenceRequest& a) {
  auto day = [](const v1::LocalDate& d) {
    auto parsed = DayOfDate(d, "date");
    return parsed.ok() ? *parsed : 0;
  };
  return {day(a.from_date()), day(a.to_date())};
}

}  // namespace

absl::StatusOr<v1::AbsenceRequest> Absences::Load(const Caller& caller, uint64_t id,
                                                  std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(auto absence, attendance::LoadAbsence(store_, id));
    if (absence) return *std::move(absence);
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "absence " + std::to_string(id) + " does not exist");
}

absl::StatusOr<v1::AbsenceRequest> Absences::Request(const Caller& caller,
                                                     const v1::RequestAbsenceRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::AbsenceRequest>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "RequestAbsence"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::AbsenceRequest> {
        if (!v1::AbsenceType_IsValid(request.type()) ||
            request.type() == v1::ABSENCE_TYPE_UNSPECIFIED) {
          return InvalidField("type", "must be a known absence type");
        }
        RETURN_IF_ERROR(CheckRange(request).status());
        RETURN_IF_ERROR(CheckText("reason", TrimAscii(request.reason()), 1, 500, true));
        if (caller.service_account || caller.person_id == 0) {
          return Denied("a service account is never away");
        }
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, caller.organization_id, "caller"));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        v1::AbsenceRequest absence;
        absence.set_id(id);
        absence.set_person_id(caller.person_id);
        absence.set_organization_id(org.id());
        absence.set_type(request.type());
        *absence.mutable_from_date() = request.from_date();
        *absence.mutable_to_date() = request.to_date();
        absence.set_reason(std::string(TrimAscii(request.reason())));
        absence.set_state(v1::ABSENCE_STATE_PENDING);
        *absence.mutable_create_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kLeaveRequests, storage::AbsenceKey(id), absence);
        m.writes().Put(storage::Cf::kIndex, storage::AbsenceByPersonKey(caller.person_id, id), "");
        m.writes().Put(storage::Cf::kIndex, storage::AbsenceBySubtreeKey(org.id(), id), "");
        for (uint64_t a : org.ancestor_ids()) {
          m.writes().Put(storage::Cf::kIndex, storage::AbsenceBySubtreeKey(a, id), "");
        }
        // To the organisation's feed, where its approvers (managers) see requests waiting.
        RecordChange(m.writes(), "absence", id, org.id(), "requested");
        return absence;
      });
}

absl::StatusOr<v1::AbsenceRequest> Absences::Decide(const Caller& caller,
                                                    const v1::DecideAbsenceRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::AbsenceRequest>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "DecideAbsence"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::AbsenceRequest> {
        if (request.id() == 0) return InvalidField("id", "is required");
        RETURN_IF_ERROR(
            CheckText("note", TrimAscii(request.note()), request.approve() ? 0 : 1, 200));
        const std::string key = storage::AbsenceKey(request.id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto absence, Load(caller, request.id(), "id"));
        // Decided where the person is now: after a transfer their former secretary no longer
        // decides for them.
        v1::Person person;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kPeople,
                                           storage::RecordKey(absence.person_id()), &person));
        const uint64_t org_id = found ? person.organization_id() : absence.organization_id();
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, org_id, "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "deciding absences"));
        // A secretary's own absence is decided by a manager above (the organisation's parent).
        if (absence.person_id() == caller.person_id) return Denied("deciding one's own absence");
        if (absence.state() != v1::ABSENCE_STATE_PENDING) {
          return Precondition(absence.state() == v1::ABSENCE_STATE_WITHDRAWN
                                  ? reasons::kAbsenceWithdrawn
                                  : reasons::kAbsenceAlreadyDecided);
        }
        absence.set_state(request.approve() ? v1::ABSENCE_STATE_APPROVED
                                            : v1::ABSENCE_STATE_REFUSED);
        absence.set_decided_by(caller.person_id);
        absence.set_decision_note(std::string(TrimAscii(request.note())));
        *absence.mutable_decide_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kLeaveRequests, key, absence);
        if (request.approve()) {
          auto [from, to] = DaysOf(absence);
          for (int64_t day = from; day <= to; ++day) {
            m.writes().Put(
                storage::Cf::kIndex,
                storage::AbsenceByDayKey(storage::TenantOfId(absence.id()), day,
                                         absence.person_id(), absence.id()),
                storage::EncodeAbsenceDayValue({static_cast<uint8_t>(absence.type()), from, to}));
          }
        }
        RecordChange(m.writes(), "absence", absence.id(), absence.organization_id(),
                     request.approve() ? "approved" : "refused", {absence.person_id()});
        return absence;
      });
}

absl::StatusOr<v1::AbsenceRequest> Absences::Withdraw(const Caller& caller,
                                                      const v1::WithdrawAbsenceRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::AbsenceRequest>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "WithdrawAbsence"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::AbsenceRequest> {
        if (request.id() == 0) return InvalidField("id", "is required");
        const std::string key = storage::AbsenceKey(request.id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto absence, Load(caller, request.id(), "id"));
        if (caller.service_account || absence.person_id() != caller.person_id) {
          return Denied("only the person who is away may withdraw an absence");
        }
        if (absence.state() != v1::ABSENCE_STATE_PENDING &&
            absence.state() != v1::ABSENCE_STATE_APPROVED) {
          return Precondition(absence.state() == v1::ABSENCE_STATE_WITHDRAWN
                                  ? reasons::kAbsenceWithdrawn
                                  : reasons::kAbsenceRefused);
        }
        if (absence.state() == v1::ABSENCE_STATE_APPROVED) {
          auto [from, to] = DaysOf(absence);
          for (int64_t day = from; day <= to; ++day) {
            m.writes().Delete(storage::Cf::kIndex,
                              storage::AbsenceByDayKey(storage::TenantOfId(absence.id()), day,
                                                       absence.person_id(), absence.id()));
          }
        }
        absence.set_state(v1::ABSENCE_STATE_WITHDRAWN);
        *absence.mutable_withdraw_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kLeaveRequests, key, absence);
        RecordChange(m.writes(), "absence", absence.id(), absence.organization_id(), "withdrawn");
        return absence;
      });
}

absl::StatusOr<v1::ListAbsencesResponse> Absences::List(
    const Caller& caller, const v1::ListAbsencesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (!v1::AbsenceState_IsValid(request.state())) {
    return InvalidField("state", "is not a known state");
  }
  std::string prefix;
  if (request.mine()) {
    if (caller.service_account) return Denied("a service account is never away");
    prefix = storage::AbsenceByPersonPrefix(caller.person_id);
  } else {
    if (request.organization_id() == 0) {
      return InvalidField("organization_id", "is required unless mine is set");
    }
    ASSIGN_OR_RETURN(auto org,
                     access_.LoadOrg(caller, request.organization_id(), "organization_id"));
    if (!Access::Manages(caller, org) &&
        !Access::ServiceMay(caller, org, v1::SCOPE_ATTENDANCE_READ)) {
      return Denied("listing the absences of organization " + std::to_string(org.id()));
    }
    prefix = storage::AbsenceBySubtreePrefix(org.id());
  }
  v1::ListAbsencesResponse response;
  ASSIGN_OR_RETURN(*response.mutable_next_page_token(),
                   ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
                            [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                              ASSIGN_OR_RETURN(auto absence, attendance::LoadAbsence(
                                                                 store_, storage::TrailingId(key)));
                              if (!absence) return false;
                              if (request.state() != v1::ABSENCE_STATE_UNSPECIFIED &&
                                  absence->state() != request.state()) {
                                return false;
                              }
                              *response.add_absences() = *std::move(absence);
                              return true;
                            }));
  return response;
}

}  // namespace branchline
