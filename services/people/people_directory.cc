#include "services/people/people_directory.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "services/auth/authenticator.h"
#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/local_date.h"
#include "services/common/local_day.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr std::string_view kKind = "person";
constexpr int kMaxImportRows = 1000;

bool IsPhone(std::string_view s) {
  if (s.size() < 5 || s.size() > 20) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(isdigit(static_cast<unsigned char>(s[i])) || (i == 0 && s[i] == '+'))) return false;
  }
  return true;
}
// Setting someone else's password is its own right: admin scope over their organisation.
// Never one's own (ChangePassword asks for the current one, so a stolen token cannot) and
// never a service account's (keys, not passwords).
absl::Status CheckPasswordReset(const Caller& caller, const v1::Person& person,
                                const v1::Organization& org) {
  if (person.id() == caller.person_id) {
    return FieldError(absl::StatusCode::kPermissionDenied, "new_password",
                      "change your own password with AuthService.ChangePassword");
  }
  if (person.kind() == v1::PERSON_KIND_SERVICE) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                            reasons::kServiceAccountNoPassword, "new_password",
                            "service accounts have keys, not passwords");
  }
  if (!Access::Administers(caller, org)) {
    return FieldError(absl::StatusCode::kPermissionDenied, "new_password",
                      "setting someone else's password needs admin scope over organization " +
                          std::to_string(org.id()));
  }
  return absl::OkStatus();
}

bool IsEmployeeNumber(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}
}  // namespace

absl::Status ValidatePersonFields(const v1::Person& person, std::string_view prefix) {
  std::string p(prefix);
  RETURN_IF_ERROR(CheckText(p + "display_name", TrimAscii(person.display_name()), 1, 50));
  if (!person.phone().empty() && !IsPhone(person.phone())) {
    return InvalidField(p + "phone", "must be 5..20 digits with an optional leading +");
  }
  if (!person.employee_number().empty() && !IsEmployeeNumber(person.employee_number())) {
    return InvalidField(p + "employee_number", "must be 1..32 letters, digits, '-' or '_'");
  }
  if (person.phone().empty() && person.employee_number().empty() &&
      person.kind() != v1::PERSON_KIND_SERVICE) {
    return InvalidField(p + "phone", "a phone or an employee_number is required to sign in");
  }
  if (person.kind() != v1::PERSON_KIND_SERVICE &&
      (!v1::Role_IsValid(person.role()) || person.role() == v1::ROLE_UNSPECIFIED)) {
    return InvalidField(p + "role", "must be a known role");
  }
  return absl::OkStatus();
}

absl::Status ValidatePassword(std::string_view password, std::string_view field) {
  auto length = Utf8Length(password);
  if (!length) return InvalidField(field, "is not valid UTF-8");
  if (*length < 8 || *length > 128) return InvalidField(field, "must be 8..128 characters");
  return absl::OkStatus();
}

std::string PeopleDirectory::EmployeeLoginKey(uint32_t tenant, std::string_view login) {
  return storage::LoginKey(tenant, "e:" + std::string(login));
}
std::string PeopleDirectory::PhoneLoginKey(uint32_t tenant, std::string_view login) {
  return storage::LoginKey(tenant, "p:" + std::string(login));
}

std::vector<std::string> PeopleDirectory::LoginKeys(uint32_t tenant, const v1::Person& person) {
  std::vector<std::string> keys;
  if (!person.employee_number().empty()) {
    keys.push_back(EmployeeLoginKey(tenant, person.employee_number()));
  }
  if (!person.phone().empty()) keys.push_back(PhoneLoginKey(tenant, person.phone()));
  return keys;
}

absl::StatusOr<v1::Person> PeopleDirectory::Load(const Caller& caller, uint64_t id,
                                                 std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  v1::Person person;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &person));
    if (found) return person;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "person " + std::to_string(id) + " does not exist");
}

absl::Status PeopleDirectory::ForEachInSubtree(
    uint64_t org_id, const std::function<bool(const v1::Person&)>& visit) const {
  return ForEachIndexEntryInSubtree(
      org_id,
      [&](uint64_t, uint64_t person_id, std::string_view,
          std::optional<int64_t>) -> absl::StatusOr<bool> {
        v1::Person person;
        ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kPeople,
                                                       storage::RecordKey(person_id), &person));
        return !found || visit(person);
      });
}

