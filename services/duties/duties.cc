#include "services/duties/duties.h"

#include <algorithm>
#include <set>
#include <vector>

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/duties/duty_rules.h"
#include "services/evaluation/commitments.h"
#include "storage/keys.h"

namespace branchline {

namespace {

using duties::DutyKind;

constexpr int kMaxLinkedPeople = 200;
constexpr int kMaxLinkedUnits = 50;
constexpr std::string_view kChangeKind = "duty";

int64_t Today(const v1::Organization& org, int64_t now) {
  return LocalDay(now, org.utc_offset_minutes());
}
// The local day the organisation was created: nothing of it is dated before.
int64_t FirstDay(const v1::Organization& org) {
  return LocalDay(ToMicros(org.create_time()), org.utc_offset_minutes());
}

v1::DutyRevision Revision(std::string_view action, std::vector<std::string> fields,
                          const Caller& caller, int64_t now) {
  v1::DutyRevision r;
  r.set_action(std::string(action));
  for (auto& f : fields) r.add_fields(std::move(f));
  r.set_by_person_id(caller.person_id);
  *r.mutable_time() = ToTimestamp(now);
  return r;
}

std::vector<std::string> MaskPaths(const google::protobuf::FieldMask& mask) {
  return {mask.paths().begin(), mask.paths().end()};
}

// Calls `f` with the item of the entry (area, post or group: their shared fields have the
// same names).
template <typename F>
void WithItem(v1::DutyBoardEntry& entry, F&& f) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kArea:
      f(*entry.mutable_area());
      break;
    case v1::DutyBoardEntry::kPost:
      f(*entry.mutable_post());
      break;
    case v1::DutyBoardEntry::kGroup:
      f(*entry.mutable_group());
      break;
    default:
      break;
  }
}

bool IsEnded(const v1::DutyBoardEntry& entry) {
  switch (entry.item_case()) {
    case v1::DutyBoardEntry::kArea:
      return entry.area().ended();
    case v1::DutyBoardEntry::kPost:
      return entry.post().ended();
    case v1::DutyBoardEntry::kGroup:
      return entry.group().ended();
    default:
      return false;
  }
}

void ClearNames(v1::DutyBoardEntry& entry) {
  if (entry.has_area()) {
    auto* a = entry.mutable_area();
    a->clear_responsible_person_name();
    a->clear_linked_person_names();
    a->clear_linked_organization_names();
  } else if (entry.has_post()) {
    entry.mutable_post()->clear_leader_person_name();
  } else if (entry.has_group()) {
    for (auto& m : *entry.mutable_group()->mutable_members()) {
      m.clear_person_name();
      m.clear_organization_id();
    }
  }
}

const v1::LocalDate* DateOrNull(bool has, const v1::LocalDate& date) {
  return has ? &date : nullptr;
}

}  // namespace

absl::StatusOr<v1::Organization> Duties::ManagedOrg(const Caller& caller, uint64_t id,
                                                    std::string_view field) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, id, field));
  RETURN_IF_ERROR(Access::RequireManage(caller, org, "managing the duties of an organization"));
  return org;
}

absl::StatusOr<v1::DutyBoardEntry> Duties::LoadForWrite(Mutation& m, const Caller& caller,
                                                        uint64_t id, std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  const std::string key = storage::DutyKey(id);
  m.Lock({key});
  v1::DutyBoardEntry entry;
  bool found = false;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(found, store_.GetMessage(storage::Cf::kEvaluations, key, &entry));
  }
  if (!found || entry.item_case() == v1::DutyBoardEntry::ITEM_NOT_SET) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      "duty " + std::to_string(id) + " does not exist");
  }
  return entry;
}

