#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/index_ids.h"
#include "storage/key_codec.h"

namespace branchline::storage {

// Named key layouts of the indexes and side tables (see the diagram in key_codec.h).
// Every function returns the full key; *Prefix functions return the scan prefix.

inline KeyBuilder IndexKey(uint32_t tenant, Index index) {
  return std::move(KeyBuilder(tenant).U16(static_cast<uint16_t>(index)));
}

inline std::string OrgChildKey(uint64_t parent, uint64_t child) {
  return IndexKey(TenantOfId(parent), Index::kOrgChildren).U64(parent).U64(child).key();
}
inline std::string OrgChildPrefix(uint64_t parent) {
  return IndexKey(TenantOfId(parent), Index::kOrgChildren).U64(parent).key();
}
inline std::string OrgDescendantKey(uint64_t ancestor, uint64_t org) {
  return IndexKey(TenantOfId(ancestor), Index::kOrgDescendants).U64(ancestor).U64(org).key();
}
inline std::string OrgDescendantPrefix(uint64_t ancestor) {
  return IndexKey(TenantOfId(ancestor), Index::kOrgDescendants).U64(ancestor).key();
}
inline std::string PersonByOrgKey(uint64_t org, uint64_t person) {
  return IndexKey(TenantOfId(org), Index::kPersonByOrg).U64(org).U64(person).key();
}
inline std::string PersonByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kPersonByOrg).U64(org).key();
}
// The value of a PersonByOrgKey entry says whether the person appears on rosters (active and
// not a service account) and whether they are a party member, so a roster, a report or a
// members-only audience counts a subtree from the index alone instead of reading every person,
// and since which local day (the first day of the current membership: the roster of an
// earlier day does not count them here).
// One byte: 'm' on rosters and a member, 'e' on rosters and not a member, '-' not on rosters;
// then the day (i64) when the membership has a first day (an entry without one reads the same
// in builds before memberships had days). Older entries: 'r' (on rosters, membership not recorded)
// or empty (kUnknown): read the person for what the entry does not say; no day: since ever.
enum class RosterFlag { kUnknown, kOnRosters, kOffRosters };
struct PersonByOrgEntry {
  RosterFlag roster = RosterFlag::kUnknown;
  std::optional<bool> party_member;  // recorded for people on rosters since 'm'/'e'
  std::optional<int64_t> since_day;  // none: since before the records begin
};
inline std::string PersonByOrgValue(bool on_rosters, bool party_member,
                                    std::optional<int64_t> since_day) {
  KeyBuilder value;
  value.Raw(!on_rosters ? "-" : party_member ? "m" : "e");
  if (since_day) value.I64(*since_day);
  return std::move(value).key();
}
inline PersonByOrgEntry ReadPersonByOrgValue(std::string_view value) {
  PersonByOrgEntry entry;
  const std::string_view flag = value.substr(0, 1);
  if (flag == "m" || flag == "e" || flag == "r") entry.roster = RosterFlag::kOnRosters;
  if (flag == "-") entry.roster = RosterFlag::kOffRosters;
  if (flag == "m" || flag == "e") entry.party_member = flag == "m";
  if (value.size() > 1) {
    KeyReader r(value.substr(1));
    entry.since_day = r.I64();
  }
  return entry;
}
// An ended membership by organisation: [org][to day][person] -> [flag][from day], the flag as
// in PersonByOrgValue (on rosters and a party member during the membership).
inline std::string MembershipEndedKey(uint64_t org, int64_t to_day, uint64_t person) {
  return IndexKey(TenantOfId(org), Index::kMembershipEndedByOrg)
      .U64(org)
      .I64(to_day)
      .U64(person)
      .key();
}
inline std::string MembershipEndedPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kMembershipEndedByOrg).U64(org).key();
}
inline std::string MembershipByPersonKey(uint64_t person, int64_t from_day) {
  return IndexKey(TenantOfId(person), Index::kMembershipByPerson).U64(person).I64(from_day).key();
}
inline std::string MembershipByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kMembershipByPerson).U64(person).key();
}
inline std::string LoginKey(uint32_t tenant, std::string_view login) {
  return IndexKey(tenant, Index::kPersonByLogin).Str(login).key();
}
inline std::string SessionKey(uint64_t person, uint64_t session) {
  return KeyBuilder(TenantOfId(person)).U64(person).U64(session).key();
}
inline std::string SessionPrefix(uint64_t person) {
  return KeyBuilder(TenantOfId(person)).U64(person).key();
}
inline std::string IdempotencyKey(uint32_t tenant, uint64_t caller, std::string_view request_id) {
  return KeyBuilder(tenant).U64(caller).Str(request_id).key();
}
inline std::string ChangeKey(uint32_t tenant, uint64_t sequence) {
  return KeyBuilder(tenant).U64(sequence).key();
}
// Meta: changes after this sequence are in the members' organisation index
// (Store::MembersChangeIndexFrom).
inline std::string MembersChangeIndexFromKey() {
  return KeyBuilder().Str("members_change_index_from").key();
}
// Meta: the highest change-log sequence of a tenant deleted by retention (change_pruning.h).
inline std::string ChangesPrunedPrefix() { return KeyBuilder().Str("changes_pruned").key(); }
inline std::string ChangesPrunedKey(uint32_t tenant) {
  return KeyBuilder().Str("changes_pruned").U32(tenant).key();
}

