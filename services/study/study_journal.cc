#include "services/study/study_journal.h"

#include <map>

#include "services/common/changes.h"
#include "services/common/device_time.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/study/study_progress.h"
#include "services/study/study_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr std::string_view kKind = "study_record";

absl::Status CheckMinutes(int32_t minutes) {
  if (minutes < kMinRecordMinutes || minutes > kMaxRecordMinutes) {
    return InvalidField("minutes", "must be 1..600");
  }
  return absl::OkStatus();
}

absl::Status CheckDayCap(const internal::v1::StudyProgressRecord& progress, int64_t day,
                         int32_t added) {
  auto it = progress.days().find(day);
  int32_t already = it == progress.days().end() ? 0 : it->second.minutes();
  if (already + added > kMaxMinutesPerDay) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kStudyDayFull, "minutes",
                   {{"recorded_minutes", std::to_string(already)}});
  }
  return absl::OkStatus();
}

int64_t RecordDay(const v1::StudyRecord& r) { return ParseLocalDate(r.local_date()).value_or(0); }
}  // namespace

absl::Status StudyJournal::CheckRecordRequest(const Caller& caller,
                                              const v1::RecordStudyRequest& request) {
  RETURN_IF_ERROR(CheckMinutes(request.minutes()));
  if (request.plan_item_id() == 0 && request.material_id() == 0) {
    return InvalidField("plan_item_id", "a plan item or a material is required");
  }
  if (request.plan_item_id() != 0 && request.plan_id() == 0) {
    return InvalidField("plan_id", "is required with plan_item_id");
  }
  if (caller.service_account) return Denied("a service account cannot record study");
  return absl::OkStatus();
}

IdempotencyScope StudyJournal::RecordScope(const Caller& caller,
                                           const v1::RecordStudyRequest& request) {
  return {caller.tenant, caller.person_id, request.request_id(), "RecordStudy"};
}

absl::StatusOr<v1::StudyRecord> StudyJournal::Record(const Caller& caller,
                                                     const v1::RecordStudyRequest& request) {
  int64_t now = clock_.NowMicros();
  RETURN_IF_ERROR(CheckRecordRequest(caller, request));
  return RunIdempotent<v1::StudyRecord>(
      store_, RecordScope(caller, request), request, now,
      [&](Mutation& m) { return StageRecord(caller, request, now, m); });
}

void StudyJournal::RecordAsync(const Caller& caller, const v1::RecordStudyRequest& request,
                               std::function<void(absl::StatusOr<Encoded<v1::StudyRecord>>)> done) {
  int64_t now = clock_.NowMicros();
  if (auto status = CheckRecordRequest(caller, request); !status.ok()) return done(status);
  RunIdempotentAsync<v1::StudyRecord>(
      store_, RecordScope(caller, request), request, now,
      [&](Mutation& m) { return StageRecord(caller, request, now, m); }, std::move(done));
}

