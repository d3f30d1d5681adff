// Mailbox settings (deadlines per organisation) and the figures report.
#include <map>
#include <vector>

#include "services/common/call_cancellation.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/status_macros.h"
#include "services/feedback/letter_rules.h"
#include "services/feedback/mailbox.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr int32_t kMaxDays = 365;
// Figures read every letter of the period; a bound keeps one report from reading years.
constexpr int64_t kMaxPeriodMicros = 366LL * feedback::kMicrosPerDay;

absl::Status CheckDays(int32_t days, std::string_view field) {
  if (days < 1 || days > kMaxDays) return InvalidField(field, "must be 1..365 days");
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<internal::v1::FeedbackSettingsRecord> Mailbox::EffectiveSettings(
    const v1::Organization& org, bool* inherited) const {
  internal::v1::FeedbackSettingsRecord settings;
  // The organisation first, then its ancestors from the nearest up, read at once.
  std::vector<std::string> chain = {storage::FeedbackSettingsKey(org.id())};
  for (int i = org.ancestor_ids_size() - 1; i >= 0; --i) {
    chain.push_back(storage::FeedbackSettingsKey(org.ancestor_ids(i)));
  }
  ASSIGN_OR_RETURN(auto nearest, store_.GetFirstMessage(storage::Cf::kLetters, chain, &settings));
  if (nearest) {
    if (inherited) *inherited = *nearest != 0;
    return settings;
  }
  if (inherited) *inherited = true;
  settings.set_acknowledge_within_days(feedback::kDefaultAcknowledgeDays);
  settings.set_resolve_within_days(feedback::kDefaultResolveDays);
  settings.set_auto_close_after_days(feedback::kDefaultAutoCloseDays);
  return settings;
}

namespace {
v1::FeedbackSettings ToSettings(uint64_t org, const internal::v1::FeedbackSettingsRecord& s,
                                bool inherited) {
  v1::FeedbackSettings out;
  out.set_organization_id(org);
  out.set_acknowledge_within_days(s.acknowledge_within_days());
  out.set_resolve_within_days(s.resolve_within_days());
  out.set_auto_close_after_days(s.auto_close_after_days());
  out.set_inherited(inherited);
  return out;
}
}  // namespace

absl::StatusOr<v1::FeedbackSettings> Mailbox::GetSettings(
    const Caller& caller, const v1::GetFeedbackSettingsRequest& request) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  // The deadlines are read by those they bind: the people who write to this mailbox (their
  // letters go to their own organisation or one above it, like SubmitLetter's rule), its
  // managers, and service accounts with the scope. A sibling branch's members are neither.
  bool may_read =
      Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_FEEDBACK_READ);
  if (!may_read && !caller.service_account) {
    ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "organization_id"));
    may_read = Access::InSubtree(own, org.id());
  }
  if (!may_read) {
    return FieldError(absl::StatusCode::kPermissionDenied, "organization_id",
                      "reading the mailbox settings of organization " + std::to_string(org.id()) +
                          " needs membership in it or below it, managing it, or " +
                          "SCOPE_FEEDBACK_READ");
  }
  bool inherited = false;
  ASSIGN_OR_RETURN(auto settings, EffectiveSettings(org, &inherited));
  return ToSettings(org.id(), settings, inherited);
}

absl::StatusOr<v1::FeedbackSettings> Mailbox::UpdateSettings(
    const Caller& caller, const v1::UpdateFeedbackSettingsRequest& request) {
  return RunIdempotent<v1::FeedbackSettings>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "UpdateFeedbackSettings"},
      request, clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::FeedbackSettings> {
        const auto& mask = request.update_mask();
        RETURN_IF_ERROR(CheckUpdateMask(
            mask, {"acknowledge_within_days", "resolve_within_days", "auto_close_after_days"}));
        const auto& in = request.settings();
        if (in.organization_id() == 0)
          return InvalidField("settings.organization_id", "is required");
        std::string key = storage::FeedbackSettingsKey(in.organization_id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "settings.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "changing mailbox deadlines"));
        ASSIGN_OR_RETURN(auto settings, EffectiveSettings(org));
        if (MaskHas(mask, "acknowledge_within_days")) {
          RETURN_IF_ERROR(
              CheckDays(in.acknowledge_within_days(), "settings.acknowledge_within_days"));
          settings.set_acknowledge_within_days(in.acknowledge_within_days());
        }
        if (MaskHas(mask, "resolve_within_days")) {
          RETURN_IF_ERROR(CheckDays(in.resolve_within_days(), "settings.resolve_within_days"));
          settings.set_resolve_within_days(in.resolve_within_days());
        }
        if (MaskHas(mask, "auto_close_after_days")) {
          RETURN_IF_ERROR(CheckDays(in.auto_close_after_days(), "settings.auto_close_after_days"));
          settings.set_auto_close_after_days(in.auto_close_after_days());
        }
        if (settings.acknowledge_within_days() > settings.resolve_within_days()) {
          return InvalidField("settings.acknowledge_within_days",
                              "must not exceed resolve_within_days");
        }
        m.writes().PutMessage(storage::Cf::kLetters, key, settings);
        RecordChange(m.writes(), "feedback_settings", org.id(), org.id(), "updated");
        return ToSettings(org.id(), settings, /*inherited=*/false);
      });
}