// --- Sync: change-log indexes (written by Store::Commit) and notices ---
inline std::string ChangeByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kChangeByOrg).U64(org).key();
}
inline std::string ChangeByOrgKey(uint64_t org, uint64_t sequence) {
  return IndexKey(TenantOfId(org), Index::kChangeByOrg).U64(org).U64(sequence).key();
}
inline std::string ChangeForMembersByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kChangeForMembersByOrg).U64(org).key();
}
inline std::string ChangeForMembersByOrgKey(uint64_t org, uint64_t sequence) {
  return IndexKey(TenantOfId(org), Index::kChangeForMembersByOrg).U64(org).U64(sequence).key();
}
inline std::string ChangeByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kChangeByPerson).U64(person).key();
}
inline std::string ChangeByPersonKey(uint64_t person, uint64_t sequence) {
  return IndexKey(TenantOfId(person), Index::kChangeByPerson).U64(person).U64(sequence).key();
}
// Deferred changes (services/sync/deferred_changes.h): written by services, not by Commit.
inline std::string DeferredChangePrefix(uint32_t tenant) {
  return IndexKey(tenant, Index::kDeferredChange).key();
}
inline std::string DeferredChangeKey(uint64_t record, int64_t publish_after_micros,
                                     uint64_t nonce) {
  return IndexKey(TenantOfId(record), Index::kDeferredChange)
      .I64(publish_after_micros)
      .U64(nonce)
      .U64(record)
      .key();
}
inline std::string NoticeByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kNoticeByOrg).U64(org).key();
}
inline std::string NoticeByOrgKey(uint64_t org, uint64_t notice) {
  return IndexKey(TenantOfId(org), Index::kNoticeByOrg).U64(org).U64(notice).key();
}
inline std::string NoticeByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kNoticeByPerson).U64(person).key();
}
inline std::string NoticeByPersonKey(uint64_t person, uint64_t notice) {
  return IndexKey(TenantOfId(person), Index::kNoticeByPerson).U64(person).U64(notice).key();
}
inline std::string NoticeReadPrefix(uint64_t notice) {
  return IndexKey(TenantOfId(notice), Index::kNoticeRead).U64(notice).key();
}
inline std::string NoticeReadKey(uint64_t notice, uint64_t person) {
  return IndexKey(TenantOfId(notice), Index::kNoticeRead).U64(notice).U64(person).key();
}

// ---- Attendance -------------------------------------------------------------------------
// Meetings live at RecordKey(id) in kMeetings (internal MeetingRecord); an organisation's own
// meeting schedule at [tenant][org id][str "schedule"] in kMeetings (never scanned).
// Attendance: [tenant][meeting id][person id] in kAttendance, one record per person.
// Leave requests: [tenant][meeting id][person id] in kLeaveRequests, one per person.
inline std::string MeetingByOrgKey(uint64_t org, int64_t start_micros, uint64_t meeting) {
  return IndexKey(TenantOfId(org), Index::kMeetingByOrg)
      .U64(org)
      .I64(start_micros)
      .U64(meeting)
      .key();
}
inline std::string MeetingByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kMeetingByOrg).U64(org).key();
}
inline std::string MeetingByAudienceOrgKey(uint64_t org, int64_t start_micros, uint64_t meeting) {
  return IndexKey(TenantOfId(org), Index::kMeetingByAudienceOrg)
      .U64(org)
      .I64(start_micros)
      .U64(meeting)
      .key();
}
inline std::string MeetingByAudienceOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kMeetingByAudienceOrg).U64(org).key();
}
inline std::string MeetingByPersonKey(uint64_t person, int64_t start_micros, uint64_t meeting) {
  return IndexKey(TenantOfId(person), Index::kMeetingByPerson)
      .U64(person)
      .I64(start_micros)
      .U64(meeting)
      .key();
}
inline std::string MeetingByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kMeetingByPerson).U64(person).key();
}
inline std::string MeetingScheduleKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).U64(org).Str("schedule").key();
}
inline std::string AttendanceKey(uint64_t meeting, uint64_t person) {
  return KeyBuilder(TenantOfId(meeting)).U64(meeting).U64(person).key();
}
inline std::string AttendancePrefix(uint64_t meeting) {
  return KeyBuilder(TenantOfId(meeting)).U64(meeting).key();
}
inline std::string LeaveRequestKey(uint64_t meeting, uint64_t person) {
  return KeyBuilder(TenantOfId(meeting)).U64(meeting).U64(person).key();
}
inline std::string LeaveRequestPrefix(uint64_t meeting) {
  return KeyBuilder(TenantOfId(meeting)).U64(meeting).key();
}
inline std::string LeaveByPersonKey(uint64_t person, uint64_t meeting) {
  return IndexKey(TenantOfId(person), Index::kLeaveByPerson).U64(person).U64(meeting).key();
}
inline std::string LeaveByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kLeaveByPerson).U64(person).key();
}

