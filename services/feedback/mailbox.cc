// The write paths of the mailbox: submission, the handlers' workflow, replies and ratings.
#include "services/feedback/mailbox.h"

#include <algorithm>

#include "branchline/v1/files.pb.h"
#include "services/auth/authenticator.h"
#include "services/common/anonymity.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/feedback/letter_rules.h"
#include "storage/keys.h"

namespace branchline {

using feedback::IsOpen;
using feedback::kMicrosPerDay;

namespace {
constexpr std::string_view kKind = "letter";
constexpr size_t kMaxText = 5000;
constexpr size_t kMaxReason = 500;

// Puts the files of a letter being submitted on it (FileService: ATTACHMENT_TARGET_LETTER), in
// the letter's own commit: each must be the author's own upload, or, for an anonymous letter,
// an anonymous one (a named file would name the author). The file records are locked after
// the letter's key, as no other path locks a letter after a file.
absl::Status StageLetterAttachments(const storage::Store& store, const Caller& caller,
                                    const v1::SubmitLetterRequest& r, uint64_t letter,
                                    Mutation& m) {
  for (int i = 0; i < r.attachment_file_ids_size(); ++i) {
    const uint64_t id = r.attachment_file_ids(i);
    const std::string key = storage::FileKey(id);
    m.Lock({key});
    v1::File file;
    bool found = false;
    if (Access::SameTenant(caller, id)) {
      ASSIGN_OR_RETURN(found, store.GetMessage(storage::Cf::kFiles, key, &file));
    }
    if (!found)
      return FieldError(absl::StatusCode::kNotFound, feedback::AttachmentField(i), "no such file");
    if (r.anonymous() && !file.anonymous()) {
      return InvalidField(feedback::AttachmentField(i),
                          "an anonymous letter takes only files uploaded anonymously");
    }
    if (!r.anonymous() && file.uploader_person_id() != caller.person_id) {
      return InvalidField(feedback::AttachmentField(i), "must be a file you uploaded");
    }
    auto* ref = file.add_attached_to();
    ref->set_target(v1::ATTACHMENT_TARGET_LETTER);
    ref->set_object_id(letter);
    m.writes().Put(storage::Cf::kFiles, key, file.SerializeAsString());
    m.writes().Put(storage::Cf::kIndex,
                   storage::AttachmentKey(v1::ATTACHMENT_TARGET_LETTER, letter, id), "");
  }
  return absl::OkStatus();
}

absl::Status CheckCategory(v1::LetterCategory category) {
  if (!v1::LetterCategory_IsValid(category) || category == v1::LETTER_CATEGORY_UNSPECIFIED) {
    return InvalidField("category",
                        "must be one of DIFFICULTY, SUGGESTION, CRITICISM, MISCONDUCT, INNOVATION");
  }
  return absl::OkStatus();
}

absl::Status NotHandler(uint64_t id, std::string_view what) {
  return DescribedRefusal(absl::StatusCode::kPermissionDenied, reasons::kNotLetterHandler, {},
                          "permission denied: " + std::string(what) + " letter " +
                              std::to_string(id) + " needs a handler of its organization",
                          {{"letter_id", std::to_string(id)}});
}
}  // namespace

int64_t Mailbox::AuthorTime(const Record& record, int64_t now) {
  if (!record.letter().anonymous()) return now;
  int32_t offset = record.utc_offset_minutes();
  return LocalDayStartMicros(LocalDay(now, offset), offset);
}

void Mailbox::Stage(Mutation& m, const Record* before, Record& after, v1::LetterEvent& event,
                    std::string_view action) const {
  auto& w = m.writes();
  const auto& l = after.letter();
  if (before != nullptr) {
    const auto& b = before->letter();
    if (b.organization_id() != l.organization_id() || b.state() != l.state()) {
      w.Delete(storage::Cf::kIndex,
               storage::LetterInboxKey(b.organization_id(), b.state(), l.id()));
    }
  } else {
    // Named letters with a person (not anonymous ones, nor registered ones naming the writer in
    // free text).
    if (!l.anonymous() && l.author_person_id() != 0) {
      w.Put(storage::Cf::kIndex, storage::LetterByAuthorKey(l.author_person_id(), l.id()), "");
    }
    w.Put(
        storage::Cf::kIndex,
        storage::LetterBySubmitKey(l.original_organization_id(), ToMicros(l.submit_time()), l.id()),
        "");
  }
  w.Put(storage::Cf::kIndex, storage::LetterInboxKey(l.organization_id(), l.state(), l.id()), "");
  std::string due_key;
  if (int64_t due = feedback::CurrentDueMicros(after); due != 0) {
    due_key = storage::LetterDueKey(l.organization_id(), due, l.id());
  }
  if (!after.due_index_key().empty() && after.due_index_key() != due_key) {
    w.Delete(storage::Cf::kIndex, after.due_index_key());
  }
  if (!due_key.empty()) w.Put(storage::Cf::kIndex, due_key, "");
  after.set_due_index_key(due_key);

  event.set_letter_id(l.id());
  event.set_sequence(after.last_event_sequence() + 1);
  after.set_last_event_sequence(event.sequence());
  w.PutMessage(storage::Cf::kLetterEvents, storage::LetterEventKey(l.id(), event.sequence()),
               event);
  w.PutMessage(storage::Cf::kLetters, storage::RecordKey(l.id()), after);
  // An anonymous submission records no change at all: the change log keeps exact commit
  // times, which would date the submission. Handlers find it in their inbox; its later
  // changes are logged. Other changes of anonymous letters name nobody. Internal events are
  // not addressed to the author (that would tell them a note exists).
  if (l.anonymous() && before == nullptr) return;
  // What the anonymous author does (a reply or a rating by receipt code) is held back and
  // published with the rest of the day's, two local days later (publication is at least a day
  // after the act, at most two): committed now, its sequence and time would sit beside the
  // author's own named actions of the same upload or minute.
  if (l.anonymous() && (event.kind() == v1::LETTER_EVENT_KIND_AUTHOR_REPLY ||
                        event.kind() == v1::LETTER_EVENT_KIND_RATED)) {
    // The event is dated to the start of the author's local day (AuthorTime).
    RecordChangeLater(w, kKind, l.id(), l.organization_id(), action,
                      ToMicros(event.create_time()) + 2 * kMicrosPerDay);
    return;
  }
  if (!l.anonymous() && l.author_person_id() != 0 && IsPublic(event)) {
    RecordChange(w, kKind, l.id(), l.organization_id(), action, {l.author_person_id()});
  } else {
    RecordChange(w, kKind, l.id(), l.organization_id(), action);
  }
}

absl::StatusOr<Mailbox::Modified> Mailbox::Modify(Mutation& m, const Caller* caller,
                                                  std::string_view receipt, uint64_t id,
                                                  std::string_view field, std::string_view action,
                                                  const Change& change) {
  if (id == 0) return InvalidField(field, "is required");
  std::string key = storage::RecordKey(id);
  m.Lock({key});
  ASSIGN_OR_RETURN(Record record, Load(caller, id, field));
  ASSIGN_OR_RETURN(auto org, LoadOrgOf(record));
  Relation relation = Relation::kAuthor;
  if (caller != nullptr) {
    relation = RelationOf(*caller, record, org);
  } else if (!feedback::Receipts::Opens(record, receipt)) {
    return Refusal(absl::StatusCode::kNotFound, reasons::kReceiptUnknown, field);
  }
  const Record before = record;
  int64_t now = clock_.NowMicros();
  if (auto state = feedback::EffectiveState(record, now); state != record.letter().state()) {
    record.mutable_letter()->set_state(state);
    *record.mutable_letter()->mutable_close_time() = ToTimestamp(record.auto_close_micros());
  }
  ASSIGN_OR_RETURN(auto event, change(record, relation, org, now));
  Stage(m, &before, record, event, action);
  return Modified{std::move(record), std::move(event)};
}

absl::Status Mailbox::CheckSubmit(const Caller& caller, const v1::SubmitLetterRequest& r) {
  if (caller.service_account) return Denied("service accounts cannot submit letters");
  RETURN_IF_ERROR(CheckCategory(r.category()));
  RETURN_IF_ERROR(CheckText("subject", TrimAscii(r.subject()), 1, 100));
  RETURN_IF_ERROR(CheckText("body", r.body(), 1, kMaxText, /*multiline=*/true));
  if (r.about_person_id() != 0 && r.about_person_id() == caller.person_id) {
    return InvalidField("about_person_id", "cannot be the author");
  }
  RETURN_IF_ERROR(feedback::CheckAttachmentIds(r.attachment_file_ids()));
  if (r.anonymous()) {
    RETURN_IF_ERROR(CheckRequestId(r.request_id()));
    if (r.request_id().size() < 16) {
      return InvalidField("request_id",
                          "must be at least 16 characters (a random UUID) for an anonymous letter");
    }
  }
  return absl::OkStatus();
}

// Anonymous: the idempotency entry is keyed by a hash of the request id alone (caller 0),
// dated to the day, and stores the answer without the receipt code; the code is derived
// again from the request id, so a retry shows it again. See receipts.h.
Mailbox::SubmitIdentity Mailbox::SubmitIdentityOf(const Caller& caller,
                                                  const v1::SubmitLetterRequest& r) const {
  const int64_t now = clock_.NowMicros();
  if (!r.anonymous()) return {r.request_id(), caller.person_id, now};
  return {feedback::AnonymousRequestKey("submit", caller.tenant, r.request_id()), 0,
          UtcDayStart(now)};
}

absl::StatusOr<v1::SubmitLetterResponse> Mailbox::Submit(const Caller& caller,
                                                         const v1::SubmitLetterRequest& r) {
  RETURN_IF_ERROR(CheckSubmit(caller, r));
  SubmitIdentity id = SubmitIdentityOf(caller, r);
  ASSIGN_OR_RETURN(auto response,
                   RunIdempotent<v1::SubmitLetterResponse>(
                       store_, {caller.tenant, id.caller, id.request_key, "SubmitLetter"}, r,
                       id.now, [&](Mutation& m) { return StageSubmit(caller, r, m); }));
  if (r.anonymous()) AddReceipt(caller.tenant, r.request_id(), response);
  return response;
}

void Mailbox::SubmitAsync(
    const Caller& caller, const v1::SubmitLetterRequest& r,
    std::function<void(absl::StatusOr<Encoded<v1::SubmitLetterResponse>>)> done) {
  if (auto status = CheckSubmit(caller, r); !status.ok()) return done(status);
  SubmitIdentity id = SubmitIdentityOf(caller, r);
  RunIdempotentAsync<v1::SubmitLetterResponse>(
      store_, {caller.tenant, id.caller, id.request_key, "SubmitLetter"}, r, id.now,
      [&](Mutation& m) { return StageSubmit(caller, r, m); },
      [this, anonymous = r.anonymous(), tenant = caller.tenant, request_id = r.request_id(),
       done = std::move(done)](absl::StatusOr<Encoded<v1::SubmitLetterResponse>> response) {
        if (!anonymous || !response.ok()) return done(std::move(response));
        // The receipt code is derived on each answer, never stored.
        auto with_receipt = response->Decode();
        if (!with_receipt.ok()) return done(with_receipt.status());
        AddReceipt(tenant, request_id, *with_receipt);
        done(Encoded<v1::SubmitLetterResponse>{with_receipt->SerializeAsString()});
      });
}

void Mailbox::AddReceipt(uint32_t tenant, std::string_view request_id,
                         v1::SubmitLetterResponse& response) const {
  response.set_receipt_code(receipts_.Code(tenant, response.letter().id(), request_id));
}

std::string Mailbox::RegisteredReceiptInput(std::string_view request_id) {
  return "registered:" + std::string(request_id);
}

absl::StatusOr<v1::SubmitLetterResponse> Mailbox::StageSubmit(const Caller& caller,
                                                              const v1::SubmitLetterRequest& r,
                                                              Mutation& m,
                                                              const Registration* reg) {
  const uint32_t tenant = caller.tenant;
  const bool anonymous = r.anonymous();
  const int64_t now = clock_.NowMicros();
  uint64_t target_id = r.organization_id() != 0 ? r.organization_id() : caller.organization_id;
  ASSIGN_OR_RETURN(auto target, access_.LoadOrg(caller, target_id, "organization_id"));
  if (reg != nullptr) {
    RETURN_IF_ERROR(Access::RequireManage(caller, target, "registering a letter"));
    const int32_t offset = target.utc_offset_minutes();
    if (reg->received_day > LocalDay(now, offset)) {
      return DescribedRefusal(absl::StatusCode::kInvalidArgument, reasons::kReceivedDateInFuture,
                              "received_date", "is in the future");
    }
    if (target.has_create_time() &&
        reg->received_day < LocalDay(ToMicros(target.create_time()), offset)) {
      return DescribedRefusal(
          absl::StatusCode::kInvalidArgument, reasons::kReceivedDateBeforeOrganization,
          "received_date",
          "is before organization " + std::to_string(target.id()) + " was created");
    }
    if (reg->author_person_id != 0) {
      ASSIGN_OR_RETURN(auto writer,
                       people_.Load(caller, reg->author_person_id, "author_person_id"));
      v1::Organization writer_org;
      ASSIGN_OR_RETURN(
          bool found, store_.GetMessage(storage::Cf::kOrganizations,
                                        storage::RecordKey(writer.organization_id()), &writer_org));
      if (!found || !Access::InSubtree(writer_org, target.id()) ||
          writer.kind() == v1::PERSON_KIND_SERVICE) {
        return DescribedRefusal(
            absl::StatusCode::kFailedPrecondition, reasons::kWriterOutsideOrganization,
            "author_person_id",
            "is not a person of organization " + std::to_string(target.id()) + " or below it");
      }
      if (writer.id() == r.about_person_id()) {
        return InvalidField("about_person_id", "cannot be the author");
      }
    }
  } else if (!caller.system_admin) {
    ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "caller"));
    if (!Access::InSubtree(own, target.id())) {
      return DescribedRefusal(
          absl::StatusCode::kPermissionDenied, reasons::kLetterTargetOutside, "organization_id",
          "permission denied: writing to organization " + std::to_string(target.id()) +
              ": letters go to your own organization or one above it");
    }
  }
  if (target.archived()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOrganizationArchived,
                   "organization_id");
  }
  if (r.about_person_id() != 0) {
    // A report about a handler goes up to the nearest organisation they do not handle.
    ASSIGN_OR_RETURN(auto about, people_.Load(caller, r.about_person_id(), "about_person_id"));
    Caller about_caller = CallerFromPerson(about, 0);
    while (Access::Manages(about_caller, target) && target.parent_id() != 0) {
      ASSIGN_OR_RETURN(target, access_.LoadOrg(caller, target.parent_id(), "organization_id"));
    }
  }
  ASSIGN_OR_RETURN(auto settings, EffectiveSettings(target));
  const int32_t offset = target.utc_offset_minutes();
  if (anonymous && reg == nullptr) {
    // Last check before storing, so refused or invalid letters use up nothing (and a retry
    // of a stored letter never gets here: RunIdempotent answers it).
    RETURN_IF_ERROR(anonymous_limit_.Take(tenant, target.id(), offset, now));
  }
  uint64_t id = 0;
  if (anonymous) {
    for (bool taken = true; taken;) {
      id = RandomAnonymousId(storage::TenantOfId(target.id()));
      ASSIGN_OR_RETURN(auto existing, store_.Get(storage::Cf::kLetters, storage::RecordKey(id)));
      taken = existing.has_value();
    }
  } else {
    ASSIGN_OR_RETURN(id, store_.NewId(storage::TenantOfId(target.id())));
  }
  std::string key = storage::RecordKey(id);
  m.Lock({key});
  const int64_t today = LocalDayStartMicros(LocalDay(now, offset), offset);
  // A registered letter was received on a day (its deadlines run from that day's start); an
  // anonymous one is dated to the day.
  const int64_t submit = reg != nullptr ? LocalDayStartMicros(reg->received_day, offset)
                         : anonymous    ? today
                                        : now;

  Record record;
  record.set_utc_offset_minutes(offset);
  auto* l = record.mutable_letter();
  l->set_id(id);
  l->set_organization_id(target.id());
  l->set_original_organization_id(target.id());
  l->set_category(r.category());
  l->set_subject(std::string(TrimAscii(r.subject())));
  l->set_body(r.body());
  l->set_about_person_id(r.about_person_id());
  l->set_anonymous(anonymous);
  RETURN_IF_ERROR(StageLetterAttachments(store_, caller, r, id, m));
  *l->mutable_attachment_file_ids() = r.attachment_file_ids();
  if (reg != nullptr) {
    l->set_author_person_id(anonymous ? 0 : reg->author_person_id);
    l->set_author_name(anonymous ? "" : reg->author_name);
    l->set_channel(reg->channel);
  } else {
    if (!anonymous) l->set_author_person_id(caller.person_id);
    l->set_channel(v1::LETTER_CHANNEL_APP);
  }
  l->set_state(v1::LETTER_STATE_SUBMITTED);
  *l->mutable_submit_time() = ToTimestamp(submit);
  feedback::StartDeadlines(record, submit, settings);
  if (anonymous) {
    feedback::Receipts::Seal(
        record,
        receipts_.Code(tenant, id,
                       reg != nullptr ? RegisteredReceiptInput(r.request_id()) : r.request_id()));
  }
  v1::LetterEvent event;
  event.set_to_state(v1::LETTER_STATE_SUBMITTED);
  event.set_organization_id(target.id());
  if (reg != nullptr) {
    // The handler's act: for an anonymous letter only "a handler registered it on this day",
    // no handler id and no time of day.
    event.set_kind(v1::LETTER_EVENT_KIND_REGISTERED);
    event.set_person_id(anonymous ? 0 : caller.person_id);
    *event.mutable_create_time() = ToTimestamp(anonymous ? today : now);
  } else {
    event.set_kind(v1::LETTER_EVENT_KIND_SUBMITTED);
    event.set_person_id(l->author_person_id());
    *event.mutable_create_time() = ToTimestamp(submit);
  }
  Stage(m, nullptr, record, event, reg != nullptr ? "registered" : "submitted");
  v1::SubmitLetterResponse response;
  *response.mutable_letter() =
      View(record, reg != nullptr ? Relation::kHandler : Relation::kAuthor, now);
  return response;
}