absl::StatusOr<v1::Person> Duties::SubtreePerson(const Caller& caller, uint64_t id,
                                                 const v1::Organization& org, bool member,
                                                 std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  ASSIGN_OR_RETURN(auto person, people_.Load(caller, id, field));
  ASSIGN_OR_RETURN(auto person_org, access_.LoadOrg(caller, person.organization_id(), field));
  const std::string who = "person " + std::to_string(id);
  if (!Access::InSubtree(person_org, org.id())) {
    return InvalidField(field, who + " is not of the organisation's subtree");
  }
  if (!person.active() || person.kind() == v1::PERSON_KIND_SERVICE) {
    return InvalidField(field, who + " is not an active person");
  }
  if (member && !Access::IsPartyMember(person.role())) {
    return InvalidField(field, who + " is not a party member");
  }
  return person;
}

absl::Status Duties::CheckArea(const Caller& caller, const v1::Organization& org,
                               v1::ResponsibilityArea& area, bool creating,
                               const google::protobuf::FieldMask& mask, int64_t today) const {
  auto checks = [&](std::string_view path) { return creating || MaskHas(mask, path); };
  area.set_name(std::string(TrimAscii(area.name())));
  area.set_duties(std::string(TrimAscii(area.duties())));
  RETURN_IF_ERROR(CheckText("area.name", area.name(), 1, 60));
  RETURN_IF_ERROR(CheckText("area.duties", area.duties(), 1, 2000, /*multiline=*/true));
  if (checks("responsible_person_id")) {
    RETURN_IF_ERROR(SubtreePerson(caller, area.responsible_person_id(), org, /*member=*/true,
                                  "area.responsible_person_id")
                        .status());
  }
  if (checks("linked_person_ids")) {
    if (area.linked_person_ids_size() > kMaxLinkedPeople) {
      return InvalidField("area.linked_person_ids", "at most 200 people");
    }
    std::set<uint64_t> seen;
    for (uint64_t id : area.linked_person_ids()) {
      if (!seen.insert(id).second) {
        return InvalidField("area.linked_person_ids",
                            "person " + std::to_string(id) + " is repeated");
      }
      RETURN_IF_ERROR(
          SubtreePerson(caller, id, org, /*member=*/false, "area.linked_person_ids").status());
    }
  }
  if (checks("linked_organization_ids")) {
    if (area.linked_organization_ids_size() > kMaxLinkedUnits) {
      return InvalidField("area.linked_organization_ids", "at most 50 units");
    }
    std::set<uint64_t> seen;
    for (uint64_t id : area.linked_organization_ids()) {
      ASSIGN_OR_RETURN(auto unit, access_.LoadOrg(caller, id, "area.linked_organization_ids"));
      if (!Access::InSubtree(unit, org.id()) || !seen.insert(id).second) {
        return InvalidField("area.linked_organization_ids",
                            "organisation " + std::to_string(id) +
                                " is repeated or not the organisation or below it");
      }
    }
  }
  ASSIGN_OR_RETURN(auto period,
                   duties::CheckPeriod(DateOrNull(area.has_from_date(), area.from_date()),
                                       DateOrNull(area.has_to_date(), area.to_date()), "area.",
                                       FirstDay(org), today));
  *area.mutable_from_date() = DateOfDay(period.from);
  return absl::OkStatus();
}

absl::Status Duties::CheckPost(const Caller& caller, const v1::Organization& org,
                               v1::DemonstrationPost& post, bool creating,
                               const google::protobuf::FieldMask& mask, int64_t today) const {
  post.set_name(std::string(TrimAscii(post.name())));
  post.set_description(std::string(TrimAscii(post.description())));
  RETURN_IF_ERROR(CheckText("post.name", post.name(), 1, 60));
  RETURN_IF_ERROR(CheckText("post.description", post.description(), 0, 1000, /*multiline=*/true));
  if (creating || MaskHas(mask, "leader_person_id")) {
    RETURN_IF_ERROR(SubtreePerson(caller, post.leader_person_id(), org, /*member=*/true,
                                  "post.leader_person_id")
                        .status());
  }
  ASSIGN_OR_RETURN(auto period,
                   duties::CheckPeriod(DateOrNull(post.has_from_date(), post.from_date()),
                                       DateOrNull(post.has_to_date(), post.to_date()), "post.",
                                       FirstDay(org), today));
  *post.mutable_from_date() = DateOfDay(period.from);
  return absl::OkStatus();
}