absl::Status PeopleDirectory::ForEachOnRostersInSubtree(
    uint64_t org_id, const std::function<bool(uint64_t person_id)>& visit,
    bool party_members_only) const {
  return ForEachRosterSpanInSubtree(org_id, std::nullopt, [&](const RosterSpan& span) {
    return (!party_members_only || span.party_member) ? visit(span.person_id) : true;
  });
}

absl::Status PeopleDirectory::ForEachRosterSpanInSubtree(
    uint64_t org_id, std::optional<int64_t> ended_since_day,
    const std::function<bool(const RosterSpan&)>& visit) const {
  return ForEachIndexEntryInSubtree(
      org_id,
      [&](uint64_t org, uint64_t person_id, std::string_view value,
          std::optional<int64_t> ended_on) -> absl::StatusOr<bool> {
        RosterSpan span{person_id, org};
        if (ended_on) {  // value [flag][from day], as a current entry's
          const auto entry = storage::ReadPersonByOrgValue(value);
          if (entry.roster != storage::RosterFlag::kOnRosters || !entry.since_day) return true;
          span.from_day = *entry.since_day;
          span.to_day = *ended_on;
          span.party_member = entry.party_member.value_or(false);
          return visit(span);
        }
        const auto entry = storage::ReadPersonByOrgValue(value);
        if (entry.roster == storage::RosterFlag::kOffRosters) return true;
        span.from_day = entry.since_day.value_or(kSinceEver);
        if (entry.roster == storage::RosterFlag::kOnRosters && entry.party_member.has_value()) {
          span.party_member = *entry.party_member;
          return visit(span);
        }
        v1::Person person;  // an entry written before the index said what is asked
        ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kPeople,
                                                       storage::RecordKey(person_id), &person));
        if (!found || !OnRosters(person)) return true;
        span.party_member = Access::IsPartyMember(person.role());
        return visit(span);
      },
      ended_since_day);
}

absl::Status PeopleDirectory::ForEachIndexEntryInSubtree(
    uint64_t org_id, const IndexEntryVisitor& visit, std::optional<int64_t> ended_since_day) const {
  bool go_on = true;
  absl::Status inner;
  auto entry_visitor = [&](uint64_t org, bool ended) {
    return [&, org, ended](std::string_view key, std::string_view value) {
      inner = CancellationCheckpoint();
      if (!inner.ok()) return false;
      uint64_t person_id = storage::TrailingId(key);
      if (person_id == 0) return true;  // a corrupt entry names no one
      std::optional<int64_t> ended_on;
      if (ended) {  // [tenant u32][index u16][org u64][to day i64][person u64]
        storage::KeyReader r(key);
        r.U32();
        r.U16();
        r.U64();
        ended_on = r.I64();
        if (!ended_on) return true;
      }
      auto more = visit(org, person_id, value, ended_on);
      if (!more.ok()) inner = more.status();
      if (more.ok()) go_on = *more;
      return more.ok() && go_on;
    };
  };
  auto visit_org = [&](uint64_t org) -> absl::Status {
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::PersonByOrgPrefix(org), "",
                                entry_visitor(org, false)));
    if (!ended_since_day || !inner.ok() || !go_on) return absl::OkStatus();
    // Ended on or after the day: every key after [org][day - 1][the largest id].
    return store_.Scan(storage::Cf::kIndex, storage::MembershipEndedPrefix(org),
                       storage::MembershipEndedKey(org, *ended_since_day - 1, ~uint64_t{0}),
                       entry_visitor(org, true));
  };
  RETURN_IF_ERROR(visit_org(org_id));
  RETURN_IF_ERROR(inner);
  if (!go_on) return absl::OkStatus();
  absl::Status scan_inner;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(org_id), "",
                              [&](std::string_view key, std::string_view) {
                                auto s = visit_org(storage::TrailingId(key));
                                if (!s.ok()) scan_inner = s;
                                return s.ok() && inner.ok() && go_on;
                              }));
  RETURN_IF_ERROR(scan_inner);
  return inner;
}

