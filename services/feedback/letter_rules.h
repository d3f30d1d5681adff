#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "branchline/internal/v1/feedback_records.pb.h"
#include "branchline/v1/error_reasons.h"
#include "branchline/v1/feedback.pb.h"

namespace branchline::feedback {

// The pure rules of a letter's life: the workflow graph, deadlines with a pausable clock, and
// the statistics of the figures report. No storage, no clock: every function takes `now`, so
// all of it is testable on prepared records.

inline constexpr int64_t kMicrosPerDay = 24LL * 3600 * 1'000'000;

// Defaults of an organisation without settings (the branch work regulations).
inline constexpr int32_t kDefaultAcknowledgeDays = 2;
inline constexpr int32_t kDefaultResolveDays = 15;
inline constexpr int32_t kDefaultAutoCloseDays = 7;

// Submitted, acknowledged or in progress: the handlers still owe an answer.
bool IsOpen(v1::LetterState state);

// OK when a handler may move a letter from `from` to `to`:
//   submitted → acknowledged → in progress → resolved → closed, and refused from any open
//   state. Else FAILED_PRECONDITION naming "state".
absl::Status CheckTransition(v1::LetterState from, v1::LetterState to);

// The state as clients see it at `now`: a resolved letter past its auto-close time is closed.
v1::LetterState EffectiveState(const internal::v1::LetterRecord& record, int64_t now_micros);

// The deadline the handlers work against now (acknowledge while submitted, resolve while
// acknowledged or in progress); 0 when there is none (closed, refused, resolved, or paused
// while waiting for the author).
int64_t CurrentDueMicros(const internal::v1::LetterRecord& record);

// Sets the receive time and both deadlines for a letter arriving at an organisation at
// `receive_micros` (submission or escalation).
void StartDeadlines(internal::v1::LetterRecord& record, int64_t receive_micros,
                    const internal::v1::FeedbackSettingsRecord& settings);

// Pauses the clock (the handlers wait for the author); no-op when already paused.
void PauseClock(internal::v1::LetterRecord& record, int64_t now_micros);
// Resumes the clock: the paused time is added to both deadlines and to the paused total.
// No-op when not paused.
void ResumeClock(internal::v1::LetterRecord& record, int64_t now_micros);

// Working seconds since submission at `now`: elapsed time minus paused time.
int64_t WorkingSeconds(const internal::v1::LetterRecord& record, int64_t now_micros);

// The letter as stored plus the computed fields at `now` (effective state, overdue).
v1::Letter PresentLetter(const internal::v1::LetterRecord& record, int64_t now_micros);

// Whether a handler registered the letter on its writer's behalf (RegisterLetter).
bool IsRegistered(const v1::Letter& letter);

// The files given with a letter (SubmitLetter, RegisterLetter): at most 5, each a file id
// once; else INVALID_ARGUMENT naming attachment_file_ids or AttachmentField(i).
absl::Status CheckAttachmentIds(const google::protobuf::RepeatedField<uint64_t>& ids);
std::string AttachmentField(int i);

// Stable reasons (google.rpc.ErrorInfo, domain branchline.v1, docs/errors.md) of the mailbox's
// refusals that share a code and field with others; listed in feedback.proto.
using reasons::kBenefitRequired;
using reasons::kDeclineReasonRequired;
using reasons::kLetterNotAProposal;
using reasons::kLetterNotConsidered;
using reasons::kOutcomeNotAllowed;
using reasons::kReceivedDateBeforeOrganization;
using reasons::kReceivedDateInFuture;
using reasons::kWriterOutsideOrganization;
using reasons::kWriterRequired;

// OK when a letter may get `to` as its outcome now: a suggestion or innovation proposal,
// acknowledged or later but not refused, and `to` follows its current outcome (adopted →
// implemented → rewarded, steps may be skipped; declined from none or adopted; rewarded and
// declined are final). Else FAILED_PRECONDITION with a reason (field "id" or "outcome").
absl::Status CheckOutcome(const v1::Letter& letter, v1::LetterOutcome to);

// Nearest-rank percentile (0 < p <= 100) of `values`; 0 when empty. Sorts `values`.
int64_t Percentile(std::vector<int64_t>& values, int p);

}  // namespace branchline::feedback
