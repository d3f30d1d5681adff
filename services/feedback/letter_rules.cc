#include "services/feedback/letter_rules.h"

#include <algorithm>
#include <string>

#include "services/common/clock.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"

namespace branchline::feedback {

std::string AttachmentField(int i) { return "attachment_file_ids[" + std::to_string(i) + "]"; }

absl::Status CheckAttachmentIds(const google::protobuf::RepeatedField<uint64_t>& ids) {
  constexpr int kMaxAttachments = 5;
  if (ids.size() > kMaxAttachments) {
    return InvalidField("attachment_file_ids",
                        "at most " + std::to_string(kMaxAttachments) + " files");
  }
  for (int i = 0; i < ids.size(); ++i) {
    if (ids[i] == 0 || std::find(ids.begin(), ids.begin() + i, ids[i]) != ids.begin() + i) {
      return InvalidField(AttachmentField(i), "must be a file id, each once");
    }
  }
  return absl::OkStatus();
}

bool IsOpen(v1::LetterState state) {
  return state == v1::LETTER_STATE_SUBMITTED || state == v1::LETTER_STATE_ACKNOWLEDGED ||
         state == v1::LETTER_STATE_IN_PROGRESS;
}

absl::Status CheckTransition(v1::LetterState from, v1::LetterState to) {
  bool ok = false;
  switch (to) {
    case v1::LETTER_STATE_ACKNOWLEDGED:
      ok = from == v1::LETTER_STATE_SUBMITTED;
      break;
    case v1::LETTER_STATE_IN_PROGRESS:
      ok = from == v1::LETTER_STATE_ACKNOWLEDGED;
      break;
    case v1::LETTER_STATE_RESOLVED:
      ok = from == v1::LETTER_STATE_IN_PROGRESS;
      break;
    case v1::LETTER_STATE_CLOSED:
      ok = from == v1::LETTER_STATE_RESOLVED;
      break;
    case v1::LETTER_STATE_REFUSED:
      ok = IsOpen(from);
      break;
    default:
      break;
  }
  if (ok) return absl::OkStatus();
  return DescribedRefusal(
      absl::StatusCode::kFailedPrecondition, reasons::kLetterTransitionNotAllowed, "state",
      "a letter cannot move from " + v1::LetterState_Name(from) + " to " + v1::LetterState_Name(to),
      {{"from", v1::LetterState_Name(from)}, {"to", v1::LetterState_Name(to)}});
}

v1::LetterState EffectiveState(const internal::v1::LetterRecord& record, int64_t now_micros) {
  auto state = record.letter().state();
  if (state == v1::LETTER_STATE_RESOLVED && record.auto_close_micros() != 0 &&
      now_micros >= record.auto_close_micros()) {
    return v1::LETTER_STATE_CLOSED;
  }
  return state;
}

int64_t CurrentDueMicros(const internal::v1::LetterRecord& record) {
  const auto& l = record.letter();
  if (record.wait_start_micros() != 0) return 0;
  if (l.state() == v1::LETTER_STATE_SUBMITTED) return ToMicros(l.acknowledge_due_time());
  if (l.state() == v1::LETTER_STATE_ACKNOWLEDGED || l.state() == v1::LETTER_STATE_IN_PROGRESS) {
    return ToMicros(l.resolve_due_time());
  }
  return 0;
}

void StartDeadlines(internal::v1::LetterRecord& record, int64_t receive_micros,
                    const internal::v1::FeedbackSettingsRecord& settings) {
  auto* l = record.mutable_letter();
  *l->mutable_receive_time() = ToTimestamp(receive_micros);
  *l->mutable_acknowledge_due_time() =
      ToTimestamp(receive_micros + settings.acknowledge_within_days() * kMicrosPerDay);
  *l->mutable_resolve_due_time() =
      ToTimestamp(receive_micros + settings.resolve_within_days() * kMicrosPerDay);
}

void PauseClock(internal::v1::LetterRecord& record, int64_t now_micros) {
  if (record.wait_start_micros() != 0) return;
  record.set_wait_start_micros(now_micros);
  record.mutable_letter()->set_waiting_for_author(true);
}

void ResumeClock(internal::v1::LetterRecord& record, int64_t now_micros) {
  if (record.wait_start_micros() == 0) return;
  int64_t paused = std::max<int64_t>(0, now_micros - record.wait_start_micros());
  record.set_paused_micros(record.paused_micros() + paused);
  record.set_wait_start_micros(0);
  auto* l = record.mutable_letter();
  l->set_waiting_for_author(false);
  *l->mutable_acknowledge_due_time() = ToTimestamp(ToMicros(l->acknowledge_due_time()) + paused);
  *l->mutable_resolve_due_time() = ToTimestamp(ToMicros(l->resolve_due_time()) + paused);
}

int64_t WorkingSeconds(const internal::v1::LetterRecord& record, int64_t now_micros) {
  int64_t paused = record.paused_micros();
  if (record.wait_start_micros() != 0) paused += now_micros - record.wait_start_micros();
  int64_t working = now_micros - ToMicros(record.letter().submit_time()) - paused;
  return std::max<int64_t>(0, working) / 1'000'000;
}

v1::Letter PresentLetter(const internal::v1::LetterRecord& record, int64_t now_micros) {
  v1::Letter letter = record.letter();
  auto state = EffectiveState(record, now_micros);
  if (state != letter.state()) {
    letter.set_state(state);
    *letter.mutable_close_time() = ToTimestamp(record.auto_close_micros());
  }
  int64_t due = CurrentDueMicros(record);
  letter.set_overdue(due != 0 && now_micros > due);
  // Letters stored before channels existed came through the app.
  if (letter.channel() == v1::LETTER_CHANNEL_UNSPECIFIED)
    letter.set_channel(v1::LETTER_CHANNEL_APP);
  return letter;
}

int64_t Percentile(std::vector<int64_t>& values, int p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  size_t rank = (static_cast<size_t>(p) * values.size() + 99) / 100;
  return values[std::max<size_t>(rank, 1) - 1];
}

bool IsRegistered(const v1::Letter& letter) {
  return letter.channel() != v1::LETTER_CHANNEL_UNSPECIFIED &&
         letter.channel() != v1::LETTER_CHANNEL_APP;
}

absl::Status CheckOutcome(const v1::Letter& letter, v1::LetterOutcome to) {
  if (letter.category() != v1::LETTER_CATEGORY_SUGGESTION &&
      letter.category() != v1::LETTER_CATEGORY_INNOVATION) {
    return DescribedRefusal(
        absl::StatusCode::kFailedPrecondition, reasons::kLetterNotAProposal, "id",
        "only suggestions and innovation proposals have an outcome, this letter "
        "is " +
            v1::LetterCategory_Name(letter.category()));
  }
  if (letter.state() == v1::LETTER_STATE_SUBMITTED || letter.state() == v1::LETTER_STATE_REFUSED) {
    return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kLetterNotConsidered,
                            "id",
                            "the letter is " + v1::LetterState_Name(letter.state()) +
                                ": acknowledge it first (a refused letter has no outcome)");
  }
  const auto from = letter.outcome();
  bool ok = false;
  switch (to) {
    case v1::LETTER_OUTCOME_ADOPTED:
      ok = from == v1::LETTER_OUTCOME_UNSPECIFIED;
      break;
    case v1::LETTER_OUTCOME_IMPLEMENTED:
      ok = from == v1::LETTER_OUTCOME_UNSPECIFIED || from == v1::LETTER_OUTCOME_ADOPTED;
      break;
    case v1::LETTER_OUTCOME_REWARDED:
      ok = from == v1::LETTER_OUTCOME_UNSPECIFIED || from == v1::LETTER_OUTCOME_ADOPTED ||
           from == v1::LETTER_OUTCOME_IMPLEMENTED;
      break;
    case v1::LETTER_OUTCOME_DECLINED:
      ok = from == v1::LETTER_OUTCOME_UNSPECIFIED || from == v1::LETTER_OUTCOME_ADOPTED;
      break;
    default:
      break;
  }
  if (!ok) {
    return DescribedRefusal(
        absl::StatusCode::kFailedPrecondition, reasons::kOutcomeNotAllowed, "outcome",
        v1::LetterOutcome_Name(to) + " cannot follow " + v1::LetterOutcome_Name(from));
  }
  return absl::OkStatus();
}

}  // namespace branchline::feedback
