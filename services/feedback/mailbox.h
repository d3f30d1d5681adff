#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/feedback_records.pb.h"
#include "branchline/v1/feedback.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/encoded.h"
#include "services/common/mutation.h"
#include "services/feedback/anonymous_letter_limit.h"
#include "services/feedback/receipts.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// The staff mailbox: the domain rules behind FeedbackService.
//
// A letter is one record (Cf::kLetters) with its thread in Cf::kLetterEvents, indexed by its
// current organisation and state (the inbox), by deadline (overdue lists), by first
// organisation and submission time (figures) and, for named letters only, by author. Every
// call reads a few records and commits once; lists scan only their index range.
//
// Anonymity: an anonymous letter's record, events, indexes, idempotency entry and change
// log carry no person id, and its times as far as they concern the author are truncated to
// the start of the local day. Its id is random (not from the tenant's sequence), so its place
// among other records does not date it either. Its submission records no change at all, and
// the changes its author causes later (a reply, a rating) are held back and published two
// local days later with the rest of that day's (RecordChangeLater), so the change log's order
// and times never put them beside the author's named actions. The receipt code opens it (see
// receipts.h).
//
// Who may do what: handlers are the managers of the letter's current organisation
// (Access::Manages) except the person the letter is about; the named author reads their
// letter and its public thread, writes back and rates; service accounts with
// SCOPE_FEEDBACK_READ read states and figures without authors. Thread-safe.
class Mailbox {
 public:
  Mailbox(storage::Store& store, const Access& access, const PeopleDirectory& people,
          const feedback::Receipts& receipts, const Clock& clock,
          feedback::AnonymousLetterLimit::Limits anonymous_limits = {})
      : store_(store),
        access_(access),
        people_(people),
        receipts_(receipts),
        clock_(clock),
        anonymous_limit_(anonymous_limits) {}

  // Letters (mailbox.cc). Errors are documented on FeedbackService in feedback.proto.
  absl::StatusOr<v1::SubmitLetterResponse> Submit(const Caller& caller,
                                                  const v1::SubmitLetterRequest& request);
  // The same for the asynchronous gRPC handler: the commit joins the store's next group commit
  // and `done` runs with the answer on whichever thread has it (see RunIdempotentAsync).
  void SubmitAsync(const Caller& caller, const v1::SubmitLetterRequest& request,
                   std::function<void(absl::StatusOr<Encoded<v1::SubmitLetterResponse>>)> done);
  absl::StatusOr<v1::Letter> Transition(const Caller& caller,
                                        const v1::TransitionLetterRequest& request);
  absl::StatusOr<v1::Letter> Escalate(const Caller& caller,
                                      const v1::EscalateLetterRequest& request);
  absl::StatusOr<v1::Letter> Assign(const Caller& caller, const v1::AssignLetterRequest& request);
  absl::StatusOr<v1::LetterEvent> Reply(const Caller& caller,
                                        const v1::ReplyToLetterRequest& request);
  absl::StatusOr<v1::LetterEvent> AddNote(const Caller& caller,
                                          const v1::AddInternalNoteRequest& request);
  // The receipt holder's calls: no Caller, the code is the only credential.
  absl::StatusOr<v1::LetterEvent> ReplyByReceipt(const v1::ReplyByReceiptRequest& request);
  // Named author (`caller` set, request.id) or receipt holder (`caller` null, receipt_code).
  absl::StatusOr<v1::Letter> Rate(const Caller* caller, const v1::RateLetterRequest& request);

  // Letters that arrived outside the app, proposals' outcomes, misconduct markers
  // (mailbox_register.cc).
  absl::StatusOr<v1::SubmitLetterResponse> Register(const Caller& caller,
                                                    const v1::RegisterLetterRequest& request);
  absl::StatusOr<v1::Letter> RecordOutcome(const Caller& caller,
                                           const v1::RecordLetterOutcomeRequest& request);
  absl::StatusOr<v1::Letter> MarkMisconduct(const Caller& caller,
                                            const v1::MarkLetterMisconductRequest& request);

  // Reads (mailbox_queries.cc).
  absl::StatusOr<v1::Letter> Get(const Caller& caller, const v1::GetLetterRequest& request) const;
  absl::StatusOr<v1::ListLettersResponse> ListMine(const Caller& caller,
                                                   const v1::ListMyLettersRequest& request) const;
  absl::StatusOr<v1::ListLettersResponse> ListInbox(const Caller& caller,
                                                    const v1::ListInboxRequest& request) const;
  absl::StatusOr<v1::ListLetterEventsResponse> ListEvents(
      const Caller& caller, const v1::ListLetterEventsRequest& request) const;
  absl::StatusOr<v1::GetLetterByReceiptResponse> GetByReceipt(
      const v1::GetLetterByReceiptRequest& request) const;

  // Settings and figures (mailbox_reports.cc).
  absl::StatusOr<v1::FeedbackSettings> GetSettings(
      const Caller& caller, const v1::GetFeedbackSettingsRequest& request) const;
  absl::StatusOr<v1::FeedbackSettings> UpdateSettings(
      const Caller& caller, const v1::UpdateFeedbackSettingsRequest& request);
  absl::StatusOr<v1::FeedbackFigures> Figures(const Caller& caller,
                                              const v1::GetFeedbackFiguresRequest& request) const;