absl::StatusOr<v1::Letter> Mailbox::Transition(const Caller& caller,
                                               const v1::TransitionLetterRequest& r) {
  const auto to = r.state();
  if (!v1::LetterState_IsValid(to) || to == v1::LETTER_STATE_UNSPECIFIED ||
      to == v1::LETTER_STATE_SUBMITTED) {
    return InvalidField("state", "must be ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED or REFUSED");
  }
  RETURN_IF_ERROR(CheckText("reason", TrimAscii(r.reason()), to == v1::LETTER_STATE_REFUSED ? 1 : 0,
                            kMaxReason, /*multiline=*/true));
  return RunIdempotent<v1::Letter>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "TransitionLetter"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
        ASSIGN_OR_RETURN(
            auto done,
            Modify(m, &caller, "", r.id(), "id", "state_changed",
                   [&](Record& record, Relation relation, const v1::Organization& org,
                       int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                     if (relation != Relation::kHandler) return NotHandler(r.id(), "moving");
                     auto* l = record.mutable_letter();
                     const auto from = l->state();
                     RETURN_IF_ERROR(feedback::CheckTransition(from, to));
                     switch (to) {
                       case v1::LETTER_STATE_ACKNOWLEDGED:
                         if (!l->has_acknowledge_time()) {
                           *l->mutable_acknowledge_time() = ToTimestamp(now);
                           l->set_acknowledge_seconds(feedback::WorkingSeconds(record, now));
                         }
                         break;
                       case v1::LETTER_STATE_RESOLVED: {
                         feedback::ResumeClock(record, now);
                         ASSIGN_OR_RETURN(auto settings, EffectiveSettings(org));
                         *l->mutable_resolve_time() = ToTimestamp(now);
                         l->set_resolve_seconds(feedback::WorkingSeconds(record, now));
                         l->set_resolved_in_time(now <= ToMicros(l->resolve_due_time()));
                         record.set_auto_close_micros(now + settings.auto_close_after_days() *
                                                                kMicrosPerDay);
                         break;
                       }
                       case v1::LETTER_STATE_CLOSED:
                         *l->mutable_close_time() = ToTimestamp(now);
                         break;
                       case v1::LETTER_STATE_REFUSED:
                         feedback::ResumeClock(record, now);
                         l->set_refusal_reason(std::string(TrimAscii(r.reason())));
                         *l->mutable_close_time() = ToTimestamp(now);
                         break;
                       default:
                         break;
                     }
                     l->set_state(to);
                     v1::LetterEvent event;
                     event.set_kind(v1::LETTER_EVENT_KIND_STATE_CHANGED);
                     event.set_person_id(caller.person_id);
                     event.set_from_state(from);
                     event.set_to_state(to);
                     event.set_text(std::string(TrimAscii(r.reason())));
                     event.set_organization_id(l->organization_id());
                     *event.mutable_create_time() = ToTimestamp(now);
                     return event;
                   }));
        return View(done.record, Relation::kHandler, clock_.NowMicros());
      });
}

