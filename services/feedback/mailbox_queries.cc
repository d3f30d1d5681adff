// The read paths of the mailbox: letters, lists and threads.
#include <algorithm>
#include <functional>

#include "branchline/v1/people.pb.h"
#include "services/auth/authenticator.h"
#include "services/common/call_cancellation.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/feedback/letter_rules.h"
#include "services/feedback/mailbox.h"
#include "storage/keys.h"

namespace branchline {

absl::StatusOr<Mailbox::Record> Mailbox::Load(const Caller* caller, uint64_t id,
                                              std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  Record record;
  if (caller == nullptr || Access::SameTenant(*caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kLetters, storage::RecordKey(id), &record));
    if (found) return record;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "letter " + std::to_string(id) + " does not exist");
}

absl::StatusOr<Mailbox::Record> Mailbox::LoadByReceipt(std::string_view code,
                                                       std::string_view field) const {
  ASSIGN_OR_RETURN(uint64_t id, feedback::Receipts::LetterId(code, field));
  auto record = Load(nullptr, id, field);
  // A missing letter and a wrong code look the same.
  if (!record.ok() || !feedback::Receipts::Opens(*record, code)) {
    if (!record.ok() && record.status().code() != absl::StatusCode::kNotFound) {
      return record.status();
    }
    return Refusal(absl::StatusCode::kNotFound, reasons::kReceiptUnknown, field);
  }
  return record;
}

absl::StatusOr<v1::Organization> Mailbox::LoadOrgOf(const Record& record) const {
  v1::Organization org;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kOrganizations,
                                     storage::RecordKey(record.letter().organization_id()), &org));
  if (!found) return absl::DataLossError("the organization of a letter is missing");
  return org;
}

Mailbox::Relation Mailbox::RelationOf(const Caller& caller, const Record& record,
                                      const v1::Organization& org) const {
  const auto& l = record.letter();
  if (!l.anonymous() && caller.person_id != 0 && l.author_person_id() == caller.person_id) {
    return Relation::kAuthor;
  }
  // The person a letter is about never sees it, whatever else they are.
  if (l.about_person_id() != 0 && l.about_person_id() == caller.person_id) return Relation::kNone;
  if (Access::Manages(caller, org)) return Relation::kHandler;
  if (Access::ServiceMay(caller, org, v1::SCOPE_FEEDBACK_READ)) return Relation::kService;
  if (caller.service_account) return Relation::kNone;
  // The organisations that sent the letter up keep sight of it (协助上级解决), unless it
  // reports misconduct by someone among them. A read error counts as no access.
  for (uint64_t from_id : l.escalated_from_organization_ids()) {
    v1::Organization from;
    auto found = store_.GetMessage(storage::Cf::kOrganizations, storage::RecordKey(from_id), &from);
    if (!found.ok() || !*found || !Access::Manages(caller, from)) continue;
    auto excluded = ReportsMisconductIn(record, from);
    if (excluded.ok() && !*excluded) return Relation::kSender;
  }
  return Relation::kNone;
}

absl::StatusOr<bool> Mailbox::ReportsMisconductIn(const Record& record,
                                                  const v1::Organization& from) const {
  const auto& l = record.letter();
  std::vector<uint64_t> marked;
  if (l.misconduct_organization_id() != 0) marked.push_back(l.misconduct_organization_id());
  if (l.category() == v1::LETTER_CATEGORY_MISCONDUCT && l.about_person_id() != 0) {
    v1::Person about;
    ASSIGN_OR_RETURN(
        bool found,
        store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(l.about_person_id()), &about));
    if (!found) return true;  // fail closed
    marked.push_back(about.organization_id());
  }
  for (uint64_t id : marked) {
    v1::Organization org;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kOrganizations, storage::RecordKey(id), &org));
    if (!found || Access::InSubtree(org, from.id())) return true;
  }
  return false;
}

absl::StatusOr<bool> Mailbox::HasOwnHandler(const v1::Organization& org) const {
  bool own = false;
  absl::Status inner;
  RETURN_IF_ERROR(store_.Scan(
      storage::Cf::kIndex, storage::PersonByOrgPrefix(org.id()), "",
      [&](std::string_view key, std::string_view) {
        v1::Person person;
        auto found = store_.GetMessage(storage::Cf::kPeople,
                                       storage::RecordKey(storage::TrailingId(key)), &person);
        if (!found.ok()) {
          inner = found.status();
          return false;
        }
        if (!*found || !person.active() || person.organization_id() != org.id()) return true;
        Caller as = CallerFromPerson(person, 0);
        own = !as.service_account &&
              (as.role == v1::ROLE_SECRETARY || as.role == v1::ROLE_COMMITTEE_MEMBER);
        return !own;
      }));
  RETURN_IF_ERROR(inner);
  return own;
}