absl::StatusOr<Rights> PeopleDirectory::RightsOf(const Caller& caller, const v1::Person& person,
                                                 std::string_view field) const {
  Rights rights;
  rights.system_admin = person.system_admin();
  for (uint64_t id : person.admin_organization_ids()) {
    ASSIGN_OR_RETURN(rights.administered.emplace_back(),
                     access_.LoadOrg(caller, id, std::string(field) + "admin_organization_ids"));
  }
  rights.role = person.role();
  ASSIGN_OR_RETURN(rights.organization, access_.LoadOrg(caller, person.organization_id(),
                                                        std::string(field) + "organization_id"));
  rights.service_account = person.kind() == v1::PERSON_KIND_SERVICE;
  for (int scope : person.scopes()) rights.scopes.push_back(static_cast<v1::Scope>(scope));
  return rights;
}

absl::Status PeopleDirectory::RequireRightsWithin(const Caller& caller, const v1::Person& person,
                                                  std::string_view field,
                                                  std::string_view what) const {
  const bool prefix = !field.empty() && field.back() == '.';
  ASSIGN_OR_RETURN(auto rights, RightsOf(caller, person, prefix ? field : ""));
  auto missing = RightBeyond(caller, rights);
  if (!missing) return absl::OkStatus();
  return FieldError(absl::StatusCode::kPermissionDenied,
                    prefix ? std::string(field) + missing->field : std::string(field),
                    std::string(what) + " needs every right they hold among your own; you lack " +
                        missing->right);
}

absl::Status PeopleDirectory::CheckNew(const Caller& caller, const v1::Person& person,
                                       std::string_view initial_password,
                                       std::string_view prefix) const {
  std::string p(prefix);
  RETURN_IF_ERROR(ValidatePersonFields(person, p));
  if (!initial_password.empty())
    RETURN_IF_ERROR(ValidatePassword(initial_password, "initial_password"));
  if (!initial_password.empty() && caller.service_account) {
    // An integration that knew the first password could sign in before the person does.
    return FieldError(absl::StatusCode::kPermissionDenied, "initial_password",
                      "service accounts may not set passwords; an administrator sets one "
                      "(UpdatePerson.new_password)");
  }
  ASSIGN_OR_RETURN(auto org,
                   access_.LoadOrg(caller, person.organization_id(), p + "organization_id"));
  if (!Access::Manages(caller, org) && !Access::ServiceMay(caller, org, v1::SCOPE_PEOPLE_WRITE)) {
    return Denied("creating people in organization " + std::to_string(org.id()));
  }
  if (org.archived()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                   p + "organization_id");
  }
  if (person.has_membership_since()) {
    ASSIGN_OR_RETURN(int64_t since, DayOfDate(person.membership_since(), p + "membership_since"));
    if (since > LocalDay(clock_.NowMicros(), org.utc_offset_minutes())) {
      return InvalidField(p + "membership_since", "must not be after today");
    }
  }
  return RequireRightsWithin(caller, person, p, "creating a person");
}