absl::StatusOr<v1::Letter> Mailbox::Escalate(const Caller& caller,
                                             const v1::EscalateLetterRequest& r) {
  RETURN_IF_ERROR(CheckText("reason", TrimAscii(r.reason()), 1, kMaxReason, /*multiline=*/true));
  return RunIdempotent<v1::Letter>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "EscalateLetter"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
        ASSIGN_OR_RETURN(
            auto done,
            Modify(m, &caller, "", r.id(), "id", "escalated",
                   [&](Record& record, Relation relation, const v1::Organization& org,
                       int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                     if (relation != Relation::kHandler) return NotHandler(r.id(), "escalating");
                     auto* l = record.mutable_letter();
                     if (!IsOpen(l->state())) {
                       return DescribedRefusal(
                           absl::StatusCode::kFailedPrecondition, reasons::kLetterNotOpen, "id",
                           "only an open letter can be escalated, this one is " +
                               v1::LetterState_Name(l->state()),
                           {{"state", v1::LetterState_Name(l->state())}});
                     }
                     if (org.parent_id() == 0) {
                       return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                               reasons::kNoHigherOrganization, "id",
                                               "organization " + std::to_string(org.id()) +
                                                   " has no organization above it");
                     }
                     v1::Organization parent;
                     ASSIGN_OR_RETURN(
                         bool found,
                         store_.GetMessage(storage::Cf::kOrganizations,
                                           storage::RecordKey(org.parent_id()), &parent));
                     if (!found) return absl::DataLossError("parent organization is missing");
                     ASSIGN_OR_RETURN(auto settings, EffectiveSettings(parent));
                     const auto from = l->state();
                     feedback::ResumeClock(record, now);
                     l->add_escalated_from_organization_ids(org.id());
                     l->set_organization_id(parent.id());
                     l->set_state(v1::LETTER_STATE_SUBMITTED);
                     l->set_assignee_person_id(0);
                     feedback::StartDeadlines(record, now, settings);
                     v1::LetterEvent event;
                     event.set_kind(v1::LETTER_EVENT_KIND_ESCALATED);
                     event.set_person_id(caller.person_id);
                     event.set_from_state(from);
                     event.set_to_state(v1::LETTER_STATE_SUBMITTED);
                     event.set_text(std::string(TrimAscii(r.reason())));
                     event.set_from_organization_id(org.id());
                     event.set_organization_id(parent.id());
                     *event.mutable_create_time() = ToTimestamp(now);
                     return event;
                   }));
        return View(done.record, Relation::kHandler, clock_.NowMicros());
      });
}