absl::StatusOr<v1::StudyRecord> StudyJournal::StageRecord(const Caller& caller,
                                                          const v1::RecordStudyRequest& request,
                                                          int64_t now, Mutation& m) const {
  int64_t device = request.has_device_time() ? ToMicros(request.device_time()) : 0;
  // Checked here, not before: a phone retrying an answered request days later must get
  // the first answer, not a "too old" refusal.
  RETURN_IF_ERROR(CheckDeviceTime("device_time", device, now, device_time_));
  ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, caller.person_id, "caller"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, person.organization_id(), "caller"));
  ASSIGN_OR_RETURN(auto settings, data_.EffectiveSettings(org));
  RETURN_IF_ERROR(CheckText("notes", request.notes(), 0,
                            static_cast<size_t>(settings.max_notes_chars()),
                            /*multiline=*/true));
  int64_t day = LocalDay(device, org.utc_offset_minutes());
  int32_t year = YearOfDay(day);

  v1::StudyRecord r;
  r.set_person_id(person.id());
  r.set_organization_id(org.id());
  r.set_minutes(request.minutes());
  r.set_notes(request.notes());
  r.set_notes_chars(static_cast<int32_t>(Utf8Length(request.notes()).value_or(0)));
  *r.mutable_device_time() = request.device_time();
  *r.mutable_server_time() = ToTimestamp(now);
  r.set_local_date(FormatLocalDate(day));
  uint64_t material_id = request.material_id();
  if (request.plan_item_id() != 0) {
    ASSIGN_OR_RETURN(auto plan,
                     data_.Load<v1::StudyPlan>(caller, storage::Cf::kStudyPlans, request.plan_id(),
                                               "plan_id", "study plan"));
    const v1::StudyPlanItem* item = nullptr;
    for (const auto& i : plan.items()) {
      if (i.id() == request.plan_item_id()) item = &i;
    }
    if (!item) {
      return FieldError(absl::StatusCode::kNotFound, "plan_item_id",
                        "the plan has no item " + std::to_string(request.plan_item_id()));
    }
    if (!Access::InAudience(item->audience(), person.id(), person.role(), org)) {
      return Denied("recording study on a plan item that is not for you");
    }
    if (plan.year() != year) {
      return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kPlanYearMismatch,
                              "plan_id",
                              "the plan is for " + std::to_string(plan.year()) +
                                  ", the study day is in " + std::to_string(year));
    }
    if (material_id != 0 && material_id != item->material_id()) {
      return InvalidField("material_id", "differs from the plan item's material");
    }
    material_id = item->material_id();
    r.set_plan_id(plan.id());
    r.set_plan_item_id(item->id());
    r.set_by_due_date(day <= ParseLocalDate(item->due_date()).value_or(0));
  } else {
    ASSIGN_OR_RETURN(auto material,
                     data_.Load<v1::Material>(caller, storage::Cf::kMaterials, material_id,
                                              "material_id", "material"));
    if (!Access::InSubtree(org, material.organization_id())) {
      return Denied("recording study on a material not published for your organization");
    }
    if (material.archived()) {
      return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kMaterialArchived,
                     "material_id");
    }
  }
  r.set_material_id(material_id);

  std::string progress_key = storage::StudyProgressKey(person.id(), year);
  m.Lock({progress_key});
  ASSIGN_OR_RETURN(auto progress, data_.LoadProgress(person.id(), year));
  RETURN_IF_ERROR(CheckDayCap(progress, day, r.minutes()));
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(person.id())));
  r.set_id(id);
  ApplyRecord(progress, r, day, +1);
  auto& w = m.writes();
  w.PutMessage(storage::Cf::kStudyRecords, storage::RecordKey(id), r);
  w.Put(storage::Cf::kIndex, storage::StudyRecordByPersonKey(person.id(), device, id), "");
  w.PutMessage(storage::Cf::kStudyRecords, progress_key, progress);
  RecordChange(w, kKind, id, org.id(), "created", {person.id()});
  return r;
}

absl::StatusOr<StudyJournal::LockedRecord> StudyJournal::LockOwnRecord(Mutation& m,
                                                                       const Caller& caller,
                                                                       uint64_t id) const {
  if (id == 0) return InvalidField("id", "is required");
  ASSIGN_OR_RETURN(auto peek, LoadOwnForEdit(caller, id));
  LockedRecord locked;
  locked.day = RecordDay(peek);
  locked.record_key = storage::RecordKey(peek.id());
  locked.progress_key = storage::StudyProgressKey(peek.person_id(), YearOfDay(locked.day));
  m.Lock({locked.record_key, locked.progress_key});
  ASSIGN_OR_RETURN(locked.record, LoadOwnForEdit(caller, id));
  ASSIGN_OR_RETURN(locked.progress,
                   data_.LoadProgress(locked.record.person_id(), YearOfDay(locked.day)));
  return locked;
}