absl::StatusOr<v1::Person> PeopleDirectory::StageNew(Mutation& m, v1::Person person,
                                                     internal::v1::Credential credential) {
  uint32_t tenant = storage::TenantOfId(person.organization_id());
  if (!person.employee_number().empty()) {
    ASSIGN_OR_RETURN(auto taken, store_.Get(storage::Cf::kIndex,
                                            EmployeeLoginKey(tenant, person.employee_number())));
    if (taken) {
      return DescribedRefusal(absl::StatusCode::kAlreadyExists, reasons::kLoginInUse,
                              "person.employee_number", "is already used by another person");
    }
  }
  if (!person.phone().empty()) {
    ASSIGN_OR_RETURN(auto taken,
                     store_.Get(storage::Cf::kIndex, PhoneLoginKey(tenant, person.phone())));
    if (taken) {
      return DescribedRefusal(absl::StatusCode::kAlreadyExists, reasons::kLoginInUse,
                              "person.phone", "is already used by another person");
    }
  }
  ASSIGN_OR_RETURN(uint64_t id, store_.NewId(tenant));
  int64_t now = clock_.NowMicros();
  person.set_id(id);
  person.set_tenant_id(tenant);
  person.set_display_name(std::string(TrimAscii(person.display_name())));
  if (person.kind() == v1::PERSON_KIND_UNSPECIFIED) person.set_kind(v1::PERSON_KIND_HUMAN);
  person.set_active(true);
  *person.mutable_create_time() = ToTimestamp(now);
  *person.mutable_update_time() = ToTimestamp(now);
  auto& w = m.writes();
  w.PutMessage(storage::Cf::kPeople, storage::RecordKey(id), person);
  w.Put(storage::Cf::kIndex, storage::PersonByOrgKey(person.organization_id(), id),
        OrgIndexValue(person));
  std::string id_bytes = storage::KeyBuilder().U64(id).key();
  for (auto& key : LoginKeys(tenant, person)) w.Put(storage::Cf::kIndex, key, id_bytes);
  credential.set_person_id(id);
  w.PutMessage(storage::Cf::kCredentials, storage::RecordKey(id), credential);
  RecordChange(w, kKind, id, person.organization_id(), "created");
  return person;
}

// Server-owned fields a client may not set on a new person.
static v1::Person ClientFields(const v1::Person& in) {
  v1::Person p;
  p.set_organization_id(in.organization_id());
  p.set_display_name(in.display_name());
  p.set_phone(in.phone());
  p.set_employee_number(in.employee_number());
  p.set_role(in.role());
  *p.mutable_admin_organization_ids() = in.admin_organization_ids();
  if (in.has_membership_since()) *p.mutable_membership_since() = in.membership_since();
  return p;
}

absl::StatusOr<v1::Person> PeopleDirectory::Create(const Caller& caller,
                                                   const v1::CreatePersonRequest& request) {
  v1::Person person = ClientFields(request.person());
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  RETURN_IF_ERROR(CheckNew(caller, person, request.initial_password(), "person."));
  internal::v1::Credential credential;
  if (!request.initial_password().empty()) {
    ASSIGN_OR_RETURN(*credential.mutable_password_hash(), hasher_.Hash(request.initial_password()));
  }
  return RunIdempotent<v1::Person>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreatePerson"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Person> {
        auto keys = LoginKeys(storage::TenantOfId(person.organization_id()), person);
        m.Lock(std::vector<std::string_view>(keys.begin(), keys.end()));
        return StageNew(m, person, credential);
      });
}

absl::StatusOr<v1::Person> PeopleDirectory::Get(const Caller& caller,
                                                const v1::GetPersonRequest& request) const {
  return LoadReadable(caller, request.id(), "id");
}

absl::StatusOr<v1::Person> PeopleDirectory::LoadReadable(const Caller& caller, uint64_t id,
                                                         std::string_view field) const {
  ASSIGN_OR_RETURN(auto person, Load(caller, id, field));
  if (person.id() == caller.person_id) return person;
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, person.organization_id(), field));
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_PEOPLE_READ)) {
    return person;
  }
  return Denied("reading person " + std::to_string(person.id()));
}