absl::StatusOr<v1::Letter> Mailbox::Assign(const Caller& caller, const v1::AssignLetterRequest& r) {
  return RunIdempotent<v1::Letter>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "AssignLetter"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
        ASSIGN_OR_RETURN(
            auto done,
            Modify(m, &caller, "", r.id(), "id", "assigned",
                   [&](Record& record, Relation relation, const v1::Organization& org,
                       int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                     if (relation != Relation::kHandler) return NotHandler(r.id(), "assigning");
                     auto* l = record.mutable_letter();
                     if (!IsOpen(l->state())) {
                       return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                               reasons::kLetterNotOpen, "id",
                                               "only an open letter can be assigned",
                                               {{"state", v1::LetterState_Name(l->state())}});
                     }
                     ASSIGN_OR_RETURN(auto assignee, people_.Load(caller, r.assignee_person_id(),
                                                                  "assignee_person_id"));
                     if (!assignee.active() || assignee.id() == l->about_person_id() ||
                         !Access::Manages(CallerFromPerson(assignee, 0), org)) {
                       return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                               reasons::kAssigneeNotHandler, "assignee_person_id",
                                               "is not an active handler of organization " +
                                                   std::to_string(org.id()) + " for this letter");
                     }
                     l->set_assignee_person_id(assignee.id());
                     v1::LetterEvent event;
                     event.set_kind(v1::LETTER_EVENT_KIND_ASSIGNED);
                     event.set_person_id(caller.person_id);
                     event.set_assignee_person_id(assignee.id());
                     event.set_organization_id(l->organization_id());
                     *event.mutable_create_time() = ToTimestamp(now);
                     return event;
                   }));
        return View(done.record, Relation::kHandler, clock_.NowMicros());
      });
}