absl::Status Duties::CheckGroup(const v1::Organization& org, v1::DutyGroup& group,
                                int64_t today) const {
  group.set_name(std::string(TrimAscii(group.name())));
  group.set_custom_kind(std::string(TrimAscii(group.custom_kind())));
  group.set_purpose(std::string(TrimAscii(group.purpose())));
  RETURN_IF_ERROR(CheckText("group.name", group.name(), 1, 60));
  if (group.kind() == v1::DUTY_GROUP_KIND_UNSPECIFIED || !v1::DutyGroupKind_IsValid(group.kind())) {
    return InvalidField("group.kind", "is required");
  }
  if (group.kind() == v1::DUTY_GROUP_KIND_CUSTOM) {
    RETURN_IF_ERROR(CheckText("group.custom_kind", group.custom_kind(), 1, 20));
  } else if (!group.custom_kind().empty()) {
    return InvalidField("group.custom_kind", "is only for kind DUTY_GROUP_KIND_CUSTOM");
  }
  RETURN_IF_ERROR(CheckText("group.purpose", group.purpose(), 0, 1000, /*multiline=*/true));
  ASSIGN_OR_RETURN(auto period,
                   duties::CheckPeriod(DateOrNull(group.has_from_date(), group.from_date()),
                                       DateOrNull(group.has_to_date(), group.to_date()), "group.",
                                       FirstDay(org), today));
  *group.mutable_from_date() = DateOfDay(period.from);
  return absl::OkStatus();
}

void Duties::Stage(Mutation& m, v1::DutyBoardEntry entry, const v1::Organization& org,
                   bool is_new) const {
  ClearNames(entry);
  const uint64_t id = duties::IdOf(entry);
  const auto kind = static_cast<uint8_t>(duties::KindOf(entry));
  auto& w = m.writes();
  w.PutMessage(storage::Cf::kEvaluations, storage::DutyKey(id), entry);
  if (!is_new) return;
  w.Put(storage::Cf::kIndex, storage::DutyByOrgKey(org.id(), kind, id), "");
  w.Put(storage::Cf::kIndex, storage::DutyBySubtreeKey(org.id(), kind, id), "");
  for (uint64_t a : org.ancestor_ids()) {
    w.Put(storage::Cf::kIndex, storage::DutyBySubtreeKey(a, kind, id), "");
  }
}

std::string Duties::PersonName(const Caller& caller, uint64_t id) const {
  auto person = people_.Load(caller, id, "person_id");
  return person.ok() ? person->display_name() : "";
}

void Duties::Decorate(const Caller& caller, v1::DutyBoardEntry& entry) const {
  ClearNames(entry);
  if (entry.has_area()) {
    auto* a = entry.mutable_area();
    a->set_responsible_person_name(PersonName(caller, a->responsible_person_id()));
    for (uint64_t id : a->linked_person_ids()) a->add_linked_person_names(PersonName(caller, id));
    for (uint64_t id : a->linked_organization_ids()) {
      auto unit = access_.LoadOrg(caller, id, "organization_id");
      a->add_linked_organization_names(unit.ok() ? unit->name() : "");
    }
  } else if (entry.has_post()) {
    auto* p = entry.mutable_post();
    p->set_leader_person_name(PersonName(caller, p->leader_person_id()));
  } else if (entry.has_group()) {
    for (auto& m : *entry.mutable_group()->mutable_members()) {
      auto person = people_.Load(caller, m.person_id(), "person_id");
      if (!person.ok()) continue;
      m.set_person_name(person->display_name());
      m.set_organization_id(person->organization_id());
    }
  }
}

// ---- Responsibility areas -------------------------------------------------------------------