// ---- Calendar (services/calendar) -------------------------------------------------------
// Meeting series live in kMeetings at [tenant][str "series"][series id] and an organisation's
// holiday list at [tenant][str "holidays"][org id]: the string tag keeps them apart from the
// [tenant][id] meeting records (and from the schedule keys) in the same family.
inline std::string SeriesKey(uint64_t series) {
  return KeyBuilder(TenantOfId(series)).Str("series").U64(series).key();
}
inline std::string HolidaysKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("holidays").U64(org).key();
}
inline std::string SeriesByOrgKey(uint64_t org, uint64_t series) {
  return IndexKey(TenantOfId(org), Index::kSeriesByOrg).U64(org).U64(series).key();
}
inline std::string SeriesByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kSeriesByOrg).U64(org).key();
}
inline std::string SeriesOccurrenceKey(uint64_t series, int64_t local_day) {
  return IndexKey(TenantOfId(series), Index::kSeriesOccurrence).U64(series).I64(local_day).key();
}
inline std::string SeriesOccurrencePrefix(uint64_t series) {
  return IndexKey(TenantOfId(series), Index::kSeriesOccurrence).U64(series).key();
}
inline std::string ActiveSeriesKey(uint64_t series) {
  return IndexKey(TenantOfId(series), Index::kActiveSeries).U64(series).key();
}
inline std::string ActiveSeriesPrefix(uint32_t tenant) {
  return IndexKey(tenant, Index::kActiveSeries).key();
}

// Absences (services/calendar/absences.h) live in kLeaveRequests at
// [tenant][str "absence"][absence id]: the string tag keeps them apart from the
// [tenant][meeting id][person id] leave requests of the same family.
inline std::string AbsenceKey(uint64_t absence) {
  return KeyBuilder(TenantOfId(absence)).Str("absence").U64(absence).key();
}
inline std::string AbsenceByPersonKey(uint64_t person, uint64_t absence) {
  return IndexKey(TenantOfId(person), Index::kAbsenceByPerson).U64(person).U64(absence).key();
}
inline std::string AbsenceByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kAbsenceByPerson).U64(person).key();
}
inline std::string AbsenceBySubtreeKey(uint64_t org, uint64_t absence) {
  return IndexKey(TenantOfId(org), Index::kAbsenceBySubtree).U64(org).U64(absence).key();
}
inline std::string AbsenceBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kAbsenceBySubtree).U64(org).key();
}
inline std::string AbsenceByDayKey(uint32_t tenant, int64_t local_day, uint64_t person,
                                   uint64_t absence) {
  return IndexKey(tenant, Index::kAbsenceByDay).I64(local_day).U64(person).U64(absence).key();
}
inline std::string AbsenceByDayPrefix(uint32_t tenant, int64_t local_day) {
  return IndexKey(tenant, Index::kAbsenceByDay).I64(local_day).key();
}
// The value of an AbsenceByDayKey entry: [type u8][from day i64][to day i64], so a roster
// labels its excused people ("出差 12-01 至 12-07") without reading their absences (reading
// them tripled the time of a 1,000-person page in which everyone was away).
struct AbsenceDayValue {
  uint8_t type = 0;
  int64_t from_day = 0;
  int64_t to_day = 0;
};
inline std::string EncodeAbsenceDayValue(const AbsenceDayValue& v) {
  return KeyBuilder().U8(v.type).I64(v.from_day).I64(v.to_day).key();
}
inline std::optional<AbsenceDayValue> DecodeAbsenceDayValue(std::string_view value) {
  KeyReader r(value);
  auto type = r.U8();
  auto from = r.I64();
  auto to = r.I64();
  if (!type || !from || !to || !r.done()) return std::nullopt;
  return AbsenceDayValue{*type, *from, *to};
}