absl::StatusOr<v1::LetterEvent> Mailbox::AuthorReply(Record& record, std::string_view text,
                                                     int64_t now) const {
  auto* l = record.mutable_letter();
  if (!IsOpen(l->state()) && l->state() != v1::LETTER_STATE_RESOLVED) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kLetterNotOpen, "id",
                            "the letter is " + v1::LetterState_Name(l->state()),
                            {{"state", v1::LetterState_Name(l->state())}});
  }
  // For an anonymous author the reply is dated to the day, and so is the end of the pause
  // (never before it began: the handlers lose the rest of that day's pause).
  int64_t at = AuthorTime(record, now);
  feedback::ResumeClock(record, std::max(at, record.wait_start_micros()));
  v1::LetterEvent event;
  event.set_kind(v1::LETTER_EVENT_KIND_AUTHOR_REPLY);
  event.set_person_id(l->author_person_id());
  event.set_text(std::string(text));
  event.set_organization_id(l->organization_id());
  *event.mutable_create_time() = ToTimestamp(at);
  return event;
}

absl::StatusOr<v1::LetterEvent> Mailbox::Reply(const Caller& caller,
                                               const v1::ReplyToLetterRequest& r) {
  RETURN_IF_ERROR(CheckText("text", r.text(), 1, kMaxText, /*multiline=*/true));
  return RunIdempotent<v1::LetterEvent>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "ReplyToLetter"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::LetterEvent> {
        ASSIGN_OR_RETURN(
            auto done,
            Modify(m, &caller, "", r.id(), "id", "replied",
                   [&](Record& record, Relation relation, const v1::Organization&,
                       int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                     if (relation == Relation::kAuthor) {
                       if (r.wait_for_author()) {
                         return InvalidField("wait_for_author",
                                             "only handlers wait for the author");
                       }
                       return AuthorReply(record, r.text(), now);
                     }
                     if (relation != Relation::kHandler) return NotHandler(r.id(), "replying to");
                     auto* l = record.mutable_letter();
                     if (!IsOpen(l->state()) && l->state() != v1::LETTER_STATE_RESOLVED) {
                       return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                               reasons::kLetterNotOpen, "id",
                                               "the letter is " + v1::LetterState_Name(l->state()),
                                               {{"state", v1::LetterState_Name(l->state())}});
                     }
                     if (r.wait_for_author()) {
                       if (!IsOpen(l->state())) {
                         return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                                 reasons::kLetterNotOpen, "wait_for_author",
                                                 "only an open letter can wait for the author",
                                                 {{"state", v1::LetterState_Name(l->state())}});
                       }
                       feedback::PauseClock(record, now);
                     }
                     v1::LetterEvent event;
                     event.set_kind(v1::LETTER_EVENT_KIND_REPLY);
                     event.set_person_id(caller.person_id);
                     event.set_text(r.text());
                     event.set_waiting_for_author(r.wait_for_author());
                     event.set_organization_id(l->organization_id());
                     *event.mutable_create_time() = ToTimestamp(now);
                     return event;
                   }));
        return done.event;
      });
}