  // How the caller relates to a letter. kSender: a handler of an organisation the letter was
  // escalated from (reads it and its whole thread, adds internal notes, nothing else).
  enum class Relation { kNone, kAuthor, kHandler, kService, kSender };

 private:
  using Record = internal::v1::LetterRecord;

  // Submit's checks that need no stored data.
  static absl::Status CheckSubmit(const Caller& caller, const v1::SubmitLetterRequest& r);
  // Under which identity a submission is idempotent (an anonymous one: not the author's).
  struct SubmitIdentity {
    std::string request_key;
    uint64_t caller = 0;
    int64_t now = 0;
  };
  SubmitIdentity SubmitIdentityOf(const Caller& caller, const v1::SubmitLetterRequest& r) const;
  // What RegisterLetter adds to a submission: the letter is the writer's, not the caller's.
  struct Registration {
    v1::LetterChannel channel = v1::LETTER_CHANNEL_UNSPECIFIED;
    int64_t received_day = 0;  // local day number (local_day.h)
    uint64_t author_person_id = 0;
    std::string author_name;
  };
  // A letter's checks and writes, staged in `m`: submitted by `caller`, or registered by
  // `caller` on a writer's behalf when `registration` is set.
  absl::StatusOr<v1::SubmitLetterResponse> StageSubmit(const Caller& caller,
                                                       const v1::SubmitLetterRequest& r,
                                                       Mutation& m,
                                                       const Registration* registration = nullptr);
  // An anonymous letter's receipt code, derived again on every answer (never stored). A
  // registered letter's derivation input is the request id prefixed "registered:", so it can
  // never equal an app submission's.
  void AddReceipt(uint32_t tenant, std::string_view request_id,
                  v1::SubmitLetterResponse& response) const;
  static std::string RegisteredReceiptInput(std::string_view request_id);

  // Loads a letter; NOT_FOUND naming `field` when absent or in another tenant (`caller` null:
  // any tenant, for receipt holders).
  absl::StatusOr<Record> Load(const Caller* caller, uint64_t id, std::string_view field) const;
  // Loads the letter opened by a receipt code; NOT_FOUND for a wrong code.
  absl::StatusOr<Record> LoadByReceipt(std::string_view code, std::string_view field) const;
  // Loads the letter's current organisation (no tenant check: the letter was checked).
  absl::StatusOr<v1::Organization> LoadOrgOf(const Record& record) const;
  Relation RelationOf(const Caller& caller, const Record& record,
                      const v1::Organization& org) const;
  // Whether the handlers of `from` (an organisation the letter was escalated from) lose sight
  // of it: it reports misconduct by someone in `from`'s subtree (its marker, or a misconduct
  // report about a person there).
  absl::StatusOr<bool> ReportsMisconductIn(const Record& record,
                                           const v1::Organization& from) const;
  // The organisations whose letters `org`'s inbox holds: `org` and, below it, those without a
  // handler of their own down to the next one that has one (sorted by id).
  absl::StatusOr<std::vector<uint64_t>> ServedOrgs(const v1::Organization& org) const;
  // Whether an active secretary or committee member belongs to `org` itself.
  absl::StatusOr<bool> HasOwnHandler(const v1::Organization& org) const;
  // The letter as `relation` may see it at `now` (authors never see the assignee, service
  // accounts never see the author or the reported person; handlers see their names).
  v1::Letter View(const Record& record, Relation relation, int64_t now) const;
  // A person's display name, "" when the record is missing.
  std::string DisplayName(uint64_t person) const;
  static bool IsPublic(const v1::LetterEvent& event);

  // Settings in force for `org`: its own, else the nearest ancestor's, else the defaults.
  // `inherited` tells which.
  absl::StatusOr<internal::v1::FeedbackSettingsRecord> EffectiveSettings(
      const v1::Organization& org, bool* inherited = nullptr) const;

  // Stages `after` (record, index moves against `before`, null for a new letter), appends
  // `event` to its thread (sequence and letter id filled in) and records the change
  // `action`, addressed to the named author when the event is public.
  void Stage(Mutation& m, const Record* before, Record& after, v1::LetterEvent& event,
             std::string_view action) const;

  struct Modified {
    Record record;
    v1::LetterEvent event;
  };
  using Change = std::function<absl::StatusOr<v1::LetterEvent>(
      Record&, Relation, const v1::Organization&, int64_t now)>;
  // The body of every write to an existing letter: locks and loads it (with `caller`'s
  // tenant check, or opened by `receipt` when `caller` is null: NOT_FOUND naming `field`
  // otherwise), closes it when its auto-close time has passed, lets `change` check and
  // change it and return the event, and stages the result.
  absl::StatusOr<Modified> Modify(Mutation& m, const Caller* caller, std::string_view receipt,
                                  uint64_t id, std::string_view field, std::string_view action,
                                  const Change& change);
  // The author's reply (named or receipt holder) to `record`.
  absl::StatusOr<v1::LetterEvent> AuthorReply(Record& record, std::string_view text,
                                              int64_t now) const;
  // The time recorded for an author's own action: the start of the local day for anonymous
  // letters, else `now`.
  static int64_t AuthorTime(const Record& record, int64_t now);

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const feedback::Receipts& receipts_;
  const Clock& clock_;
  feedback::AnonymousLetterLimit anonymous_limit_;
};

}  // namespace branchline