absl::StatusOr<std::vector<uint64_t>> Mailbox::ServedOrgs(const v1::Organization& org) const {
  std::vector<uint64_t> served = {org.id()};
  std::vector<uint64_t> open = {org.id()};
  while (!open.empty()) {
    uint64_t parent = open.back();
    open.pop_back();
    std::vector<uint64_t> children;
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgChildPrefix(parent), "",
                                [&](std::string_view key, std::string_view) {
                                  if (uint64_t id = storage::TrailingId(key))
                                    children.push_back(id);
                                  return true;
                                }));
    for (uint64_t id : children) {
      RETURN_IF_ERROR(CancellationCheckpoint());
      v1::Organization child;
      ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kOrganizations,
                                                     storage::RecordKey(id), &child));
      if (!found) continue;
      ASSIGN_OR_RETURN(bool own, HasOwnHandler(child));
      if (own) continue;  // its subtree goes to its own handlers
      served.push_back(id);
      open.push_back(id);
    }
  }
  std::sort(served.begin(), served.end());
  return served;
}

v1::Letter Mailbox::View(const Record& record, Relation relation, int64_t now) const {
  v1::Letter letter = feedback::PresentLetter(record, now);
  if (relation == Relation::kAuthor) letter.clear_assignee_person_id();
  if (relation == Relation::kService) {
    letter.clear_author_person_id();
    letter.clear_about_person_id();
    letter.clear_author_name();
  }
  if (relation != Relation::kHandler && relation != Relation::kSender) {
    letter.clear_misconduct_organization_id();
  }
  if (relation == Relation::kHandler || relation == Relation::kSender) {
    // An anonymous letter has no author id to look up: the name cannot leak from here.
    if (letter.author_person_id()) {
      letter.set_author_display_name(DisplayName(letter.author_person_id()));
    }
    if (letter.about_person_id()) {
      letter.set_about_display_name(DisplayName(letter.about_person_id()));
    }
  }
  return letter;
}

std::string Mailbox::DisplayName(uint64_t person) const {
  v1::Person p;
  auto found = store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(person), &p);
  return found.ok() && *found ? p.display_name() : "";
}

bool Mailbox::IsPublic(const v1::LetterEvent& event) {
  return event.kind() != v1::LETTER_EVENT_KIND_INTERNAL_NOTE &&
         event.kind() != v1::LETTER_EVENT_KIND_ASSIGNED &&
         event.kind() != v1::LETTER_EVENT_KIND_MISCONDUCT_MARKED;
}

absl::StatusOr<v1::Letter> Mailbox::Get(const Caller& caller,
                                        const v1::GetLetterRequest& request) const {
  ASSIGN_OR_RETURN(auto record, Load(&caller, request.id(), "id"));
  ASSIGN_OR_RETURN(auto org, LoadOrgOf(record));
  auto relation = RelationOf(caller, record, org);
  if (relation == Relation::kNone) return Denied("reading letter " + std::to_string(request.id()));
  return View(record, relation, clock_.NowMicros());
}