// ---- Records (services/records) ----------------------------------------------------------
// In kRecords, every record under a string tag: the current meeting record at
// [tenant][str "minutes"][meeting id], each revision at [tenant][str "minutes_rev"][meeting
// id][revision u32], an organisation's ledger items at [tenant][str "ledger_items"][org id]
// and a ledger entry at [tenant][str "ledger"][entry id].
inline std::string MeetingRecordKey(uint64_t meeting) {
  return KeyBuilder(TenantOfId(meeting)).Str("minutes").U64(meeting).key();
}
inline std::string MeetingRecordRevisionKey(uint64_t meeting, uint32_t revision) {
  return KeyBuilder(TenantOfId(meeting)).Str("minutes_rev").U64(meeting).U32(revision).key();
}
inline std::string MeetingRecordRevisionPrefix(uint64_t meeting) {
  return KeyBuilder(TenantOfId(meeting)).Str("minutes_rev").U64(meeting).key();
}
inline std::string LedgerItemsKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("ledger_items").U64(org).key();
}
inline std::string LedgerEntryKey(uint64_t entry) {
  return KeyBuilder(TenantOfId(entry)).Str("ledger").U64(entry).key();
}
inline std::string OpenProblemBySubtreeKey(uint64_t org, int64_t due_day, uint64_t meeting,
                                           uint32_t problem) {
  return IndexKey(TenantOfId(org), Index::kOpenProblemBySubtree)
      .U64(org)
      .I64(due_day)
      .U64(meeting)
      .U32(problem)
      .key();
}
inline std::string OpenProblemBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kOpenProblemBySubtree).U64(org).key();
}
inline std::string OpenProblemByOwnerKey(uint64_t owner, int64_t due_day, uint64_t meeting,
                                         uint32_t problem) {
  return IndexKey(TenantOfId(owner), Index::kOpenProblemByOwner)
      .U64(owner)
      .I64(due_day)
      .U64(meeting)
      .U32(problem)
      .key();
}
inline std::string OpenProblemByOwnerPrefix(uint64_t owner) {
  return IndexKey(TenantOfId(owner), Index::kOpenProblemByOwner).U64(owner).key();
}
// The audit trail: a record at [tenant][str "audit"][time i64 micros][person u64][unique u64]
// in kRecords (time first: a period is one range, retention deletes from the front), and its
// kAuditByPerson index entry [person][time][unique]. `unique` tells apart one person's writes
// in the same microsecond.
inline std::string AuditPrefix(uint32_t tenant) { return KeyBuilder(tenant).Str("audit").key(); }
inline std::string AuditKey(uint32_t tenant, int64_t time, uint64_t person, uint64_t unique) {
  return KeyBuilder(tenant).Str("audit").I64(time).U64(person).U64(unique).key();
}
inline std::string AuditTimeKey(uint32_t tenant, int64_t time) {
  return KeyBuilder(tenant).Str("audit").I64(time).key();
}
inline std::string AuditByPersonKey(uint64_t person, int64_t time, uint64_t unique) {
  return IndexKey(TenantOfId(person), Index::kAuditByPerson)
      .U64(person)
      .I64(time)
      .U64(unique)
      .key();
}
inline std::string AuditByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kAuditByPerson).U64(person).key();
}