absl::StatusOr<v1::ResponsibilityArea> Duties::CreateArea(
    const Caller& caller, const v1::CreateResponsibilityAreaRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::ResponsibilityArea>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateResponsibilityArea"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::ResponsibilityArea> {
        v1::DutyBoardEntry entry;
        auto& a = *entry.mutable_area();
        a = request.area();
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, a.organization_id(), "area.organization_id"));
        a.clear_id();
        a.clear_ended();
        a.clear_history();
        a.clear_created_by();
        a.clear_update_time();
        RETURN_IF_ERROR(CheckArea(caller, org, a, /*creating=*/true, {}, Today(org, now)));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        a.set_id(id);
        a.set_created_by(caller.person_id);
        *a.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(a.mutable_history(), Revision("created", {}, caller, now));
        Stage(m, entry, org, /*is_new=*/true);
        RecordChange(m.writes(), kChangeKind, id, org.id(), "created");
        Decorate(caller, entry);
        return entry.area();
      });
}

absl::StatusOr<v1::ResponsibilityArea> Duties::UpdateArea(
    const Caller& caller, const v1::UpdateResponsibilityAreaRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::ResponsibilityArea>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateResponsibilityArea"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::ResponsibilityArea> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(
            CheckUpdateMask(mask, {"name", "responsible_person_id", "duties", "linked_person_ids",
                                   "linked_organization_ids", "from_date", "to_date"}));
        const auto& in = request.area();
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, in.id(), "area.id"));
        if (!entry.has_area()) {
          return FieldError(absl::StatusCode::kNotFound, "area.id",
                            "duty " + std::to_string(in.id()) + " is not a responsibility area");
        }
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, entry.area().organization_id(), "area.id"));
        if (entry.area().ended()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded,
                                  "area.id", "the area has ended");
        }
        auto& a = *entry.mutable_area();
        if (MaskHas(mask, "name")) a.set_name(in.name());
        if (MaskHas(mask, "duties")) a.set_duties(in.duties());
        if (MaskHas(mask, "responsible_person_id")) {
          a.set_responsible_person_id(in.responsible_person_id());
        }
        if (MaskHas(mask, "linked_person_ids")) {
          *a.mutable_linked_person_ids() = in.linked_person_ids();
        }
        if (MaskHas(mask, "linked_organization_ids")) {
          *a.mutable_linked_organization_ids() = in.linked_organization_ids();
        }
        if (MaskHas(mask, "from_date")) {
          if (!in.has_from_date()) {
            return InvalidField("area.from_date", "is required by update_mask");
          }
          *a.mutable_from_date() = in.from_date();
        }
        if (MaskHas(mask, "to_date")) {
          if (in.has_to_date()) {
            *a.mutable_to_date() = in.to_date();
          } else {
            a.clear_to_date();
          }
        }
        RETURN_IF_ERROR(CheckArea(caller, org, a, /*creating=*/false, mask, Today(org, now)));
        *a.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(a.mutable_history(), Revision("updated", MaskPaths(mask), caller, now));
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, a.id(), org.id(), "updated");
        Decorate(caller, entry);
        return entry.area();
      });
}

// ---- Demonstration posts ---------------------------------------------------------------------

absl::StatusOr<v1::DemonstrationPost> Duties::CreatePost(
    const Caller& caller, const v1::CreateDemonstrationPostRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DemonstrationPost>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateDemonstrationPost"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::DemonstrationPost> {
        v1::DutyBoardEntry entry;
        auto& p = *entry.mutable_post();
        p = request.post();
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, p.organization_id(), "post.organization_id"));
        p.clear_id();
        p.clear_ended();
        p.clear_history();
        p.clear_created_by();
        p.clear_update_time();
        RETURN_IF_ERROR(CheckPost(caller, org, p, /*creating=*/true, {}, Today(org, now)));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        p.set_id(id);
        p.set_created_by(caller.person_id);
        *p.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(p.mutable_history(), Revision("created", {}, caller, now));
        Stage(m, entry, org, /*is_new=*/true);
        RecordChange(m.writes(), kChangeKind, id, org.id(), "created");
        Decorate(caller, entry);
        return entry.post();
      });
}

