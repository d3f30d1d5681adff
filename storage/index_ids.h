#pragma once

#include <cstdint>

namespace branchline::storage {

// Secondary indexes, all in column family kIndex under [tenant][index id u16].
// NEVER renumber: the numbers are on disk. Add new ones with a new number.
// Ranges by area, so areas can add indexes independently:
//   1-99 organisations, people, auth   100-199 attendance   200-299 study
//   300-399 feedback                   400-499 sync and notices
//   500-529 evaluation
//   600-629 records (minutes, the activity ledger, the audit trail, files)
//   700-729 notifications (services/notifications)
enum class Index : uint16_t {
  kOrgChildren = 1,     // [parent id][child id]
  kOrgDescendants = 2,  // [ancestor id][org id]   for every proper ancestor
  kPersonByOrg = 3,     // [org id][person id]
  kPersonByLogin = 4,   // [login string]           value: person id (u64 BE); unique
  // Memberships over time (services/people/memberships.h). The current one is the
  // kPersonByOrg entry (its value carries its first day); ended ones are kept here, by the day
  // they ended, so a roster of day D scans only those that ended on or after D.
  kMembershipEndedByOrg = 5,  // [org id][to day i64][person id]   value: MembershipEndedValue
  kMembershipByPerson = 6,    // [person id][from day i64]   value: v1.Membership (ended ones)

  // Attendance (100-199). Meeting entries hold [end i64][type u32][cancelled u8] as value.
  kMeetingByOrg = 100,          // [org id][start i64][meeting id]   the holding organisation
  kMeetingByAudienceOrg = 101,  // [audience org id][start i64][meeting id]   subtree audiences
  kMeetingByPerson = 102,       // [person id][start i64][meeting id]   listed audiences
  kLeaveByPerson = 103,         // [person id][meeting id]   leave requests of a person
  // Calendar (meeting series; services/calendar), in the attendance range.
  kSeriesByOrg = 104,  // [org id][series id]   series held by an organisation
  // One entry per created occurrence, the guard that makes each (series, local date) one
  // meeting: [series id][local day i64]   value: [meeting id u64 BE][fingerprint u64 BE], the
  // fingerprint of the fields the series last wrote (or "detached"); entries written before
  // fingerprints hold the meeting id alone (services/calendar/recurring_meetings.cc,
  // docs/calendar.md). Ends with a day, not an id.
  kSeriesOccurrence = 105,
  kActiveSeries = 106,  // [series id]   series not yet ended, walked by the materialisation pass
  // Absences over date ranges (services/calendar/absences.h).
  kAbsenceByPerson = 107,   // [person id][absence id]   "my absences"
  kAbsenceBySubtree = 108,  // [org or ancestor id][absence id]   the person's org when asked
  // One entry per local day of each APPROVED absence (at most 62), so a roster finds who is
  // away on its meeting's date with one prefix scan: [local day i64][person id][absence id].
  kAbsenceByDay = 109,

  // Sync (400-499). The change indexes are written by Store::Commit itself.
  kChangeByOrg = 400,     // [org id][sequence]        value: change kind ("" before 2026-11)
  kChangeByPerson = 401,  // [person id][sequence]     value: ""
  kNoticeByOrg = 402,     // [audience org][notice id]
  kNoticeByPerson = 403,  // [person id][notice id]     (listed audiences)
  kNoticeRead = 404,      // [notice id][person id]     value: read time (i64 micros)
  // The kChangeByOrg entries of changes with members_see, for members' pulls: they need not
  // step over the organisation's check-ins and study records. Since 2026-11-22; older
  // changes are read from kChangeByOrg (Store::MembersChangeIndexFrom).
  kChangeForMembersByOrg = 405,  // [org id][sequence]   value: change kind
  // Changes caused by an anonymous author, held back from the change log until a publication
  // pass writes them (services/sync/deferred_changes.h), so their sequence and commit time
  // say nothing finer than the day. The nonce orders one day's entries randomly.
  kDeferredChange = 406,  // [publish after i64][nonce u64][record id]   value: ChangeRecord