// ---- Files (services/files) ----------------------------------------------------------------
// In kFiles, under string tags. An upload in progress at [tenant][str "upload"][token 16
// bytes] and its received chunks at [tenant][str "upload_chunk"][token][offset u64]; a file
// record at [tenant][str "file"][file id]; stored content once per tenant and digest (files
// with the same content share it): its description at [tenant][str "content"][sha-256, 32
// bytes] and its bytes in fixed-size chunks at [tenant][str "content_chunk"][sha-256][chunk
// u32]; an organisation's bytes in use at [tenant][str "quota"][org id].
inline std::string UploadKey(uint32_t tenant, std::string_view token) {
  return KeyBuilder(tenant).Str("upload").Raw(token).key();
}
inline std::string UploadChunkKey(uint32_t tenant, std::string_view token, uint64_t offset) {
  return KeyBuilder(tenant).Str("upload_chunk").Raw(token).U64(offset).key();
}
inline std::string UploadChunkPrefix(uint32_t tenant, std::string_view token) {
  return KeyBuilder(tenant).Str("upload_chunk").Raw(token).key();
}
inline std::string FileKey(uint64_t file) {
  return KeyBuilder(TenantOfId(file)).Str("file").U64(file).key();
}
inline std::string ContentKey(uint32_t tenant, std::string_view sha256) {
  return KeyBuilder(tenant).Str("content").Raw(sha256).key();
}
inline std::string ContentChunkKey(uint32_t tenant, std::string_view sha256, uint32_t chunk) {
  return KeyBuilder(tenant).Str("content_chunk").Raw(sha256).U32(chunk).key();
}
inline std::string FileQuotaKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("quota").U64(org).key();
}
inline std::string UploadByExpiryKey(uint32_t tenant, int64_t expires, std::string_view token) {
  return IndexKey(tenant, Index::kUploadByExpiry).I64(expires).Raw(token).key();
}
inline std::string UploadByExpiryPrefix(uint32_t tenant) {
  return IndexKey(tenant, Index::kUploadByExpiry).key();
}
inline std::string FileByOrgKey(uint64_t org, uint64_t file) {
  return IndexKey(TenantOfId(org), Index::kFileByOrg).U64(org).U64(~file).key();
}
inline std::string FileByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kFileByOrg).U64(org).key();
}
inline std::string AttachmentKey(uint8_t target, uint64_t object, uint64_t file) {
  return IndexKey(TenantOfId(object), Index::kAttachmentByObject)
      .U8(target)
      .U64(object)
      .U64(file)
      .key();
}
inline std::string AttachmentPrefix(uint8_t target, uint64_t object) {
  return IndexKey(TenantOfId(object), Index::kAttachmentByObject).U8(target).U64(object).key();
}
struct AuditKeyParts {
  int64_t time = 0;
  uint64_t person = 0;
  uint64_t unique = 0;
};
// The parts of an AuditKey of `tenant`; nullopt when the key is not one.
inline std::optional<AuditKeyParts> ParseAuditKey(uint32_t tenant, std::string_view key) {
  const std::string prefix = AuditPrefix(tenant);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  KeyReader r(key.substr(prefix.size()));
  auto time = r.I64();
  auto person = r.U64();
  auto unique = r.U64();
  if (!time || !person || !unique || !r.done()) return std::nullopt;
  return AuditKeyParts{*time, *person, *unique};
}
// The time and unique of a kAuditByPerson key of `person`.
inline std::optional<AuditKeyParts> ParseAuditByPersonKey(uint64_t person, std::string_view key) {
  const std::string prefix = AuditByPersonPrefix(person);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  KeyReader r(key.substr(prefix.size()));
  auto time = r.I64();
  auto unique = r.U64();
  if (!time || !unique || !r.done()) return std::nullopt;
  return AuditKeyParts{*time, person, *unique};
}
// The meeting and problem of an open-problem index key (both layouts end the same way).
struct OpenProblemRef {
  uint64_t meeting = 0;
  uint32_t problem = 0;
};
inline std::optional<OpenProblemRef> DecodeOpenProblemKey(std::string_view key) {
  if (key.size() < 12) return std::nullopt;
  KeyReader r(key.substr(key.size() - 12));
  auto meeting = r.U64();
  auto problem = r.U32();
  if (!meeting || !problem) return std::nullopt;
  return OpenProblemRef{*meeting, *problem};
}
inline std::string LedgerEntryBySubtreeKey(uint64_t org, int64_t day, uint64_t entry) {
  return IndexKey(TenantOfId(org), Index::kLedgerEntryBySubtree)
      .U64(org)
      .I64(-day)
      .U64(entry)
      .key();
}
inline std::string LedgerEntryBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kLedgerEntryBySubtree).U64(org).key();
}
// The scan position just before the entries dated `day` (they follow it, newest first).
inline std::string LedgerEntryBySubtreeBefore(uint64_t org, int64_t day) {
  return IndexKey(TenantOfId(org), Index::kLedgerEntryBySubtree)
      .U64(org)
      .I64(-day - 1)
      .U64(UINT64_MAX)
      .key();
}
// The date day of a LedgerEntryBySubtreeKey.
inline std::optional<int64_t> LedgerEntryDayOfKey(std::string_view key) {
  if (key.size() < 16) return std::nullopt;
  KeyReader r(key.substr(key.size() - 16));
  auto negated = r.I64();
  if (!negated) return std::nullopt;
  return -*negated;
}