absl::StatusOr<v1::StudyRecord> StudyJournal::LoadOwnForEdit(const Caller& caller,
                                                             uint64_t id) const {
  ASSIGN_OR_RETURN(auto r, data_.Load<v1::StudyRecord>(caller, storage::Cf::kStudyRecords, id, "id",
                                                       "study record"));
  if (r.person_id() != caller.person_id) {
    return Denied("changing another person's study record");
  }
  if (clock_.NowMicros() - ToMicros(r.server_time()) > kRecordGraceMicros) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kStudyRecordLocked, "id");
  }
  return r;
}

absl::StatusOr<v1::StudyRecord> StudyJournal::Update(const Caller& caller,
                                                     const v1::UpdateStudyRecordRequest& request) {
  const auto& mask = request.update_mask();
  RETURN_IF_ERROR(CheckUpdateMask(mask, {"minutes", "notes"}));
  if (MaskHas(mask, "minutes")) RETURN_IF_ERROR(CheckMinutes(request.minutes()));
  return RunIdempotent<v1::StudyRecord>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateStudyRecord"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::StudyRecord> {
        ASSIGN_OR_RETURN(auto locked, LockOwnRecord(m, caller, request.id()));
        const v1::StudyRecord& current = locked.record;
        const int64_t day = locked.day;
        auto& progress = locked.progress;
        ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, current.organization_id(), "id"));
        ASSIGN_OR_RETURN(auto settings, data_.EffectiveSettings(org));
        v1::StudyRecord updated = current;
        if (MaskHas(mask, "minutes")) updated.set_minutes(request.minutes());
        if (MaskHas(mask, "notes")) {
          RETURN_IF_ERROR(CheckText("notes", request.notes(), 0,
                                    static_cast<size_t>(settings.max_notes_chars()),
                                    /*multiline=*/true));
          updated.set_notes(request.notes());
          updated.set_notes_chars(static_cast<int32_t>(Utf8Length(request.notes()).value_or(0)));
        }
        ApplyRecord(progress, current, day, -1);
        RETURN_IF_ERROR(CheckDayCap(progress, day, updated.minutes()));
        ApplyRecord(progress, updated, day, +1);
        auto& w = m.writes();
        w.PutMessage(storage::Cf::kStudyRecords, locked.record_key, updated);
        w.PutMessage(storage::Cf::kStudyRecords, locked.progress_key, progress);
        RecordChange(w, kKind, updated.id(), org.id(), "updated", {updated.person_id()});
        return updated;
      });
}

absl::StatusOr<v1::DeleteStudyRecordResponse> StudyJournal::Delete(
    const Caller& caller, const v1::DeleteStudyRecordRequest& request) {
  return RunIdempotent<v1::DeleteStudyRecordResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "DeleteStudyRecord"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::DeleteStudyRecordResponse> {
        ASSIGN_OR_RETURN(auto locked, LockOwnRecord(m, caller, request.id()));
        const v1::StudyRecord& current = locked.record;
        ApplyRecord(locked.progress, current, locked.day, -1);
        auto& w = m.writes();
        w.Delete(storage::Cf::kStudyRecords, locked.record_key);
        w.Delete(storage::Cf::kIndex,
                 storage::StudyRecordByPersonKey(current.person_id(),
                                                 ToMicros(current.device_time()), current.id()));
        w.PutMessage(storage::Cf::kStudyRecords, locked.progress_key, locked.progress);
        RecordChange(w, kKind, current.id(), current.organization_id(), "deleted",
                     {current.person_id()});
        v1::DeleteStudyRecordResponse response;
        response.set_id(current.id());
        return response;
      });
}

