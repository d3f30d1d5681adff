// Letters registered on a writer's behalf, proposals' outcomes and misconduct markers.
#include "absl/strings/str_cat.h"
#include "branchline/v1/calendar.pb.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/feedback/letter_rules.h"
#include "services/feedback/mailbox.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr size_t kMaxText = 5000;
constexpr size_t kMaxReason = 500;
constexpr size_t kMaxBenefit = 1000;
constexpr size_t kMaxName = 50;

// The local day number of an API date; INVALID_ARGUMENT naming `field` unless it is a real date.
absl::StatusOr<int64_t> DayOf(const v1::LocalDate& date, std::string_view field) {
  if (date.year() < 1970 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return InvalidField(field, "is required and must be a real date (year 1970..9999)");
  }
  int64_t day = CivilToDay(date.year(), date.month(), date.day());
  CivilDate back = DayToCivil(day);
  if (back.year != date.year() || back.month != date.month() || back.day != date.day()) {
    return InvalidField(field, "is not a date of the calendar");
  }
  return day;
}
}  // namespace

absl::StatusOr<v1::SubmitLetterResponse> Mailbox::Register(const Caller& caller,
                                                           const v1::RegisterLetterRequest& r) {
  if (caller.service_account) return Denied("service accounts cannot register letters");
  if (r.organization_id() == 0) return InvalidField("organization_id", "is required");
  switch (r.channel()) {
    case v1::LETTER_CHANNEL_PHONE:
    case v1::LETTER_CHANNEL_PAPER:
    case v1::LETTER_CHANNEL_EMAIL:
    case v1::LETTER_CHANNEL_IN_PERSON:
      break;
    default:
      return InvalidField("channel", "must be PHONE, PAPER, EMAIL or IN_PERSON");
  }
  ASSIGN_OR_RETURN(int64_t received_day, DayOf(r.received_date(), "received_date"));
  if (!v1::LetterCategory_IsValid(r.category()) ||
      r.category() == v1::LETTER_CATEGORY_UNSPECIFIED) {
    return InvalidField("category",
                        "must be one of DIFFICULTY, SUGGESTION, CRITICISM, MISCONDUCT, INNOVATION");
  }
  RETURN_IF_ERROR(CheckText("subject", TrimAscii(r.subject()), 1, 100));
  RETURN_IF_ERROR(CheckText("body", r.body(), 1, kMaxText, /*multiline=*/true));
  RETURN_IF_ERROR(feedback::CheckAttachmentIds(r.attachment_file_ids()));
  Registration reg;
  reg.channel = r.channel();
  reg.received_day = received_day;
  switch (r.writer_case()) {
    case v1::RegisterLetterRequest::kAuthorPersonId:
      if (r.author_person_id() == 0) {
        return DescribedRefusal(absl::StatusCode::kInvalidArgument, reasons::kWriterRequired,
                                "author_person_id", "must not be 0");
      }
      reg.author_person_id = r.author_person_id();
      break;
    case v1::RegisterLetterRequest::kAuthorName:
      RETURN_IF_ERROR(CheckText("author_name", TrimAscii(r.author_name()), 1, kMaxName));
      reg.author_name = std::string(TrimAscii(r.author_name()));
      break;
    case v1::RegisterLetterRequest::kAnonymous:
      if (r.anonymous()) break;
      [[fallthrough]];
    default:
      return DescribedRefusal(
          absl::StatusCode::kInvalidArgument, reasons::kWriterRequired, "writer",
          "name the writer: author_person_id, author_name, or anonymous = true");
  }
  const bool anonymous = r.anonymous();
  if (anonymous) {
    RETURN_IF_ERROR(CheckRequestId(r.request_id()));
    if (r.request_id().size() < 16) {
      return InvalidField("request_id",
                          "must be at least 16 characters (a random UUID) for an anonymous letter");
    }
  }
  v1::SubmitLetterRequest submit;
  submit.set_request_id(r.request_id());
  submit.set_organization_id(r.organization_id());
  submit.set_category(r.category());
  submit.set_subject(r.subject());
  submit.set_body(r.body());
  submit.set_about_person_id(r.about_person_id());
  submit.set_anonymous(anonymous);
  *submit.mutable_attachment_file_ids() = r.attachment_file_ids();
  // Anonymous: idempotent under a hash of the request id alone (not the handler), dated to the
  // UTC day, like an anonymous submission; the receipt code is derived again on every answer.
  const int64_t now = clock_.NowMicros();
  const std::string anonymous_key =
      anonymous ? feedback::AnonymousRequestKey("register", caller.tenant, r.request_id()) : "";
  IdempotencyScope scope{caller.tenant, caller.person_id, r.request_id(), "RegisterLetter"};
  if (anonymous) scope = {caller.tenant, 0, anonymous_key, "RegisterLetter"};
  const int64_t at = anonymous ? now - ((now % feedback::kMicrosPerDay) + feedback::kMicrosPerDay) %
                                           feedback::kMicrosPerDay
                               : now;
  ASSIGN_OR_RETURN(auto response,
                   RunIdempotent<v1::SubmitLetterResponse>(store_, scope, r, at, [&](Mutation& m) {
                     return StageSubmit(caller, submit, m, &reg);
                   }));
  if (anonymous) {
    response.set_receipt_code(receipts_.Code(caller.tenant, response.letter().id(),
                                             RegisteredReceiptInput(r.request_id())));
  }
  return response;
}

