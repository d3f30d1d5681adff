#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "branchline/v1/attendance.pb.h"

namespace branchline::icalendar {

// An iCalendar (RFC 5545) file of meetings, for a phone's own calendar. Pure functions: no
// store, no clock, no gRPC; thread-safe.

// What the whole file says besides its events.
struct CalendarInfo {
  // X-WR-CALNAME, the name a phone shows for the calendar.
  std::string name = "支部会议";
  // DTSTAMP of every event: when the file was made (microseconds since the epoch, UTC).
  int64_t stamp_micros = 0;
};

// `text` as an RFC 5545 TEXT value (3.3.11): backslash, semicolon and comma escaped with a
// backslash, a line break (CRLF, LF or a lone CR) written as "\n"; other control characters
// (not allowed in TEXT) dropped, HTAB kept.
std::string EscapeText(std::string_view text);

// One content line (without line break) folded as RFC 5545 3.1 asks: physical lines of at
// most 75 octets, each ending in CRLF, every continuation starting with one space. A fold
// never splits a UTF-8 multi-byte character (a Chinese character is 3 octets).
std::string FoldLine(std::string_view line);

// The reverse of folding: CRLF followed by a space or a tab removed (RFC 5545 3.1). The
// content lines of `text` are then separated by CRLF.
std::string Unfold(std::string_view text);

// An instant as an RFC 5545 UTC DATE-TIME, "20261203T072500Z" (seconds, fraction dropped).
std::string UtcDateTime(int64_t micros);

// The event's UID: "meeting-<id>@branchline", the same in every export so that importing a
// newer file updates an event instead of adding a second one.
std::string MeetingUid(uint64_t meeting_id);

// The whole file (CRLF line endings, folded): VCALENDAR with VERSION, PRODID, CALSCALE,
// METHOD:PUBLISH and X-WR-CALNAME, then one VEVENT per meeting in the given order with UID,
// DTSTAMP, DTSTART and DTEND in UTC, SUMMARY (title), LOCATION (the place's name) and GEO
// when the meeting has a place, DESCRIPTION (type, check-in window, agenda), LAST-MODIFIED
// when it has an update time, and STATUS CONFIRMED or CANCELLED.
std::string Calendar(const std::vector<v1::Meeting>& meetings, const CalendarInfo& info);

}  // namespace branchline::icalendar