absl::StatusOr<v1::ListPeopleResponse> PeopleDirectory::List(
    const Caller& caller, const v1::ListPeopleRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (!v1::Role_IsValid(request.role())) return InvalidField("role", "is not a known role");
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, root) && !Access::ServiceMay(caller, root, v1::SCOPE_PEOPLE_READ)) {
    return Denied("listing people of organization " + std::to_string(root.id()));
  }

  // People are indexed per organisation; a subtree listing walks the organisations (the root,
  // then its descendants in id order) and the people of each. The page token is the last
  // person index key, which names the organisation to resume in.
  uint32_t tenant = storage::TenantOfId(root.id());
  std::string any_org_prefix = storage::IndexKey(tenant, storage::Index::kPersonByOrg).key();
  std::string resume_key;
  uint64_t resume_org = root.id();
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(resume_key, DecodePageToken(request.page_token(), any_org_prefix));
    storage::KeyReader r(resume_key);
    r.U32();
    r.U16();
    auto org_id = r.U64();
    bool valid = org_id.has_value();
    if (valid && *org_id != root.id()) {
      auto org = access_.LoadOrg(caller, *org_id, "page_token");
      valid = request.include_descendants() && org.ok() && Access::InSubtree(*org, root.id());
    }
    if (!valid) return InvalidField("page_token", "is not a token of this query");
    resume_org = *org_id;
  }

  v1::ListPeopleResponse response;
  int taken = 0;
  std::string last_key;
  bool more = false;
  absl::Status inner;
  auto visit_org = [&](uint64_t org_id, std::string_view start_after) -> absl::Status {
    return store_.Scan(
        storage::Cf::kIndex, storage::PersonByOrgPrefix(org_id), start_after,
        [&](std::string_view key, std::string_view) {
          inner = CancellationCheckpoint();
          if (!inner.ok()) return false;
          if (taken == page_size) {
            more = true;
            return false;
          }
          v1::Person person;
          auto found = store_.GetMessage(storage::Cf::kPeople,
                                         storage::RecordKey(storage::TrailingId(key)), &person);
          if (!found.ok()) {
            inner = found.status();
            return false;
          }
          if (!*found || (!person.active() && !request.show_inactive()) ||
              (request.role() != v1::ROLE_UNSPECIFIED && person.role() != request.role())) {
            return true;
          }
          *response.add_people() = std::move(person);
          ++taken;
          last_key.assign(key);
          return true;
        });
  };

  if (resume_org == root.id()) {
    RETURN_IF_ERROR(visit_org(root.id(), resume_key));
    RETURN_IF_ERROR(inner);
  }
  if (request.include_descendants() && !more) {
    std::string start =
        resume_org == root.id() ? std::string() : storage::OrgDescendantKey(root.id(), resume_org);
    bool first = resume_org != root.id();
    // The resumed organisation itself is scanned first, from the token.
    if (first) {
      RETURN_IF_ERROR(visit_org(resume_org, resume_key));
      RETURN_IF_ERROR(inner);
    }
    if (!more) {
      absl::Status scan_inner;
      RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(root.id()),
                                  start, [&](std::string_view key, std::string_view) {
                                    auto status = visit_org(storage::TrailingId(key), "");
                                    if (!status.ok()) scan_inner = status;
                                    return status.ok() && inner.ok() && !more;
                                  }));
      RETURN_IF_ERROR(scan_inner);
      RETURN_IF_ERROR(inner);
    }
  }
  if (more) response.set_next_page_token(EncodePageToken(last_key));
  return response;
}

absl::StatusOr<v1::Person> PeopleDirectory::Update(const Caller& caller,
                                                   const v1::UpdatePersonRequest& request) {
  const auto& mask = request.update_mask();
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  // A password reset alone needs no field in the mask.
  if (!(mask.paths().empty() && !request.new_password().empty())) {
    RETURN_IF_ERROR(CheckUpdateMask(mask, {"display_name", "phone", "employee_number", "role",
                                           "organization_id", "admin_organization_ids"}));
  }
  std::string new_hash;
  if (!request.new_password().empty()) {
    RETURN_IF_ERROR(ValidatePassword(request.new_password(), "new_password"));
    ASSIGN_OR_RETURN(new_hash, hasher_.Hash(request.new_password()));
  }
  return RunIdempotent<v1::Person>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdatePerson"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Person> {
        return StageUpdate(caller, m, request.person(), mask, new_hash, "person.", "person.id",
                           nullptr);
      });
}