// --- Feedback (staff mailbox) ---
// Letters are records in Cf::kLetters at RecordKey(letter id). Thread events live in
// Cf::kLetterEvents at [tenant][letter id u64][sequence u32]. Per-organisation mailbox
// settings live in Cf::kLetters at [tenant][u64 0][org id] (longer than a record key, and 0
// is never a record id, so they cannot collide with letters).
inline std::string LetterEventKey(uint64_t letter, uint32_t sequence) {
  return KeyBuilder(TenantOfId(letter)).U64(letter).U32(sequence).key();
}
inline std::string LetterEventPrefix(uint64_t letter) {
  return KeyBuilder(TenantOfId(letter)).U64(letter).key();
}
inline std::string FeedbackSettingsKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).U64(0).U64(org).key();
}
inline std::string LetterInboxKey(uint64_t org, uint8_t state, uint64_t letter) {
  return IndexKey(TenantOfId(org), Index::kLetterInbox).U64(org).U8(state).U64(letter).key();
}
inline std::string LetterInboxPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kLetterInbox).U64(org).key();
}
inline std::string LetterInboxStatePrefix(uint64_t org, uint8_t state) {
  return IndexKey(TenantOfId(org), Index::kLetterInbox).U64(org).U8(state).key();
}
inline std::string LetterByAuthorKey(uint64_t person, uint64_t letter) {
  return IndexKey(TenantOfId(person), Index::kLetterByAuthor).U64(person).U64(letter).key();
}
inline std::string LetterByAuthorPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kLetterByAuthor).U64(person).key();
}
inline std::string LetterDueKey(uint64_t org, int64_t due_micros, uint64_t letter) {
  return IndexKey(TenantOfId(org), Index::kLetterDue).U64(org).I64(due_micros).U64(letter).key();
}
inline std::string LetterDuePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kLetterDue).U64(org).key();
}
inline std::string LetterBySubmitKey(uint64_t org, int64_t submit_micros, uint64_t letter) {
  return IndexKey(TenantOfId(org), Index::kLetterBySubmit)
      .U64(org)
      .I64(submit_micros)
      .U64(letter)
      .key();
}
inline std::string LetterBySubmitPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kLetterBySubmit).U64(org).key();
}

// ---- Study (services/study) ----
// Materials, plans and quizzes are indexed under their owner and (for subtree listings)
// under the owner and every ancestor; `org` is the indexed organisation, not the owner.
inline std::string MaterialByOrgKey(uint64_t org, uint8_t kind, uint64_t material) {
  return IndexKey(TenantOfId(org), Index::kMaterialByOrg).U64(org).U8(kind).U64(material).key();
}
inline std::string MaterialBySubtreeKey(uint64_t org, uint8_t kind, uint64_t material) {
  return IndexKey(TenantOfId(org), Index::kMaterialBySubtree).U64(org).U8(kind).U64(material).key();
}
// Prefix of a material index (kMaterialByOrg or kMaterialBySubtree); kind 0: every kind.
inline std::string MaterialPrefix(Index index, uint64_t org, uint8_t kind) {
  auto b = IndexKey(TenantOfId(org), index).U64(org);
  if (kind != 0) b.U8(kind);
  return std::move(b).key();
}
inline std::string StudyPlanKey(Index index, uint64_t org, uint32_t year, uint64_t plan) {
  return IndexKey(TenantOfId(org), index).U64(org).U32(year).U64(plan).key();
}
inline std::string StudyPlanPrefix(Index index, uint64_t org, uint32_t year) {
  return IndexKey(TenantOfId(org), index).U64(org).U32(year).key();
}
inline std::string StudyRecordByPersonKey(uint64_t person, int64_t device_micros, uint64_t record) {
  return IndexKey(TenantOfId(person), Index::kStudyRecordByPerson)
      .U64(person)
      .I64(device_micros)
      .U64(record)
      .key();
}
inline std::string StudyRecordByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kStudyRecordByPerson).U64(person).key();
}
inline std::string QuizByOrgKey(uint64_t org, uint64_t quiz) {
  return IndexKey(TenantOfId(org), Index::kQuizByOrg).U64(org).U64(quiz).key();
}
inline std::string QuizByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kQuizByOrg).U64(org).key();
}
inline std::string QuizAttemptKey(uint64_t person, uint64_t quiz, uint64_t attempt) {
  return IndexKey(TenantOfId(person), Index::kQuizAttemptByPerson)
      .U64(person)
      .U64(quiz)
      .U64(attempt)
      .key();
}
// Attempts of a person (quiz 0: at every quiz).
inline std::string QuizAttemptPrefix(uint64_t person, uint64_t quiz) {
  auto b = IndexKey(TenantOfId(person), Index::kQuizAttemptByPerson).U64(person);
  if (quiz != 0) b.U64(quiz);
  return std::move(b).key();
}
// Side records: an organisation's own study settings (Cf::kStudyPlans) and the running
// progress of a person in a local year (Cf::kStudyRecords). The string tag keeps them apart
// from the [tenant][id] record keys in the same families.
inline std::string StudySettingsKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("settings").U64(org).key();
}
inline std::string StudyProgressKey(uint64_t person, int32_t year) {
  return KeyBuilder(TenantOfId(person))
      .Str("progress")
      .U64(person)
      .U32(static_cast<uint32_t>(year))
      .key();
}