absl::StatusOr<v1::ListLettersResponse> Mailbox::ListMine(
    const Caller& caller, const v1::ListMyLettersRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (caller.service_account) return Denied("service accounts have no letters");
  const int64_t now = clock_.NowMicros();
  v1::ListLettersResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, storage::LetterByAuthorPrefix(caller.person_id),
               request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 Record record;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kLetters,
                                       storage::RecordKey(storage::TrailingId(key)), &record));
                 if (!found) return false;
                 *response.add_letters() = View(record, Relation::kAuthor, now);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::ListLettersResponse> Mailbox::ListInbox(
    const Caller& caller, const v1::ListInboxRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (!v1::LetterState_IsValid(request.state())) return InvalidField("state", "is not a state");
  if (!v1::LetterCategory_IsValid(request.category())) {
    return InvalidField("category", "is not a category");
  }
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  Relation relation = Access::Manages(caller, org) ? Relation::kHandler
                      : Access::ServiceMay(caller, org, v1::SCOPE_FEEDBACK_READ)
                          ? Relation::kService
                          : Relation::kNone;
  if (relation == Relation::kNone) {
    return Denied("listing the inbox of organization " + std::to_string(org.id()));
  }
  const int64_t now = clock_.NowMicros();
  v1::ListLettersResponse response;
  // Adds a letter of the index to the page unless filtered out.
  auto take = [&](std::string_view key) -> absl::StatusOr<bool> {
    Record record;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kLetters,
                                       storage::RecordKey(storage::TrailingId(key)), &record));
    if (!found) return false;
    const auto& l = record.letter();
    if (l.about_person_id() != 0 && l.about_person_id() == caller.person_id) return false;
    if (request.category() != v1::LETTER_CATEGORY_UNSPECIFIED &&
        l.category() != request.category()) {
      return false;
    }
    auto letter = View(record, relation, now);
    // The state as seen now (auto-close), see below.
    if (request.state() != v1::LETTER_STATE_UNSPECIFIED && !request.overdue_only() &&
        letter.state() != request.state()) {
      return false;
    }
    *response.add_letters() = std::move(letter);
    return true;
  };

  std::vector<uint64_t> orgs = {org.id()};
  if (!request.this_organization_only()) {
    ASSIGN_OR_RETURN(orgs, ServedOrgs(org));
  }
  const uint32_t tenant = storage::TenantOfId(org.id());

  if (request.overdue_only()) {
    // Every overdue entry of the served organisations (keys only), most overdue first; the
    // token is the due-index key of the last letter of the page.
    const std::string index_prefix = storage::IndexKey(tenant, storage::Index::kLetterDue).key();
    ASSIGN_OR_RETURN(std::string token, DecodePageToken(request.page_token(), index_prefix));
    struct Due {
      int64_t due;
      uint64_t letter;
      std::string key;
    };
    auto order = [](const Due& a, const Due& b) {
      return a.due != b.due ? a.due < b.due : a.letter < b.letter;
    };
    std::optional<Due> after;
    if (!token.empty()) {
      storage::KeyReader reader(std::string_view(token).substr(index_prefix.size()));
      auto token_org = reader.U64();
      auto due = reader.I64();
      auto letter = reader.U64();
      if (!token_org || !due || !letter ||
          !std::binary_search(orgs.begin(), orgs.end(), *token_org)) {
        return InvalidField("page_token", "is not a token of this query");
      }
      after = Due{*due, *letter, ""};
    }
    std::vector<Due> overdue;
    for (uint64_t o : orgs) {
      const std::string prefix = storage::LetterDuePrefix(o);
      RETURN_IF_ERROR(
          store_.Scan(storage::Cf::kIndex, prefix, "", [&](std::string_view key, std::string_view) {
            auto due = storage::KeyReader(key.substr(prefix.size())).I64();
            if (!due || *due >= now) return false;
            Due d{*due, storage::TrailingId(key), std::string(key)};
            if (!after || order(*after, d)) overdue.push_back(std::move(d));
            return true;
          }));
    }
    std::sort(overdue.begin(), overdue.end(), order);
    int taken = 0;
    std::string last;
    for (const auto& d : overdue) {
      RETURN_IF_ERROR(CancellationCheckpoint());
      if (taken == page_size) {
        response.set_next_page_token(EncodePageToken(last));
        break;
      }
      ASSIGN_OR_RETURN(bool took, take(d.key));
      if (took) ++taken;
      last = d.key;
    }
    return response;
  }

  // One page over the inbox index, organisation by organisation in key order: for each, the
  // range under `prefix_of(o)` from `first_after_of(o)` while `within(rest of key)` holds. The
  // token is the last key read, under the index's prefix.
  const std::string index_prefix = storage::IndexKey(tenant, storage::Index::kLetterInbox).key();
  ASSIGN_OR_RETURN(std::string token, DecodePageToken(request.page_token(), index_prefix));
  uint64_t token_org = 0;
  if (!token.empty()) {
    token_org =
        storage::KeyReader(std::string_view(token).substr(index_prefix.size())).U64().value_or(0);
    if (!std::binary_search(orgs.begin(), orgs.end(), token_org)) {
      return InvalidField("page_token", "is not a token of this query");
    }
  }
  auto scan_orgs = [&](const std::function<std::string(uint64_t)>& prefix_of,
                       const std::function<std::string(uint64_t)>& first_after_of,
                       const std::function<bool(std::string_view)>& within) -> absl::Status {
    int taken = 0;
    bool more = false;
    std::string last;
    absl::Status inner;
    for (uint64_t o : orgs) {
      if (o < token_org) continue;
      const std::string prefix = prefix_of(o);
      std::string start = first_after_of(o);
      if (o == token_org) {
        if (token.compare(0, prefix.size(), prefix) != 0) {
          return InvalidField("page_token", "is not a token of this query");
        }
        start = token;
      }
      RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, prefix, start,
                                  [&](std::string_view key, std::string_view) {
                                    inner = CancellationCheckpoint();
                                    if (!inner.ok()) return false;
                                    if (!within(key.substr(prefix.size()))) return false;
                                    if (taken == page_size) {
                                      more = true;
                                      return false;
                                    }
                                    auto took = take(key);
                                    if (!took.ok()) {
                                      inner = took.status();
                                      return false;
                                    }
                                    if (*took) ++taken;
                                    last.assign(key);
                                    return true;
                                  }));
      RETURN_IF_ERROR(inner);
      if (more) break;
    }
    if (more) response.set_next_page_token(EncodePageToken(last));
    return absl::OkStatus();
  };
  auto whole = [](uint64_t o) { return storage::LetterInboxPrefix(o); };
  auto from_start = [](uint64_t) { return std::string(); };
  auto all = [](std::string_view) { return true; };

  if (request.state() == v1::LETTER_STATE_RESOLVED || request.state() == v1::LETTER_STATE_CLOSED) {
    // A resolved letter past its auto-close time is closed but still indexed as resolved
    // until its next write, so both ask for the resolved and closed ranges, filtered by the
    // state as seen now (`take`).
    RETURN_IF_ERROR(scan_orgs(
        whole,
        [](uint64_t o) { return storage::LetterInboxStatePrefix(o, v1::LETTER_STATE_RESOLVED); },
        [](std::string_view rest) {
          auto state = storage::KeyReader(rest).U8();
          return state && *state <= v1::LETTER_STATE_CLOSED;
        }));
    return response;
  }
  if (request.state() == v1::LETTER_STATE_UNSPECIFIED) {
    RETURN_IF_ERROR(scan_orgs(whole, from_start, all));
    return response;
  }
  RETURN_IF_ERROR(
      scan_orgs([&](uint64_t o) { return storage::LetterInboxStatePrefix(o, request.state()); },
                from_start, all));
  return response;
}