absl::StatusOr<v1::Person> PeopleDirectory::ChangeMembership(
    const Caller& caller, const v1::ChangeMembershipRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  if (request.person_id() == 0) return InvalidField("person_id", "is required");
  if (request.organization_id() == 0 && request.role() == v1::ROLE_UNSPECIFIED) {
    return InvalidField("organization_id", "or role must be set: nothing would change");
  }
  if (request.has_effective_date()) {
    RETURN_IF_ERROR(DayOfDate(request.effective_date(), "effective_date").status());
  }
  v1::Person in;
  in.set_id(request.person_id());
  in.set_organization_id(request.organization_id());
  in.set_role(request.role());
  google::protobuf::FieldMask mask;
  if (request.organization_id() != 0) mask.add_paths("organization_id");
  if (request.role() != v1::ROLE_UNSPECIFIED) mask.add_paths("role");
  return RunIdempotent<v1::Person>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ChangeMembership"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Person> {
        // A deactivated person's memberships are history (their last one ended with it).
        // (StageUpdate reads the record again under its lock and refuses a concurrent change.)
        ASSIGN_OR_RETURN(auto person, Load(caller, request.person_id(), "person_id"));
        if (!person.active()) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kPersonInactive,
                         "person_id");
        }
        return StageUpdate(caller, m, in, mask, "", "", "person_id",
                           request.has_effective_date() ? &request.effective_date() : nullptr);
      });
}

absl::StatusOr<v1::ListMembershipsResponse> PeopleDirectory::ListMemberships(
    const Caller& caller, const v1::ListMembershipsRequest& request) const {
  const uint64_t id = request.person_id() ? request.person_id() : caller.person_id;
  if (id == 0) return InvalidField("person_id", "is required");
  ASSIGN_OR_RETURN(auto person, LoadReadable(caller, id, "person_id"));
  v1::ListMembershipsResponse response;
  if (person.active()) {
    auto* current = response.add_memberships();
    current->set_organization_id(person.organization_id());
    current->set_role(person.role());
    if (person.has_membership_since()) *current->mutable_from_date() = person.membership_since();
  }
  ASSIGN_OR_RETURN(auto ended, EndedMemberships(store_, person.id()));
  for (auto& m : ended) *response.add_memberships() = std::move(m);
  absl::flat_hash_map<uint64_t, std::string> names;
  for (auto& m : *response.mutable_memberships()) {
    auto it = names.find(m.organization_id());
    if (it == names.end()) {
      auto org = access_.LoadOrg(caller, m.organization_id(), "person_id");
      it = names.emplace(m.organization_id(), org.ok() ? org->name() : "").first;
    }
    m.set_organization_name(it->second);
  }
  return response;
}

