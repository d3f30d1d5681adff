#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace branchline::desk::testing {

// What the end-to-end test prepares through the API, so it can check the views show it.
struct SeededData {
  uint64_t branch_id = 0;
  std::vector<uint64_t> group_ids;   // 一班组, 二班组
  std::vector<uint64_t> people;      // four members, two per group
  uint64_t past_meeting_id = 0;      // three days ago: 3 checked in, 1 excused
  uint64_t live_meeting_id = 0;      // starts in 10 minutes: 2 checked in, 1 leave pending
  uint64_t anonymous_letter_id = 0;  // overdue
  uint64_t named_letter_id = 0;      // overdue
  uint64_t fresh_letter_id = 0;      // not overdue
  uint64_t plan_id = 0;
};

// A meeting with one photo attached, for the minutes' photo strip.
struct SeededPhoto {
  uint64_t branch_id = 0;
  uint64_t meeting_id = 0;
  uint64_t file_id = 0;
  uint32_t upload_chunks = 0;  // how many UploadChunk calls the photo took
};

inline constexpr char kAdminPassword[] = "desk-e2e-admin-password";
inline constexpr char kMemberPassword[] = "member-password-123";

// Against a server whose clock runs `offset_seconds` behind real time (libfaketime): the
// organisations, people, a meeting with check-ins and an approved leave, two letters and
// study records, all dated in the server's past-as-now. Throws std::runtime_error on failure.
void SeedPast(const std::string& address, int64_t offset_seconds, SeededData* data);

// Against the same data at real time: the live meeting with two check-ins and a pending leave,
// a fresh letter, more study records.
void SeedPresent(const std::string& address, SeededData* data);

// A branch and a meeting of it, created by the administrator, who then uploads `photo` as
// `file_name` in chunks, as a phone does, and attaches it to the meeting.
void SeedMeetingPhoto(const std::string& address, const std::string& file_name,
                      const std::string& photo, SeededPhoto* data);

// Member `index` (0..3) checks in to `meeting` by the current code, as a phone would.
void CheckInMember(const std::string& address, uint64_t meeting, int index);

}  // namespace branchline::desk::testing
