#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace branchline::calendar {

// Recurrence rules: the subset of RFC 5545 RRULE (section 3.3.10) that meeting series use.
//
//   FREQ=WEEKLY   [;INTERVAL=n] [;BYDAY=MO,WE,...]           (no ordinals)
//   FREQ=MONTHLY  [;INTERVAL=n] [;BYMONTHDAY=1,15,-1 | ;BYDAY=1MO,-1FR,TU]
//   and at most one of COUNT=n or UNTIL=YYYYMMDD / UNTIL=YYYYMMDDTHHMMSSZ; WKST=MO only.
//
// Everything else (other FREQs, BYSETPOS, BYMONTH, BYHOUR, ..., BYDAY together with
// BYMONTHDAY) is refused naming the part, so a client never gets a series that silently
// means something else than its calendar app would. As in RFC 5545, BYMONTHDAY=31 skips the
// months without a 31st (it is not moved to the 30th), 5MO skips the months with four
// Mondays, and COUNT counts the occurrences the rule generates, holidays included (holidays
// are EXDATEs: excluded after the count).
//
// Days are day numbers from 1970-01-01 in the organisation's local time (local_day.h);
// organisations have a fixed UTC offset, so a local wall-clock time maps to one instant.

enum class Frequency { kWeekly, kMonthly };

// One BYDAY entry: weekday 0 = Monday .. 6 = Sunday; ordinal 0 = every such weekday of the
// period, 1..5 = the n-th of the month, -1..-5 = the n-th from the end of the month.
struct WeekdayNum {
  int weekday = 0;
  int ordinal = 0;
};

struct RecurrenceRule {
  Frequency frequency = Frequency::kWeekly;
  int interval = 1;                     // 1..99
  std::vector<WeekdayNum> by_day;       // empty: DTSTART's weekday (weekly)
  std::vector<int> by_month_day;        // 1..31 or -31..-1; empty with empty by_day: DTSTART's
  std::optional<int> count;             // 1..1000
  std::optional<int64_t> until_day;     // UTC-less date form: last local day, inclusive
  std::optional<int64_t> until_micros;  // date-time form (UTC): last start instant, inclusive
};

// Parses an RRULE value (an optional "RRULE:" prefix is accepted; names are
// case-insensitive). INVALID_ARGUMENT naming `field`, with the offending part in the
// message, for anything outside the subset above.
absl::StatusOr<RecurrenceRule> ParseRecurrenceRule(std::string_view text, std::string_view field);

// The weekday of a day number (0 = Monday .. 6 = Sunday).
int Weekday(int64_t day);

// Whether `day` is one the rule selects by its BY* parts alone, relative to a DTSTART on
// `start_day` (INTERVAL, BYDAY, BYMONTHDAY; COUNT and UNTIL ignored): a DTSTART must be one
// of its own rule's days, since RFC 5545 leaves a series with an unsynchronised DTSTART
// undefined.
bool Selects(const RecurrenceRule& rule, int64_t start_day, int64_t day);

// One occurrence: its local day and the instant it starts.
struct Occurrence {
  int64_t day = 0;
  int64_t start_micros = 0;
};

// Calls `visit` for every occurrence in order, from DTSTART (`start_micros`, read in local
// time at `utc_offset_minutes`) on, until COUNT or UNTIL ends the series, an occurrence would
// start at or after `before_micros`, or `visit` returns false. Every occurrence starts at
// DTSTART's local wall-clock time. Pure; thread-safe.
void Expand(const RecurrenceRule& rule, int64_t start_micros, int32_t utc_offset_minutes,
            int64_t before_micros, const std::function<bool(const Occurrence&)>& visit);

}  // namespace branchline::calendar