absl::StatusOr<v1::Person> PeopleDirectory::StageUpdate(
    const Caller& caller, Mutation& m, const v1::Person& in,
    const google::protobuf::FieldMask& mask, const std::string& new_hash, std::string_view prefix,
    std::string_view id_field, const v1::LocalDate* from_date) {
  const std::string p(prefix);
  ASSIGN_OR_RETURN(auto current, Load(caller, in.id(), id_field));
  uint32_t tenant = storage::TenantOfId(current.id());
  std::string record_key = storage::RecordKey(current.id());
  auto old_logins = LoginKeys(tenant, current);
  v1::Person updated = current;
  if (MaskHas(mask, "display_name"))
    updated.set_display_name(std::string(TrimAscii(in.display_name())));
  if (MaskHas(mask, "phone")) updated.set_phone(in.phone());
  if (MaskHas(mask, "employee_number")) updated.set_employee_number(in.employee_number());
  if (MaskHas(mask, "role")) updated.set_role(in.role());
  if (MaskHas(mask, "organization_id")) updated.set_organization_id(in.organization_id());
  if (MaskHas(mask, "admin_organization_ids")) {
    *updated.mutable_admin_organization_ids() = in.admin_organization_ids();
  }
  auto new_logins = LoginKeys(tenant, updated);
  std::vector<std::string_view> lock_keys{record_key};
  for (auto& k : new_logins) lock_keys.push_back(k);
  m.Lock(lock_keys);
  // Re-read under the lock: the record may have changed since the first read.
  ASSIGN_OR_RETURN(auto locked, Load(caller, in.id(), id_field));
  if (locked.SerializeAsString() != current.SerializeAsString()) {
    return absl::AbortedError("person changed concurrently; retry");
  }
  RETURN_IF_ERROR(ValidatePersonFields(updated, p));

  bool self_only = MaskHas(mask, "display_name") || MaskHas(mask, "phone");
  for (const auto& path : mask.paths())
    self_only = self_only && (path == "display_name" || path == "phone");
  bool is_self = current.id() == caller.person_id;
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, current.organization_id(), id_field));
  bool manages =
      Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_PEOPLE_WRITE);
  if (!(manages || (is_self && self_only && new_hash.empty()))) {
    return Denied("updating person " + std::to_string(current.id()));
  }
  if (!new_hash.empty()) RETURN_IF_ERROR(CheckPasswordReset(caller, current, org));
  // No one manages upward or sideways: the person as they are and as they would be.
  // (One's own rights are one's own, so only the result counts for oneself.)
  const std::string what = "updating person " + std::to_string(current.id());
  if (!is_self) RETURN_IF_ERROR(RequireRightsWithin(caller, current, p, what));
  RETURN_IF_ERROR(RequireRightsWithin(caller, updated, p, what));
  v1::Organization new_org = org;
  if (updated.organization_id() != current.organization_id()) {
    ASSIGN_OR_RETURN(new_org,
                     access_.LoadOrg(caller, updated.organization_id(), p + "organization_id"));
    RETURN_IF_ERROR(Access::RequireManage(caller, new_org, "moving a person here"));
    if (new_org.archived()) {
      return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                     p + "organization_id");
    }
  }

  auto& w = m.writes();
  std::set<std::string> old_set(old_logins.begin(), old_logins.end());
  std::set<std::string> new_set(new_logins.begin(), new_logins.end());
  for (const auto& key : new_set) {
    if (old_set.count(key)) continue;
    ASSIGN_OR_RETURN(auto taken, store_.Get(storage::Cf::kIndex, key));
    if (taken) {
      bool phone = key == PhoneLoginKey(tenant, updated.phone());
      return DescribedRefusal(absl::StatusCode::kAlreadyExists, reasons::kLoginInUse,
                              p + (phone ? "phone" : "employee_number"),
                              "is already used by another person");
    }
  }
  std::string id_bytes = storage::KeyBuilder().U64(current.id()).key();
  for (const auto& key : old_set) {
    if (!new_set.count(key)) w.Delete(storage::Cf::kIndex, key);
  }
  for (const auto& key : new_set) {
    if (!old_set.count(key)) w.Put(storage::Cf::kIndex, key, id_bytes);
  }
  const bool moved = updated.organization_id() != current.organization_id();
  if (from_date && !moved && updated.role() == current.role()) {
    return InvalidField(p + "organization_id", "and role are the person's current ones");
  }
  if (moved || updated.role() != current.role()) {
    const int64_t today = LocalDay(clock_.NowMicros(), new_org.utc_offset_minutes());
    int64_t from_day = std::max(today, MembershipSince(current));  // offsets may differ
    if (from_date) {
      ASSIGN_OR_RETURN(from_day, DayOfDate(*from_date, "effective_date"));
      if (from_day > today) return InvalidField("effective_date", "must not be after today");
    }
    if (from_day < MembershipSince(current)) {
      return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kMembershipDateBeforeCurrent,
                     from_date ? std::string("effective_date") : p + "role");
    }
    StageMembershipChange(w, current, updated, from_day,
                          moved ? kEndedTransferred : kEndedRoleChanged);
  }
  if (!new_hash.empty()) {
    internal::v1::Credential credential;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kCredentials, record_key, &credential));
    (void)found;
    credential.set_person_id(current.id());
    credential.set_password_hash(new_hash);
    credential.set_credential_version(credential.credential_version() + 1);
    credential.set_must_change_password(true);  // a password only its owner should know
    w.PutMessage(storage::Cf::kCredentials, record_key, credential);
    RETURN_IF_ERROR(StageEndSessions(store_, w, current.id()));
  }
  *updated.mutable_update_time() = ToTimestamp(clock_.NowMicros());
  w.PutMessage(storage::Cf::kPeople, record_key, updated);
  RecordChange(w, kKind, updated.id(), updated.organization_id(), "updated");
  return updated;
}