// ---- Evaluation (services/evaluation) ----------------------------------------------------
// Everything of a round lives in kEvaluations under its id: the round record at
// RecordKey(round) = [tenant][round id], then side entries tagged by one byte:
//   [tenant][round]['j'][subject id u64]                         subjects (results' pages)
//   [tenant][round]['r'][person id u64]                          the rater set
//   [tenant][round]['p'][person id u64]                          named raters who rated
//   [tenant][round]['b'][person id u64]                          ballots taken (anonymous)
//   [tenant][round]['s'][subject u64][phase u8][rater bytes]     submissions
// A submission's rater bytes are the person id (u64 BE) in named phases and SHA-256 of the
// ballot token (32 bytes) in anonymous ratings, which no person id maps to.
inline KeyBuilder EvaluationRoundTag(uint64_t round, char tag) {
  return std::move(KeyBuilder(TenantOfId(round)).U64(round).U8(static_cast<uint8_t>(tag)));
}
inline std::string EvaluationEntryKey(uint64_t round, char tag, uint64_t id) {
  return EvaluationRoundTag(round, tag).U64(id).key();
}
inline std::string EvaluationEntryPrefix(uint64_t round, char tag) {
  return EvaluationRoundTag(round, tag).key();
}
inline std::string EvaluationSubmissionKey(uint64_t round, uint64_t subject, uint8_t phase,
                                           std::string_view rater) {
  return EvaluationRoundTag(round, 's').U64(subject).U8(phase).Raw(rater).key();
}
inline std::string EvaluationSubmissionPrefix(uint64_t round, uint64_t subject, uint8_t phase) {
  return EvaluationRoundTag(round, 's').U64(subject).U8(phase).key();
}
inline std::string EvaluationRoundBySubtreeKey(uint64_t org, uint64_t round) {
  return IndexKey(TenantOfId(org), Index::kEvaluationRoundBySubtree).U64(org).U64(~round).key();
}
inline std::string EvaluationRoundBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kEvaluationRoundBySubtree).U64(org).key();
}
inline std::string EvaluationRoundByPersonKey(uint64_t person, uint64_t round) {
  return IndexKey(TenantOfId(person), Index::kEvaluationRoundByPerson)
      .U64(person)
      .U64(~round)
      .key();
}
inline std::string EvaluationRoundByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kEvaluationRoundByPerson).U64(person).key();
}
// Commitments live in kEvaluations at [tenant][str "commitment"][id]: the string tag keeps
// them apart from the rounds' [tenant][round id]... entries (its first 8 bytes would be an id
// of tenant 0, which no record has).
inline std::string CommitmentKey(uint64_t commitment) {
  return KeyBuilder(TenantOfId(commitment)).Str("commitment").U64(commitment).key();
}
inline std::string CommitmentBySubtreeKey(uint64_t org, uint64_t commitment) {
  return IndexKey(TenantOfId(org), Index::kCommitmentBySubtree).U64(org).U64(~commitment).key();
}
inline std::string CommitmentBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kCommitmentBySubtree).U64(org).key();
}
inline std::string CommitmentByPersonKey(uint64_t person, uint64_t commitment) {
  return IndexKey(TenantOfId(person), Index::kCommitmentByPerson)
      .U64(person)
      .U64(~commitment)
      .key();
}
inline std::string CommitmentByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kCommitmentByPerson).U64(person).key();
}
// Commendations (honours boards) live in kEvaluations at [tenant][str "commendation"][id],
// apart from the rounds' entries like the commitments.
inline std::string CommendationKey(uint64_t commendation) {
  return KeyBuilder(TenantOfId(commendation)).Str("commendation").U64(commendation).key();
}
inline std::string CommendationByOrgKey(uint64_t org, uint64_t commendation) {
  return IndexKey(TenantOfId(org), Index::kCommendationByOrg).U64(org).U64(~commendation).key();
}
inline std::string CommendationByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kCommendationByOrg).U64(org).key();
}
// Duties (areas, posts, groups: services/duties) live in kEvaluations at
// [tenant][str "duty"][id], apart from the rounds' entries like the commitments. The indexes
// carry the kind (u8) before the inverted id, so one scan lists areas, posts, then groups.
inline std::string DutyKey(uint64_t duty) {
  return KeyBuilder(TenantOfId(duty)).Str("duty").U64(duty).key();
}
inline std::string DutyByOrgKey(uint64_t org, uint8_t kind, uint64_t duty) {
  return IndexKey(TenantOfId(org), Index::kDutyByOrg).U64(org).U8(kind).U64(~duty).key();
}
inline std::string DutyByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kDutyByOrg).U64(org).key();
}
inline std::string DutyBySubtreeKey(uint64_t org, uint8_t kind, uint64_t duty) {
  return IndexKey(TenantOfId(org), Index::kDutyBySubtree).U64(org).U8(kind).U64(~duty).key();
}
inline std::string DutyBySubtreePrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kDutyBySubtree).U64(org).key();
}

