// The read paths of the mailbox: letters, lists and threads.
#include <functional>

#include "branchline/v1/people.pb.h"
#include "services/common/call_cancellation.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
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
    return FieldError(absl::StatusCode::kNotFound, field, "no letter has this receipt code");
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
                                      const v1::Organization& org) {
  const auto& l = record.letter();
  if (!l.anonymous() && caller.person_id != 0 && l.author_person_id() == caller.person_id) {
    return Relation::kAuthor;
  }
  // The person a letter is about never sees it, whatever else they are.
  if (l.about_person_id() != 0 && l.about_person_id() == caller.person_id) return Relation::kNone;
  if (Access::Manages(caller, org)) return Relation::kHandler;
  if (Access::ServiceMay(caller, org, v1::SCOPE_FEEDBACK_READ)) return Relation::kService;
  return Relation::kNone;
}

v1::Letter Mailbox::View(const Record& record, Relation relation, int64_t now) const {
  v1::Letter letter = feedback::PresentLetter(record, now);
  if (relation == Relation::kAuthor) letter.clear_assignee_person_id();
  if (relation == Relation::kService) {
    letter.clear_author_person_id();
    letter.clear_about_person_id();
  }
  if (relation == Relation::kHandler) {
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
         event.kind() != v1::LETTER_EVENT_KIND_ASSIGNED;
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

  // One page of index keys under `prefix` after the token (or after `first_after`), while
  // `within(key)` holds: for index ranges that end before their prefix does.
  auto scan_range = [&](const std::string& prefix, const std::string& first_after,
                        const std::function<bool(std::string_view)>& within) -> absl::Status {
    ASSIGN_OR_RETURN(std::string start, DecodePageToken(request.page_token(), prefix));
    if (start.empty()) start = first_after;
    int taken = 0;
    bool more = false;
    std::string last;
    absl::Status inner;
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
    if (more) response.set_next_page_token(EncodePageToken(last));
    return absl::OkStatus();
  };

  if (request.overdue_only()) {
    // The due index is ordered by deadline: the scan stops at the first letter not yet late.
    RETURN_IF_ERROR(scan_range(storage::LetterDuePrefix(org.id()), "", [&](std::string_view rest) {
      auto due = storage::KeyReader(rest).I64();
      return due && *due < now;
    }));
    return response;
  }
  if (request.state() == v1::LETTER_STATE_RESOLVED || request.state() == v1::LETTER_STATE_CLOSED) {
    // A resolved letter past its auto-close time is closed but still indexed as resolved
    // until its next write, so both ask for the resolved and closed ranges, filtered by the
    // state as seen now (`take`).
    RETURN_IF_ERROR(scan_range(storage::LetterInboxPrefix(org.id()),
                               storage::LetterInboxStatePrefix(org.id(), v1::LETTER_STATE_RESOLVED),
                               [&](std::string_view rest) {
                                 auto state = storage::KeyReader(rest).U8();
                                 return state && *state <= v1::LETTER_STATE_CLOSED;
                               }));
    return response;
  }
  std::string prefix = request.state() == v1::LETTER_STATE_UNSPECIFIED
                           ? storage::LetterInboxPrefix(org.id())
                           : storage::LetterInboxStatePrefix(org.id(), request.state());
  ASSIGN_OR_RETURN(*response.mutable_next_page_token(),
                   ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
                            [&](std::string_view key, std::string_view) { return take(key); }));
  return response;
}

absl::StatusOr<v1::ListLetterEventsResponse> Mailbox::ListEvents(
    const Caller& caller, const v1::ListLetterEventsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto record, Load(&caller, request.id(), "id"));
  ASSIGN_OR_RETURN(auto org, LoadOrgOf(record));
  auto relation = RelationOf(caller, record, org);
  if (relation != Relation::kAuthor && relation != Relation::kHandler) {
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