absl::StatusOr<v1::DemonstrationPost> Duties::UpdatePost(
    const Caller& caller, const v1::UpdateDemonstrationPostRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DemonstrationPost>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateDemonstrationPost"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::DemonstrationPost> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(CheckUpdateMask(
            mask, {"name", "leader_person_id", "description", "from_date", "to_date"}));
        const auto& in = request.post();
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, in.id(), "post.id"));
        if (!entry.has_post()) {
          return FieldError(absl::StatusCode::kNotFound, "post.id",
                            "duty " + std::to_string(in.id()) + " is not a demonstration post");
        }
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, entry.post().organization_id(), "post.id"));
        if (entry.post().ended()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded,
                                  "post.id", "the post has ended");
        }
        auto& p = *entry.mutable_post();
        if (MaskHas(mask, "name")) p.set_name(in.name());
        if (MaskHas(mask, "description")) p.set_description(in.description());
        if (MaskHas(mask, "leader_person_id")) p.set_leader_person_id(in.leader_person_id());
        if (MaskHas(mask, "from_date")) {
          if (!in.has_from_date()) {
            return InvalidField("post.from_date", "is required by update_mask");
          }
          *p.mutable_from_date() = in.from_date();
        }
        if (MaskHas(mask, "to_date")) {
          if (in.has_to_date()) {
            *p.mutable_to_date() = in.to_date();
          } else {
            p.clear_to_date();
          }
        }
        RETURN_IF_ERROR(CheckPost(caller, org, p, /*creating=*/false, mask, Today(org, now)));
        *p.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(p.mutable_history(), Revision("updated", MaskPaths(mask), caller, now));
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, p.id(), org.id(), "updated");
        Decorate(caller, entry);
        return entry.post();
      });
}

// ---- Groups ----------------------------------------------------------------------------------

absl::StatusOr<v1::DutyGroup> Duties::CreateGroup(const Caller& caller,
                                                  const v1::CreateDutyGroupRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DutyGroup>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateDutyGroup"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::DutyGroup> {
        v1::DutyBoardEntry entry;
        auto& g = *entry.mutable_group();
        g = request.group();
        ASSIGN_OR_RETURN(auto org,
                         ManagedOrg(caller, g.organization_id(), "group.organization_id"));
        g.clear_id();
        g.clear_ended();
        g.clear_history();
        g.clear_created_by();
        g.clear_update_time();
        RETURN_IF_ERROR(CheckGroup(org, g, Today(org, now)));
        if (g.members_size() > duties::kMaxGroupMembersAtCreate) {
          return InvalidField("group.members", "at most 200 members in a create");
        }
        const duties::Period period = duties::PeriodOf(entry);
        std::set<uint64_t> seen;
        for (int i = 0; i < g.members_size(); ++i) {
          auto& member = *g.mutable_members(i);
          const std::string f = "group.members[" + std::to_string(i) + "].";
          member.clear_to_date();
          member.clear_person_name();
          member.clear_organization_id();
          RETURN_IF_ERROR(
              SubtreePerson(caller, member.person_id(), org, /*member=*/false, f + "person_id")
                  .status());
          if (!seen.insert(member.person_id()).second) {
            return InvalidField(f + "person_id", "is repeated");
          }
          member.set_role(std::string(TrimAscii(member.role())));
          RETURN_IF_ERROR(CheckText(f + "role", member.role(), 0, 20));
          int64_t from = period.from;
          if (member.has_from_date()) {
            ASSIGN_OR_RETURN(from, DayOfDate(member.from_date(), f + "from_date"));
          }
          if (!period.Covers(from)) {
            return InvalidField(f + "from_date", "is outside the group's period");
          }
          *member.mutable_from_date() = DateOfDay(from);
        }
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        g.set_id(id);
        g.set_created_by(caller.person_id);
        *g.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(g.mutable_history(), Revision("created", {}, caller, now));
        Stage(m, entry, org, /*is_new=*/true);
        RecordChange(m.writes(), kChangeKind, id, org.id(), "created");
        Decorate(caller, entry);
        return entry.group();
      });
}