// The record id at the end of an index key (every index key ends with one). 0 for a key
// shorter than an id (a corrupt entry; substr would throw): 0 is no record's id (tenants
// start at 1), so callers skip it instead of acting on it.
inline uint64_t TrailingId(std::string_view key) {
  if (key.size() < 8) return 0;
  KeyReader r(key.substr(key.size() - 8));
  return r.U64().value_or(0);
}
// The id at the end of an index key that stores it inverted (~id, so a forward scan lists
// the newest first: the evaluation indexes); 0 for a corrupt entry.
inline uint64_t InvertedTrailingId(std::string_view key) {
  return key.size() < 8 ? 0 : ~TrailingId(key);
}

// ---- Notifications (services/notifications) ------------------------------------------------
// In kNotifications: notifications at [tenant][str "notification"][id], devices at
// [tenant][str "device"][id], an organisation's settings at [tenant][str "settings"][org id], a
// person's opt-outs at [tenant][str "prefs"][person id], a gateway's acknowledged position at
// [tenant][str "outbox_ack"][service account id][org id], and the reminder pass's position in
// the tenant's change log at [tenant][str "change_cursor"].
inline std::string NotificationKey(uint64_t id) {
  return KeyBuilder(TenantOfId(id)).Str("notification").U64(id).key();
}
inline std::string NotificationRecordPrefix(uint32_t tenant) {
  return KeyBuilder(tenant).Str("notification").key();
}
inline std::string DeviceKey(uint64_t id) {
  return KeyBuilder(TenantOfId(id)).Str("device").U64(id).key();
}
inline std::string NotificationSettingsKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("settings").U64(org).key();
}
inline std::string NotificationPrefsKey(uint64_t person) {
  return KeyBuilder(TenantOfId(person)).Str("prefs").U64(person).key();
}
inline std::string OutboxAckKey(uint64_t account, uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("outbox_ack").U64(account).U64(org).key();
}
inline std::string NotificationChangeCursorKey(uint32_t tenant) {
  return KeyBuilder(tenant).Str("change_cursor").key();
}
inline std::string NotificationOutboxPrefix(uint32_t tenant) {
  return IndexKey(tenant, Index::kNotificationOutbox).key();
}
inline std::string NotificationOutboxKey(uint64_t id) {
  return IndexKey(TenantOfId(id), Index::kNotificationOutbox).U64(id).key();
}
// Newest first: the id is stored inverted (~id), so a forward scan starts with the latest.
inline std::string NotificationByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kNotificationByPerson).U64(person).key();
}
inline std::string NotificationByPersonKey(uint64_t person, uint64_t id) {
  return IndexKey(TenantOfId(person), Index::kNotificationByPerson).U64(person).U64(~id).key();
}
inline std::string NotificationUnreadPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kNotificationUnread).U64(person).key();
}
inline std::string NotificationUnreadKey(uint64_t person, uint64_t id) {
  return IndexKey(TenantOfId(person), Index::kNotificationUnread).U64(person).U64(~id).key();
}
inline std::string DeviceByTokenKey(uint32_t tenant, std::string_view token) {
  return IndexKey(tenant, Index::kDeviceByToken).Str(token).key();
}
inline std::string DeviceByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kDeviceByPerson).U64(person).key();
}
inline std::string DeviceByPersonTenantPrefix(uint32_t tenant) {
  return IndexKey(tenant, Index::kDeviceByPerson).key();
}
inline std::string DeviceByPersonKey(uint64_t person, uint64_t device) {
  return IndexKey(TenantOfId(person), Index::kDeviceByPerson).U64(person).U64(device).key();
}
inline std::string NotificationGuardKey(uint32_t tenant, uint8_t kind, uint64_t object,
                                        uint64_t person, int64_t occurrence) {
  return IndexKey(tenant, Index::kNotificationGuard)
      .U8(kind)
      .U64(object)
      .U64(person)
      .I64(occurrence)
      .key();
}

}  // namespace branchline::storage
