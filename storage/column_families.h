#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace branchline::storage {

// Every RocksDB column family, declared once. The numeric value indexes the handle array and
// the name is what RocksDB stores on disk.
//
// NEVER reorder or rename entries, and never reuse a retired name: the database on disk is
// opened by name. Add new families at the end, before kCount, and add their name below.
enum class Cf : uint8_t {
  kMeta = 0,            // "default": schema version, id high-water marks
  kOrganizations = 1,   // [tenant][org id] -> branchline.v1.Organization
  kPeople = 2,          // [tenant][person id] -> branchline.v1.Person
  kCredentials = 3,     // [tenant][person id] -> internal Credential
  kSessions = 4,        // [tenant][person id][session id] -> internal Session
  kIndex = 5,           // [tenant][index id][...] -> "" (every secondary index)
  kIdempotency = 6,     // [tenant][caller id][request id] -> internal IdempotencyRecord
  kChanges = 7,         // [tenant][sequence] -> internal ChangeRecord
  kMeetings = 8,        // attendance: meetings
  kAttendance = 9,      // attendance: one record per (meeting, person)
  kLeaveRequests = 10,  // attendance: leave requests
  kMaterials = 11,      // study: materials
  kStudyPlans = 12,     // study: yearly plans
  kStudyRecords = 13,   // study: study records
  kQuizzes = 14,        // study: quizzes and question banks
  kQuizAttempts = 15,   // study: quiz attempts
  kLetters = 16,        // feedback: letters
  kLetterEvents = 17,   // feedback: replies, notes and state changes of a letter
  kNotices = 18,        // sync: notices
  kEvaluations = 19,    // evaluation: rounds, ratings, commitments, boards, honours
  kRecords = 20,        // records: meeting minutes and their revisions, the activity ledger
  kNotifications = 21,  // notifications: the outbox, device tokens, reminder guards
  kFiles = 22,          // files: uploads in progress, file records, content chunks by digest
  kCount = 23,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Cf::kCount)> kCfNames = {
    "default",     "organizations", "people",   "credentials",   "sessions",       "index",
    "idempotency", "changes",       "meetings", "attendance",    "leave_requests", "materials",
    "study_plans", "study_records", "quizzes",  "quiz_attempts", "letters",        "letter_events",
    "notices",     "evaluations",   "records",  "notifications", "files",
};

constexpr size_t CfIndex(Cf cf) { return static_cast<size_t>(cf); }

}  // namespace branchline::storage