absl::StatusOr<v1::ListStudyRecordsResponse> StudyJournal::List(
    const Caller& caller, const v1::ListStudyRecordsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  uint64_t person_id = request.person_id() ? request.person_id() : caller.person_id;
  ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, person_id, "person_id"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, person.organization_id(), "person_id"));
  if (!StudyData::MayReadPersonStudy(caller, person, org)) {
    return Denied("reading the study records of person " + std::to_string(person.id()));
  }
  v1::ListStudyRecordsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, storage::StudyRecordByPersonPrefix(person.id()),
               request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::StudyRecord r;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kStudyRecords,
                                       storage::RecordKey(storage::TrailingId(key)), &r));
                 if (!found) return false;
                 *response.add_records() = std::move(r);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::StudyProgress> StudyJournal::Progress(
    const Caller& caller, const v1::GetStudyProgressRequest& request) const {
  uint64_t person_id = request.person_id() ? request.person_id() : caller.person_id;
  ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, person_id, "person_id"));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, person.organization_id(), "person_id"));
  if (!StudyData::MayReadPersonStudy(caller, person, org)) {
    return Denied("reading the study progress of person " + std::to_string(person.id()));
  }
  int64_t today = LocalDay(clock_.NowMicros(), org.utc_offset_minutes());
  int32_t year = request.year() ? request.year() : YearOfDay(today);
  if (year < 2000 || year > 2100) return InvalidField("year", "must be 2000..2100");
  ASSIGN_OR_RETURN(auto settings, data_.EffectiveSettings(org));
  ASSIGN_OR_RETURN(auto plans, data_.PlansAbove(org, year));
  ASSIGN_OR_RETURN(auto record, data_.LoadProgress(person.id(), year));
  ASSIGN_OR_RETURN(auto previous, data_.LoadProgress(person.id(), year - 1));
  ProgressInputs in;
  in.person_id = person.id();
  in.role = person.role();
  in.person_org = &org;
  in.year = year;
  in.plans = &plans;
  in.record = &record;
  for (const auto& [day, stat] : previous.days()) in.previous_year_days.push_back(day);
  in.settings = &settings;
  in.today = today;
  v1::StudyProgress progress = SummarizeProgress(in);
  // Items on a material are titled with the material's title (one point read per item).
  std::map<uint64_t, uint64_t> material_of_item;
  for (const auto& plan : plans) {
    for (const auto& item : plan.items()) material_of_item[item.id()] = item.material_id();
  }
  for (auto& item : *progress.mutable_items()) {
    uint64_t material_id = material_of_item[item.plan_item_id()];
    if (!item.title().empty() || material_id == 0) continue;
    v1::Material material;
    ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kMaterials,
                                                   storage::RecordKey(material_id), &material));
    if (found) item.set_title(material.title());
  }
  return progress;
}

absl::Status StudyJournal::RequireAttachmentRead(const Caller& caller, uint64_t record_id,
                                                 std::string_view field) const {
  ASSIGN_OR_RETURN(auto r, data_.Load<v1::StudyRecord>(caller, storage::Cf::kStudyRecords,
                                                       record_id, field, "study record"));
  // The person's current organisation, as ListStudyRecords judges it: whoever lists the
  // record reads its files.
  ASSIGN_OR_RETURN(auto person, data_.people().Load(caller, r.person_id(), field));
  ASSIGN_OR_RETURN(auto org, data_.access().LoadOrg(caller, person.organization_id(), field));
  if (!StudyData::MayReadPersonStudy(caller, person, org)) {
    return Denied("reading the files of a study record of person " + std::to_string(person.id()));
  }
  return absl::OkStatus();
}

absl::Status StudyJournal::RequireAttachmentChange(const Caller& caller, uint64_t record_id,
                                                   std::string_view field) const {
  ASSIGN_OR_RETURN(auto r, data_.Load<v1::StudyRecord>(caller, storage::Cf::kStudyRecords,
                                                       record_id, field, "study record"));
  if (caller.service_account || r.person_id() != caller.person_id) {
    return Denied("attaching files to another person's study record");
  }
  return absl::OkStatus();
}

}  // namespace branchline