absl::StatusOr<v1::Person> PeopleDirectory::Deactivate(const Caller& caller,
                                                       const v1::DeactivatePersonRequest& request) {
  return RunIdempotent<v1::Person>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "DeactivatePerson"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Person> {
        if (request.id() == 0) return InvalidField("id", "is required");
        std::string key = storage::RecordKey(request.id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto person, Load(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, person.organization_id(), "id"));
        if (!Access::Manages(caller, org) &&
            !Access::ServiceMay(caller, org, v1::SCOPE_PEOPLE_WRITE)) {
          return Denied("deactivating person " + std::to_string(person.id()));
        }
        RETURN_IF_ERROR(RequireRightsWithin(caller, person, "id",
                                            "deactivating person " + std::to_string(person.id())));
        if (person.id() == caller.person_id) {
          return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kCannotDeactivateSelf,
                         "id");
        }
        if (!person.active()) return person;
        const v1::Person before = person;
        person.set_active(false);
        *person.mutable_update_time() = ToTimestamp(clock_.NowMicros());
        // The membership ends yesterday: the rosters of earlier days keep the person, today's
        // and later ones do not (the organisation index carries "on rosters").
        const int64_t today = LocalDay(clock_.NowMicros(), org.utc_offset_minutes());
        StageMembershipChange(m.writes(), before, person, std::max(today, MembershipSince(before)),
                              kEndedDeactivated);
        m.writes().PutMessage(storage::Cf::kPeople, key, person);
        RETURN_IF_ERROR(StageEndSessions(store_, m.writes(), person.id()));
        RecordChange(m.writes(), kKind, person.id(), person.organization_id(), "deactivated");
        return person;
      });
}

absl::StatusOr<v1::ImportPeopleResponse> PeopleDirectory::Import(
    const Caller& caller, const v1::ImportPeopleRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  if (request.rows_size() == 0) return InvalidField("rows", "is empty");
  if (request.rows_size() > kMaxImportRows) {
    return Refusal(absl::StatusCode::kResourceExhausted, reasons::kTooManyRows, "rows",
                   {{"max", std::to_string(kMaxImportRows)}});
  }
  // Validate and hash outside any lock: hashing is the slow part.
  std::vector<absl::Status> row_status(request.rows_size());
  std::vector<v1::Person> people(request.rows_size());
  std::vector<internal::v1::Credential> credentials(request.rows_size());
  for (int i = 0; i < request.rows_size(); ++i) {
    const auto& row = request.rows(i);
    people[i] = ClientFields(row.person());
    row_status[i] = CheckNew(caller, people[i], row.initial_password(), "person.");
    if (row_status[i].ok() && !row.initial_password().empty()) {
      auto hash = hasher_.Hash(row.initial_password());
      if (hash.ok()) {
        credentials[i].set_password_hash(*hash);
      } else {
        row_status[i] = hash.status();
      }
    }
  }
  return RunIdempotent<v1::ImportPeopleResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ImportPeople"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::ImportPeopleResponse> {
        std::vector<std::string> all_keys;
        for (int i = 0; i < request.rows_size(); ++i) {
          if (!row_status[i].ok()) continue;
          for (auto& k : LoginKeys(storage::TenantOfId(people[i].organization_id()), people[i])) {
            all_keys.push_back(std::move(k));
          }
        }
        m.Lock(std::vector<std::string_view>(all_keys.begin(), all_keys.end()));
        v1::ImportPeopleResponse response;
        std::set<std::string> batch_logins;
        for (int i = 0; i < request.rows_size(); ++i) {
          auto* result = response.add_results();
          result->set_row_index(i);
          absl::Status status = row_status[i];
          if (status.ok()) {
            for (auto& k : LoginKeys(storage::TenantOfId(people[i].organization_id()), people[i])) {
              if (!batch_logins.insert(k).second) {
                status = DescribedRefusal(absl::StatusCode::kAlreadyExists,
                                          reasons::kLoginRepeatedInImport, "person.phone",
                                          "login repeats an earlier row of this import");
              }
            }
          }
          if (status.ok()) {
            auto created = StageNew(m, people[i], credentials[i]);
            if (created.ok()) {
              result->set_person_id(created->id());
              response.set_created_count(response.created_count() + 1);
            } else {
              status = created.status();
            }
          }
          *result->mutable_status() = ToRpcStatus(status);
          if (!status.ok()) response.set_failed_count(response.failed_count() + 1);
        }
        return response;
      });
}

}  // namespace branchline