absl::StatusOr<v1::DutyGroup> Duties::UpdateGroup(const Caller& caller,
                                                  const v1::UpdateDutyGroupRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DutyGroup>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateDutyGroup"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::DutyGroup> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(CheckUpdateMask(
            mask, {"name", "kind", "custom_kind", "purpose", "from_date", "to_date"}));
        const auto& in = request.group();
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, in.id(), "group.id"));
        if (!entry.has_group()) {
          return FieldError(absl::StatusCode::kNotFound, "group.id",
                            "duty " + std::to_string(in.id()) + " is not a group");
        }
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, entry.group().organization_id(), "group.id"));
        if (entry.group().ended()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded,
                                  "group.id", "the group has ended");
        }
        auto& g = *entry.mutable_group();
        if (MaskHas(mask, "name")) g.set_name(in.name());
        if (MaskHas(mask, "kind")) g.set_kind(in.kind());
        if (MaskHas(mask, "custom_kind")) g.set_custom_kind(in.custom_kind());
        if (MaskHas(mask, "purpose")) g.set_purpose(in.purpose());
        if (MaskHas(mask, "from_date")) {
          if (!in.has_from_date()) {
            return InvalidField("group.from_date", "is required by update_mask");
          }
          *g.mutable_from_date() = in.from_date();
        }
        if (MaskHas(mask, "to_date")) {
          if (in.has_to_date()) {
            *g.mutable_to_date() = in.to_date();
          } else {
            g.clear_to_date();
          }
        }
        RETURN_IF_ERROR(CheckGroup(org, g, Today(org, now)));
        const duties::Period period = duties::PeriodOf(entry);
        for (const auto& member : g.members()) {
          auto from = DayOfDate(member.from_date(), "from_date");
          bool inside = from.ok() && period.Covers(*from);
          if (member.has_to_date()) {
            auto to = DayOfDate(member.to_date(), "to_date");
            inside = inside && to.ok() && period.Covers(*to);
          }
          if (!inside) {
            return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                    reasons::kMemberOutsidePeriod, "group.from_date",
                                    "the membership of person " +
                                        std::to_string(member.person_id()) +
                                        " would fall outside the group's period");
          }
        }
        *g.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(g.mutable_history(), Revision("updated", MaskPaths(mask), caller, now));
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, g.id(), org.id(), "updated");
        Decorate(caller, entry);
        return entry.group();
      });
}

absl::StatusOr<v1::DutyGroup> Duties::Join(const Caller& caller,
                                           const v1::JoinDutyGroupRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DutyGroup>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "JoinDutyGroup"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::DutyGroup> {
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, request.group_id(), "group_id"));
        if (!entry.has_group()) {
          return FieldError(absl::StatusCode::kNotFound, "group_id",
                            "duty " + std::to_string(request.group_id()) + " is not a group");
        }
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, entry.group().organization_id(), "group_id"));
        auto& g = *entry.mutable_group();
        if (g.ended())
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded,
                                  "group_id", "the group has ended");
        const uint64_t person = request.person_id();
        RETURN_IF_ERROR(SubtreePerson(caller, person, org, /*member=*/false, "person_id").status());
        const auto role = TrimAscii(request.role());
        RETURN_IF_ERROR(CheckText("role", role, 0, 20));
        int64_t from = Today(org, now);
        if (request.has_from_date()) {
          ASSIGN_OR_RETURN(from, DayOfDate(request.from_date(), "from_date"));
        }
        if (!duties::PeriodOf(entry).Covers(from)) {
          return InvalidField("from_date", "is outside the group's period");
        }
        if (duties::CurrentMembership(g, person) >= 0) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kAlreadyInGroup,
                                  "person_id",
                                  "person " + std::to_string(person) + " is in the group already");
        }
        for (const auto& earlier : g.members()) {
          if (earlier.person_id() != person) continue;
          auto to = DayOfDate(earlier.to_date(), "to_date");
          if (to.ok() && *to >= from) {
            return InvalidField("from_date", "overlaps the person's earlier membership");
          }
        }
        if (g.members_size() >= duties::kMaxGroupEntries) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kGroupFull,
                                  "group_id", "the group has 500 memberships already");
        }
        auto* member = g.add_members();
        member->set_person_id(person);
        member->set_role(std::string(role));
        *member->mutable_from_date() = DateOfDay(from);
        *g.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(g.mutable_history(),
                            Revision("joined", {std::to_string(person)}, caller, now));
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, g.id(), org.id(), "joined",
                     std::vector<uint64_t>{person});
        Decorate(caller, entry);
        return entry.group();
      });
}