absl::StatusOr<v1::LetterEvent> Mailbox::AddNote(const Caller& caller,
                                                 const v1::AddInternalNoteRequest& r) {
  RETURN_IF_ERROR(CheckText("text", r.text(), 1, kMaxText, /*multiline=*/true));
  return RunIdempotent<v1::LetterEvent>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "AddInternalNote"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::LetterEvent> {
        ASSIGN_OR_RETURN(
            auto done, Modify(m, &caller, "", r.id(), "id", "noted",
                              [&](Record& record, Relation relation, const v1::Organization&,
                                  int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                                // The organisations that sent it up add notes for the
                                // level above.
                                if (relation != Relation::kHandler && relation != Relation::kSender)
                                  return NotHandler(r.id(), "noting on");
                                v1::LetterEvent event;
                                event.set_kind(v1::LETTER_EVENT_KIND_INTERNAL_NOTE);
                                event.set_person_id(caller.person_id);
                                event.set_text(r.text());
                                event.set_organization_id(record.letter().organization_id());
                                *event.mutable_create_time() = ToTimestamp(now);
                                return event;
                              }));
        return done.event;
      });
}

absl::StatusOr<v1::LetterEvent> Mailbox::ReplyByReceipt(const v1::ReplyByReceiptRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  ASSIGN_OR_RETURN(uint64_t id, feedback::Receipts::LetterId(r.receipt_code(), "receipt_code"));
  RETURN_IF_ERROR(CheckText("text", r.text(), 1, kMaxText, /*multiline=*/true));
  // A wrong code must not reach a stored answer of the right one.
  RETURN_IF_ERROR(LoadByReceipt(r.receipt_code(), "receipt_code").status());
  // The stored request (for the retry check) must not hold the code, even hashed unsalted.
  v1::ReplyByReceiptRequest without_code = r;
  without_code.clear_receipt_code();
  return RunIdempotent<v1::LetterEvent>(
      store_,
      {storage::TenantOfId(id), 0, feedback::AnonymousRequestKey("reply", id, r.request_id()),
       "ReplyByReceipt"},
      without_code, UtcDayStart(clock_.NowMicros()),
      [&](Mutation& m) -> absl::StatusOr<v1::LetterEvent> {
        ASSIGN_OR_RETURN(
            auto done, Modify(m, nullptr, r.receipt_code(), id, "receipt_code", "author_replied",
                              [&](Record& record, Relation, const v1::Organization&, int64_t now) {
                                return AuthorReply(record, r.text(), now);
                              }));
        return done.event;
      });
}