absl::StatusOr<v1::ListLetterEventsResponse> Mailbox::ListEvents(
    const Caller& caller, const v1::ListLetterEventsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto record, Load(&caller, request.id(), "id"));
  ASSIGN_OR_RETURN(auto org, LoadOrgOf(record));
  auto relation = RelationOf(caller, record, org);
  if (relation != Relation::kAuthor && relation != Relation::kHandler &&
      relation != Relation::kSender) {
    return Denied("reading the thread of letter " + std::to_string(request.id()));
  }
  v1::ListLetterEventsResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kLetterEvents, storage::LetterEventPrefix(request.id()),
               request.page_token(), page_size,
               [&](std::string_view, std::string_view value) -> absl::StatusOr<bool> {
                 v1::LetterEvent event;
                 if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                   return absl::DataLossError("a letter event does not parse");
                 }
                 if (relation == Relation::kAuthor && !IsPublic(event)) return false;
                 *response.add_events() = std::move(event);
                 return true;
               }));
  return response;
}

absl::StatusOr<v1::GetLetterByReceiptResponse> Mailbox::GetByReceipt(
    const v1::GetLetterByReceiptRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto record, LoadByReceipt(request.receipt_code(), "receipt_code"));
  v1::GetLetterByReceiptResponse response;
  *response.mutable_letter() = View(record, Relation::kAuthor, clock_.NowMicros());
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kLetterEvents, storage::LetterEventPrefix(record.letter().id()),
               request.page_token(), page_size,
               [&](std::string_view, std::string_view value) -> absl::StatusOr<bool> {
                 v1::LetterEvent event;
                 if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                   return absl::DataLossError("a letter event does not parse");
                 }
                 if (!IsPublic(event)) return false;
                 *response.add_events() = std::move(event);
                 return true;
               }));
  return response;
}

}  // namespace branchline