absl::StatusOr<v1::DutyGroup> Duties::Leave(const Caller& caller,
                                            const v1::LeaveDutyGroupRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DutyGroup>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "LeaveDutyGroup"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::DutyGroup> {
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, request.group_id(), "group_id"));
        if (!entry.has_group()) {
          return FieldError(absl::StatusCode::kNotFound, "group_id",
                            "duty " + std::to_string(request.group_id()) + " is not a group");
        }
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, entry.group().organization_id(), "group_id"));
        auto& g = *entry.mutable_group();
        if (g.ended())
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded,
                                  "group_id", "the group has ended");
        const uint64_t person = request.person_id();
        if (person == 0) return InvalidField("person_id", "is required");
        const int at = duties::CurrentMembership(g, person);
        if (at < 0) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kNotInGroup,
                                  "person_id",
                                  "person " + std::to_string(person) + " is not in the group");
        }
        int64_t to = Today(org, now);
        if (request.has_to_date()) {
          ASSIGN_OR_RETURN(to, DayOfDate(request.to_date(), "to_date"));
        }
        auto& member = *g.mutable_members(at);
        ASSIGN_OR_RETURN(int64_t from, DayOfDate(member.from_date(), "from_date"));
        if (to < from) return InvalidField("to_date", "is before the person joined");
        const auto period = duties::PeriodOf(entry);
        if (period.to && to > *period.to) {
          return InvalidField("to_date", "is after the group's last day");
        }
        *member.mutable_to_date() = DateOfDay(to);
        *g.mutable_update_time() = ToTimestamp(now);
        duties::AddRevision(g.mutable_history(),
                            Revision("left", {std::to_string(person)}, caller, now));
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, g.id(), org.id(), "left",
                     std::vector<uint64_t>{person});
        Decorate(caller, entry);
        return entry.group();
      });
}

// ---- Any kind --------------------------------------------------------------------------------

absl::StatusOr<v1::DutyBoardEntry> Duties::End(const Caller& caller,
                                               const v1::EndDutyRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::DutyBoardEntry>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "EndDuty"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::DutyBoardEntry> {
        ASSIGN_OR_RETURN(auto entry, LoadForWrite(m, caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, ManagedOrg(caller, duties::OrganizationOf(entry), "id"));
        if (IsEnded(entry))
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kDutyEnded, "id",
                                  "it has ended");
        int64_t end = Today(org, now);
        if (request.has_to_date()) {
          ASSIGN_OR_RETURN(end, DayOfDate(request.to_date(), "to_date"));
        }
        const auto period = duties::PeriodOf(entry);
        if (end < period.from) return InvalidField("to_date", "is before its from_date");
        if (period.to && end > *period.to) return InvalidField("to_date", "is after its to_date");
        const v1::LocalDate end_date = DateOfDay(end);
        if (entry.has_group()) {
          for (auto& member : *entry.mutable_group()->mutable_members()) {
            auto to = member.has_to_date() ? DayOfDate(member.to_date(), "to_date")
                                           : absl::StatusOr<int64_t>(end + 1);
            if (to.ok() && *to <= end) continue;  // left before the end
            auto from = DayOfDate(member.from_date(), "from_date");
            if (from.ok() && *from > end) {
              return InvalidField("to_date", "person " + std::to_string(member.person_id()) +
                                                 " joins the group after it");
            }
            *member.mutable_to_date() = end_date;
          }
        }
        WithItem(entry, [&](auto& item) {
          item.set_ended(true);
          *item.mutable_to_date() = end_date;
          *item.mutable_update_time() = ToTimestamp(now);
          duties::AddRevision(item.mutable_history(), Revision("ended", {}, caller, now));
        });
        Stage(m, entry, org, /*is_new=*/false);
        RecordChange(m.writes(), kChangeKind, request.id(), org.id(), "ended");
        Decorate(caller, entry);
        return entry;
      });
}