  // Feedback (staff mailbox).
  kLetterInbox = 300,     // [org id][state u8][letter id]   current organisation of a letter
  kLetterByAuthor = 301,  // [person id][letter id]          named letters only
  kLetterDue = 302,       // [org id][due i64 micros][letter id]   open, not waiting for the author
  kLetterBySubmit = 303,  // [first org id][submit i64 micros][letter id]   for figures

  // Study (200-299).
  kMaterialByOrg = 200,        // [owner org id][kind u8][material id]
  kMaterialBySubtree = 201,    // [owner or ancestor org id][kind u8][material id]
  kStudyPlanByOrg = 202,       // [owner org id][year u32][plan id]      one plan per org and year
  kStudyPlanBySubtree = 203,   // [owner or ancestor org id][year u32][plan id]
  kStudyRecordByPerson = 204,  // [person id][device time i64][record id]
  kQuizByOrg = 205,            // [owner org id][quiz id]
  kQuizAttemptByPerson = 206,  // [person id][quiz id][attempt id]

  // Evaluation (500-529; services/evaluation). Ids are stored inverted (~id) so a forward
  // scan lists the newest first; storage::InvertedTrailingId reads them.
  kEvaluationRoundBySubtree = 500,  // [org or ancestor id][~round id]
  kEvaluationRoundByPerson = 501,   // [person id][~round id]   the round's raters and subjects
  kCommitmentBySubtree = 502,       // [org or ancestor id][~commitment id]
  kCommitmentByPerson = 503,        // [person id][~commitment id]
  kCommendationByOrg = 504,         // [org id][~commendation id]   the organisation's board
  // Duties (services/duties): responsibility areas, demonstration posts and groups, by kind
  // (1 area, 2 post, 3 group) so a board lists the areas first. Never deleted: an ended item
  // stays listed (GetDutyBoard filters by date).
  kDutyByOrg = 505,      // [org id][kind u8][~duty id]
  kDutyBySubtree = 506,  // [org or ancestor id][kind u8][~duty id]
  // Records (600-629; services/records). Open problems of meeting records, by due local day
  // so the overdue ones come first; deleted when the problem is fixed or dropped.
  kOpenProblemBySubtree = 600,  // [org or ancestor id][due day i64][meeting id][problem u32]
  kOpenProblemByOwner = 601,    // [owner person id][due day i64][meeting id][problem u32]
  // Ledger entries by organisation and each ancestor, newest date first (the day negated).
  kLedgerEntryBySubtree = 602,  // [org or ancestor id][-date day i64][entry id]
  // The audit trail (services/common/audit_trail.h): one entry per record, by its person.
  kAuditByPerson = 603,  // [person id][time i64 micros][unique u64]   value: ""
  // Files (services/files; records live in kFiles). Uploads not yet finished, by the time
  // they expire, for the pass that deletes abandoned ones with their chunks.
  kUploadByExpiry = 604,  // [expires i64 micros][upload token, 16 bytes]   value: ""
  // An organisation's files, newest first (ListFiles).
  kFileByOrg = 605,  // [org id][~file id]   value: ""
  // Files attached to a record (a meeting, a ledger entry), by file id.
  kAttachmentByObject = 606,  // [target u8][object id][file id]   value: ""
  // Notifications (700-729; services/notifications). Records live in kNotifications.
  // The outbox in commit order: [notification id]   value: "". The id is the gateway cursor:
  // ids are given out in increasing order under the outbox's one writer lock (outbox.h).
  kNotificationOutbox = 700,
  kNotificationByPerson = 701,  // [person id][~notification id]   newest first
  kNotificationUnread = 702,    // [person id][~notification id]   unread only
  kDeviceByToken = 703,         // [token string]   value: device id (u64 BE); unique
  kDeviceByPerson = 704,        // [person id][device id]
  // The create-if-absent guard that makes a rule fire once per (rule, object, person,
  // occurrence): [kind u8][object id][person id][occurrence i64]   value: notification id.
  kNotificationGuard = 705,
};

}  // namespace branchline::storage
