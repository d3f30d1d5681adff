#include "services/domain.h"

#include <utility>

#include "services/common/errors.h"

namespace branchline {

namespace {

const Clock& Or(const Clock* chosen, const Clock& fallback) { return chosen ? *chosen : fallback; }

// The read and change rules of the records files attach to, each its owner's.
template <typename Owner>
AttachmentRules RulesOf(const Owner& owner) {
  return {[&owner](const Caller& c, uint64_t id, std::string_view field) {
            return owner.RequireAttachmentRead(c, id, field);
          },
          [&owner](const Caller& c, uint64_t id, std::string_view field) {
            return owner.RequireAttachmentChange(c, id, field);
          }};
}

}  // namespace

Domain::Domain(storage::Store& store, const TokenSigner& signer, std::string receipt_key,
               const Clock& clock, DomainOptions domain_options)
    : store(store),
      signer(signer),
      clock(clock),
      options(std::move(domain_options)),
      hasher(options.password_hashing),
      access(store),
      authenticator(store, signer, clock),
      orgs(store, access, clock),
      people(store, access, hasher, clock),
      sessions(store, people, access, hasher, signer, clock),
      study_data(store, access, people),
      study_catalog(store, study_data, clock),
      study_journal(store, study_data, clock, options.device_time),
      study_reports(study_data, clock),
      quizzes(store, study_data, clock),
      backups(store, options.backup_dir, options.token_key_file, clock),
      change_feed(store, access),
      notices(store, access, people, clock),
      watch_hub(store),
      change_retention(store, Or(options.retention_clock, clock), options.change_retention_micros),
      audit_log(store, access, Or(options.retention_clock, clock), options.audit_retention_micros),
      deferred_changes(store, Or(options.publication_clock, clock)),
      meetings(store, access, people, clock),
      check_ins(store, access, people, meetings, clock, AttendanceOptions{options.device_time}),
      attendance_reports(store, access, people, meetings, clock),
      holidays(store, access, Or(options.calendar.clock, clock)),
      recurring_meetings(store, access, meetings, holidays, Or(options.calendar.clock, clock),
                         options.calendar),
      absences(store, access, clock),
      calendar_export(meetings, clock),
      meeting_records(store, access, people, meetings, clock),
      ledger(store, access, people, clock),
      evaluation_rounds(store, access, people, Or(options.evaluation_clock, clock)),
      commitments(store, access, Or(options.evaluation_clock, clock)),
      honours(store, access, people, Or(options.evaluation_clock, clock)),
      duties(store, access, people, Or(options.evaluation_clock, clock)),
      uploads(store, access, clock, options.files),
      file_library(store, access, attachment_targets, clock, options.files),
      notification_settings(store, access, clock),
      devices(store, access, people, clock),
      outbox(store, access, devices, Or(options.notifications.clock, clock)),
      reminder_rules(store, people, study_data, notification_settings, outbox,
                     Or(options.notifications.clock, clock), options.notifications),
      receipts(receipt_key),
      mailbox(store, access, people, receipts, clock, options.anonymous_letters),
      handbooks(HandbookSources{access, people, meetings, attendance_reports, meeting_records,
                                file_library, study_reports, study_journal, ledger, mailbox,
                                evaluation_rounds, commitments, honours, clock}),
      offline_batch(store, check_ins, study_journal, mailbox, evaluation_rounds) {
  attachment_targets.Register(v1::ATTACHMENT_TARGET_MEETING, RulesOf(meeting_records));
  attachment_targets.Register(v1::ATTACHMENT_TARGET_LEDGER_ENTRY, RulesOf(ledger));
  attachment_targets.Register(v1::ATTACHMENT_TARGET_STUDY_RECORD, RulesOf(study_journal));
  attachment_targets.Register(v1::ATTACHMENT_TARGET_NOTICE, RulesOf(notices));
  attachment_targets.Register(v1::ATTACHMENT_TARGET_LETTER,
                              {[this](const Caller& c, uint64_t id, std::string_view field) {
                                 v1::GetLetterRequest request;
                                 request.set_id(id);
                                 absl::Status status = mailbox.Get(c, request).status();
                                 if (absl::IsNotFound(status)) {
                                   return FieldError(absl::StatusCode::kNotFound, field,
                                                     "no such letter");
                                 }
                                 return status;
                               },
                               [](const Caller&, uint64_t, std::string_view) {
                                 return Denied("a letter's files are given when it is submitted");
                               }});
}

absl::Status Domain::StartBackgroundPasses(const BackgroundIntervals& intervals) {
  change_retention.Start(intervals.change_prune_micros);
  audit_log.Start(intervals.audit_prune_micros);
  deferred_changes.Start(intervals.deferred_change_micros);
  recurring_meetings.Start();
  uploads.StartPruning();
  return reminder_rules.Start();
}

}  // namespace branchline