absl::StatusOr<v1::DutyBoard> Duties::Board(const Caller& caller,
                                            const v1::GetDutyBoardRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  ASSIGN_OR_RETURN(bool reads, ReadsPublishedBoard(access_, caller, org));
  if (!reads) return Denied("reading the duty board of organization " + std::to_string(org.id()));
  const int64_t today = Today(org, clock_.NowMicros());
  const std::string prefix = request.include_subtree() ? storage::DutyBySubtreePrefix(org.id())
                                                       : storage::DutyByOrgPrefix(org.id());
  v1::DutyBoard board;
  board.set_organization_id(org.id());
  board.set_organization_name(org.name());
  ASSIGN_OR_RETURN(
      *board.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::DutyBoardEntry entry;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kEvaluations,
                                       storage::DutyKey(storage::InvertedTrailingId(key)), &entry));
                 if (!found || entry.item_case() == v1::DutyBoardEntry::ITEM_NOT_SET) return false;
                 if (!request.include_past() && !duties::IsCurrent(entry, today)) return false;
                 Decorate(caller, entry);
                 *board.add_entries() = std::move(entry);
                 return true;
               }));
  return board;
}

absl::StatusOr<v1::DutyBoard> Duties::Mine(const Caller& caller,
                                           const v1::ListMyDutiesRequest& request) const {
  if (caller.service_account) return Denied("a service account has no duties");
  constexpr int kMaxItems = 1000;
  const uint64_t me = caller.person_id;
  ASSIGN_OR_RETURN(auto person, people_.Load(caller, me, "person"));
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, person.organization_id(), "person"));
  const int64_t today = Today(own, clock_.NowMicros());
  // Whether the entry gives `me` a duty (a current one unless include_past).
  auto names_me = [&](const v1::DutyBoardEntry& entry) {
    if (!request.include_past() && !duties::IsCurrent(entry, today)) return false;
    if (entry.has_area()) {
      const auto& linked = entry.area().linked_person_ids();
      return entry.area().responsible_person_id() == me ||
             std::find(linked.begin(), linked.end(), me) != linked.end();
    }
    if (entry.has_post()) return entry.post().leader_person_id() == me;
    if (entry.has_group()) {
      if (!request.include_past()) return duties::CurrentMembership(entry.group(), me) >= 0;
      const auto& members = entry.group().members();
      return std::any_of(members.begin(), members.end(),
                         [&](const v1::DutyGroupMember& m) { return m.person_id() == me; });
    }
    return false;
  };
  // A person is given duties by their organisation and its ancestors only (SubtreePerson):
  // their boards hold every item that can name them.
  std::vector<uint64_t> chain = {own.id()};
  chain.insert(chain.end(), own.ancestor_ids().rbegin(), own.ancestor_ids().rend());
  std::vector<v1::DutyBoardEntry> mine;
  absl::Status inner;
  for (uint64_t org : chain) {
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::DutyByOrgPrefix(org), "",
                                [&](std::string_view key, std::string_view) {
                                  v1::DutyBoardEntry entry;
                                  auto found = store_.GetMessage(
                                      storage::Cf::kEvaluations,
                                      storage::DutyKey(storage::InvertedTrailingId(key)), &entry);
                                  if (!found.ok()) {
                                    inner = found.status();
                                    return false;
                                  }
                                  if (*found && names_me(entry)) mine.push_back(std::move(entry));
                                  return mine.size() < kMaxItems;
                                }));
    RETURN_IF_ERROR(inner);
  }
  // As on a board: areas, then posts, then groups (each organisation's newest first).
  std::stable_sort(mine.begin(), mine.end(),
                   [](const auto& a, const auto& b) { return a.item_case() < b.item_case(); });
  v1::DutyBoard board;
  board.set_organization_id(own.id());
  board.set_organization_name(own.name());
  for (auto& entry : mine) {
    Decorate(caller, entry);
    *board.add_entries() = std::move(entry);
  }
  return board;
}

}  // namespace branchline