absl::StatusOr<v1::FeedbackFigures> Mailbox::Figures(
    const Caller& caller, const v1::GetFeedbackFiguresRequest& request) const {
  if (!request.has_start_time()) return InvalidField("start_time", "is required");
  if (!request.has_end_time()) return InvalidField("end_time", "is required");
  const int64_t start = ToMicros(request.start_time());
  const int64_t end = ToMicros(request.end_time());
  if (end <= start) return InvalidField("end_time", "must be after start_time");
  if (end - start > kMaxPeriodMicros) return InvalidField("end_time", "period is over 366 days");
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!Access::Manages(caller, root) &&
      !Access::ServiceMay(caller, root, v1::SCOPE_FEEDBACK_READ)) {
    return Denied("reading the mailbox figures of organization " + std::to_string(root.id()));
  }
  const int64_t now = clock_.NowMicros();
  std::vector<uint64_t> orgs = {root.id()};
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::OrgDescendantPrefix(root.id()), "",
                              [&](std::string_view key, std::string_view) {
                                uint64_t id = storage::TrailingId(key);
                                if (id) orgs.push_back(id);  // 0: a corrupt entry
                                return true;
                              }));

  std::map<int, int64_t> by_category, by_channel, by_outcome;
  int64_t benefit_cents = 0;
  std::vector<int64_t> ack, resolve;
  int64_t letters = 0, in_time = 0, rated = 0, rating_sum = 0, overdue = 0;
  absl::Status inner;
  for (uint64_t org : orgs) {
    const std::string prefix = storage::LetterBySubmitPrefix(org);
    // Start strictly after the last possible key before `start`.
    std::string after = storage::KeyBuilder().Raw(prefix).I64(start - 1).U64(~0ULL).key();
    RETURN_IF_ERROR(store_.Scan(
        storage::Cf::kIndex, prefix, after, [&](std::string_view key, std::string_view) {
          inner = CancellationCheckpoint();
          if (!inner.ok()) return false;
          storage::KeyReader reader(key.substr(prefix.size()));
          auto submit = reader.I64();
          if (!submit || *submit >= end) return false;
          internal::v1::LetterRecord record;
          auto found = store_.GetMessage(storage::Cf::kLetters,
                                         storage::RecordKey(storage::TrailingId(key)), &record);
          if (!found.ok()) {
            inner = found.status();
            return false;
          }
          if (!*found) return true;
          const auto& l = record.letter();
          ++letters;
          ++by_category[l.category()];
          // Letters stored before channels existed came through the app.
          ++by_channel[l.channel() == v1::LETTER_CHANNEL_UNSPECIFIED ? v1::LETTER_CHANNEL_APP
                                                                     : l.channel()];
          if (l.outcome() != v1::LETTER_OUTCOME_UNSPECIFIED) {
            ++by_outcome[l.outcome()];
            if (l.outcome() != v1::LETTER_OUTCOME_DECLINED)
              benefit_cents += l.benefit_amount_cents();
          }
          if (l.has_acknowledge_time()) ack.push_back(l.acknowledge_seconds());
          if (l.has_resolve_time()) {
            resolve.push_back(l.resolve_seconds());
            in_time += l.resolved_in_time() ? 1 : 0;
          }
          if (l.rating() > 0) {
            ++rated;
            rating_sum += l.rating();
          }
          return true;
        }));
    RETURN_IF_ERROR(inner);
    const std::string due_prefix = storage::LetterDuePrefix(org);
    RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, due_prefix, "",
                                [&](std::string_view key, std::string_view) {
                                  storage::KeyReader reader(key.substr(due_prefix.size()));
                                  auto due = reader.I64();
                                  if (!due || *due >= now) return false;
                                  ++overdue;
                                  return true;
                                }));
  }

  v1::FeedbackFigures figures;
  figures.set_organization_id(root.id());
  figures.set_letter_count(letters);
  for (const auto& [category, count] : by_category) {
    auto* c = figures.add_by_category();
    c->set_category(static_cast<v1::LetterCategory>(category));
    c->set_count(count);
  }
  figures.set_acknowledged_count(static_cast<int64_t>(ack.size()));
  figures.set_acknowledge_median_seconds(feedback::Percentile(ack, 50));
  figures.set_acknowledge_p90_seconds(feedback::Percentile(ack, 90));
  figures.set_resolved_count(static_cast<int64_t>(resolve.size()));
  figures.set_resolve_median_seconds(feedback::Percentile(resolve, 50));
  figures.set_resolve_p90_seconds(feedback::Percentile(resolve, 90));
  figures.set_resolved_in_time_share(
      resolve.empty() ? 0.0 : static_cast<double>(in_time) / static_cast<double>(resolve.size()));
  figures.set_rated_count(rated);
  figures.set_average_rating(
      rated == 0 ? 0.0 : static_cast<double>(rating_sum) / static_cast<double>(rated));
  figures.set_overdue_count(overdue);
  for (const auto& [channel, count] : by_channel) {
    auto* c = figures.add_by_channel();
    c->set_channel(static_cast<v1::LetterChannel>(channel));
    c->set_count(count);
  }
  for (const auto& [outcome, count] : by_outcome) {
    auto* c = figures.add_by_outcome();
    c->set_outcome(static_cast<v1::LetterOutcome>(outcome));
    c->set_count(count);
  }
  figures.set_benefit_amount_cents(benefit_cents);
  return figures;
}

}  // namespace branchline