absl::StatusOr<v1::Letter> Mailbox::RecordOutcome(const Caller& caller,
                                                  const v1::RecordLetterOutcomeRequest& r) {
  const auto to = r.outcome();
  if (!v1::LetterOutcome_IsValid(to) || to == v1::LETTER_OUTCOME_UNSPECIFIED) {
    return InvalidField("outcome", "must be ADOPTED, IMPLEMENTED, REWARDED or DECLINED");
  }
  const std::string reason(TrimAscii(r.reason()));
  const std::string benefit(TrimAscii(r.benefit()));
  if (to == v1::LETTER_OUTCOME_DECLINED) {
    if (reason.empty()) {
      return DescribedRefusal(absl::StatusCode::kInvalidArgument, reasons::kDeclineReasonRequired,
                              "reason", "is required to decline a proposal");
    }
    RETURN_IF_ERROR(CheckText("reason", reason, 1, kMaxReason, /*multiline=*/true));
  }
  if (to == v1::LETTER_OUTCOME_IMPLEMENTED) {
    if (benefit.empty()) {
      return DescribedRefusal(absl::StatusCode::kInvalidArgument, reasons::kBenefitRequired,
                              "benefit", "is required for an implemented proposal");
    }
    RETURN_IF_ERROR(CheckText("benefit", benefit, 1, kMaxBenefit, /*multiline=*/true));
  }
  if (to == v1::LETTER_OUTCOME_REWARDED) {
    RETURN_IF_ERROR(CheckText("reward", TrimAscii(r.reward()), 0, kMaxReason, /*multiline=*/true));
  }
  if (r.benefit_amount_cents() < 0) {
    return InvalidField("benefit_amount_cents", "must not be negative");
  }
  return RunIdempotent<v1::Letter>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "RecordLetterOutcome"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
        ASSIGN_OR_RETURN(auto done,
                         Modify(m, &caller, "", r.id(), "id", "outcome_recorded",
                                [&](Record& record, Relation relation, const v1::Organization&,
                                    int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                                  if (relation != Relation::kHandler) {
                                    return Denied("recording the outcome of letter " +
                                                  std::to_string(r.id()) +
                                                  " needs a handler of its organization");
                                  }
                                  auto* l = record.mutable_letter();
                                  RETURN_IF_ERROR(feedback::CheckOutcome(*l, to));
                                  l->set_outcome(to);
                                  *l->mutable_outcome_time() = ToTimestamp(now);
                                  std::string text;
                                  switch (to) {
                                    case v1::LETTER_OUTCOME_IMPLEMENTED:
                                      l->set_benefit(benefit);
                                      l->set_benefit_amount_cents(r.benefit_amount_cents());
                                      text = benefit;
                                      break;
                                    case v1::LETTER_OUTCOME_REWARDED:
                                      l->set_reward(std::string(TrimAscii(r.reward())));
                                      // The reward's amount, when given, adds to the recorded
                                      // benefit only if none was recorded at implementation.
                                      if (l->benefit_amount_cents() == 0) {
                                        l->set_benefit_amount_cents(r.benefit_amount_cents());
                                      }
                                      text = l->reward();
                                      break;
                                    case v1::LETTER_OUTCOME_DECLINED:
                                      l->set_decline_reason(reason);
                                      text = reason;
                                      break;
                                    default:
                                      break;
                                  }
                                  v1::LetterEvent event;
                                  event.set_kind(v1::LETTER_EVENT_KIND_OUTCOME);
                                  event.set_person_id(caller.person_id);
                                  event.set_outcome(to);
                                  event.set_text(text);
                                  event.set_organization_id(l->organization_id());
                                  *event.mutable_create_time() = ToTimestamp(now);
                                  return event;
                                }));
        return View(done.record, Relation::kHandler, clock_.NowMicros());
      });
}

absl::StatusOr<v1::Letter> Mailbox::MarkMisconduct(const Caller& caller,
                                                   const v1::MarkLetterMisconductRequest& r) {
  if (r.organization_id() == 0) return InvalidField("organization_id", "is required");
  return RunIdempotent<v1::Letter>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "MarkLetterMisconduct"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Letter> {
        ASSIGN_OR_RETURN(auto marked,
                         access_.LoadOrg(caller, r.organization_id(), "organization_id"));
        ASSIGN_OR_RETURN(auto done,
                         Modify(m, &caller, "", r.id(), "id", "misconduct_marked",
                                [&](Record& record, Relation relation, const v1::Organization&,
                                    int64_t now) -> absl::StatusOr<v1::LetterEvent> {
                                  if (relation != Relation::kHandler) {
                                    return Denied("marking letter " + std::to_string(r.id()) +
                                                  " needs a handler of its organization");
                                  }
                                  auto* l = record.mutable_letter();
                                  l->set_misconduct_organization_id(marked.id());
                                  v1::LetterEvent event;
                                  event.set_kind(v1::LETTER_EVENT_KIND_MISCONDUCT_MARKED);
                                  event.set_person_id(caller.person_id);
                                  event.set_marked_organization_id(marked.id());
                                  event.set_organization_id(l->organization_id());
                                  *event.mutable_create_time() = ToTimestamp(now);
                                  return event;
                                }));
        return View(done.record, Relation::kHandler, clock_.NowMicros());
      });
}

}  // namespace branchline