absl::StatusOr<v1::Letter> Mailbox::Rate(const Caller* caller, const v1::RateLetterRequest& r) {
  const bool by_receipt = caller == nullptr;
  const std::string_view field = by_receipt ? "receipt_code" : "id";
  uint64_t id = r.id();
  if (by_receipt) {
    RETURN_IF_ERROR(CheckRequestId(r.request_id()));
    ASSIGN_OR_RETURN(id, feedback::Receipts::LetterId(r.receipt_code(), "receipt_code"));
  }
  if (r.rating() < 1 || r.rating() > 5) return InvalidField("rating", "must be 1..5");
  RETURN_IF_ERROR(CheckText("comment", r.comment(), 0, kMaxReason, /*multiline=*/true));
  auto work = [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
    ASSIGN_OR_RETURN(
        auto done,
        Modify(m, caller, r.receipt_code(), id, field, "rated",
               [&](Record& record, Relation relation, const v1::Organization&,
                   int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                 auto* l = record.mutable_letter();
                 // A handler records the rating a writer without the app gave
                 // for a registered named letter.
                 const bool for_writer = relation == Relation::kHandler &&
                                         feedback::IsRegistered(*l) && !l->anonymous();
                 if (relation != Relation::kAuthor && !for_writer) {
                   return DescribedRefusal(
                       absl::StatusCode::kPermissionDenied, reasons::kNotLetterAuthor, {},
                       "permission denied: only the author rates letter " + std::to_string(id),
                       {{"letter_id", std::to_string(id)}});
                 }
                 if (l->state() != v1::LETTER_STATE_RESOLVED) {
                   return DescribedRefusal(absl::StatusCode::kFailedPrecondition,
                                           reasons::kLetterNotResolved, field,
                                           "only a resolved letter can be rated, this one is " +
                                               v1::LetterState_Name(l->state()),
                                           {{"state", v1::LetterState_Name(l->state())}});
                 }
                 int64_t at = AuthorTime(record, now);
                 l->set_rating(r.rating());
                 l->set_rating_comment(r.comment());
                 l->set_state(v1::LETTER_STATE_CLOSED);
                 *l->mutable_close_time() = ToTimestamp(at);
                 v1::LetterEvent event;
                 event.set_kind(v1::LETTER_EVENT_KIND_RATED);
                 event.set_person_id(for_writer ? caller->person_id : l->author_person_id());
                 event.set_from_state(v1::LETTER_STATE_RESOLVED);
                 event.set_to_state(v1::LETTER_STATE_CLOSED);
                 event.set_rating(r.rating());
                 event.set_text(r.comment());
                 event.set_organization_id(l->organization_id());
                 *event.mutable_create_time() = ToTimestamp(at);
                 return event;
               }));
    const bool author = by_receipt || done.record.letter().author_person_id() == caller->person_id;
    return View(done.record, author ? Relation::kAuthor : Relation::kHandler, clock_.NowMicros());
  };
  if (!by_receipt) {
    return RunIdempotent<v1::Letter>(
        store_, {caller->tenant, caller->person_id, r.request_id(), "RateLetter"}, r,
        clock_.NowMicros(), work);
  }
  RETURN_IF_ERROR(LoadByReceipt(r.receipt_code(), "receipt_code").status());
  v1::RateLetterRequest without_code = r;
  without_code.clear_receipt_code();
  return RunIdempotent<v1::Letter>(
      store_,
      {storage::TenantOfId(id), 0, feedback::AnonymousRequestKey("rate", id, r.request_id()),
       "RateLetter"},
      without_code, UtcDayStart(clock_.NowMicros()), work);
}

}  // namespace branchline
