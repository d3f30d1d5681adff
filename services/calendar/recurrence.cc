#include "services/calendar/recurrence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <string>

#include "services/common/errors.h"
#include "services/common/local_day.h"
#include "services/common/status_macros.h"

namespace branchline::calendar {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000LL;
constexpr int64_t kMicrosPerDay = 1440 * kMicrosPerMinute;
constexpr std::array<std::string_view, 7> kDayNames = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr char kSupported[] =
    " (supported: FREQ=WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL, WKST=MO)";

int64_t FloorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// A signed decimal integer filling all of `s` (an optional leading + or -).
std::optional<int> ParseInt(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 6) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return negative ? -value : value;
}

int DaysInMonth(int year, int month) {
  int64_t first = CivilToDay(year, month, 1);
  int64_t next = month == 12 ? CivilToDay(year + 1, 1, 1) : CivilToDay(year, month + 1, 1);
  return static_cast<int>(next - first);
}

// UNTIL: YYYYMMDD (a local date) or YYYYMMDDTHHMMSSZ (a UTC instant). A date-time without
// the Z would be floating local time; refused to keep one meaning.
absl::Status ParseUntil(std::string_view value, RecurrenceRule& rule, const std::string& field) {
  auto bad = [&] {
    return InvalidField(
        field, "UNTIL=" + std::string(value) + " must be YYYYMMDD or YYYYMMDDTHHMMSSZ (UTC)");
  };
  if (value.size() != 8 && value.size() != 16) return bad();
  for (size_t i = 0; i < value.size(); ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(value[i])) != 0;
    if (i == 8 ? value[i] != 'T' : i == 15 ? value[i] != 'Z' : !digit) return bad();
  }
  auto num = [&](size_t at, size_t len) { return *ParseInt(value.substr(at, len)); };
  int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return bad();
  }
  int64_t civil = CivilToDay(year, month, day);
  if (value.size() == 8) {
    rule.until_day = civil;
    return absl::OkStatus();
  }
  int hour = num(9, 2), minute = num(11, 2), second = num(13, 2);
  if (hour > 23 || minute > 59 || second > 59) return bad();
  rule.until_micros = civil * kMicrosPerDay + (hour * 3600LL + minute * 60 + second) * 1'000'000;
  return absl::OkStatus();
}

absl::Status ParseByDay(std::string_view value, RecurrenceRule& rule, const std::string& field) {
  for (std::string_view item : Split(value, ',')) {
    auto bad = [&](std::string_view why) {
      return InvalidField(field, "BYDAY " + std::string(item) + ": " + std::string(why));
    };
    if (item.size() < 2) return bad("needs a weekday MO..SU");
    auto name = std::find(kDayNames.begin(), kDayNames.end(), item.substr(item.size() - 2));
    if (name == kDayNames.end()) return bad("needs a weekday MO..SU");
    WeekdayNum entry{static_cast<int>(name - kDayNames.begin()), 0};
    std::string_view ordinal = item.substr(0, item.size() - 2);
    if (!ordinal.empty()) {
      auto n = ParseInt(ordinal);
      if (!n || *n == 0 || *n < -5 || *n > 5) return bad("the ordinal must be 1..5 or -5..-1");
      entry.ordinal = *n;
    }
    for (const auto& seen : rule.by_day) {
      if (seen.weekday == entry.weekday && seen.ordinal == entry.ordinal) return bad("repeated");
    }
    rule.by_day.push_back(entry);
  }
  return absl::OkStatus();
}

absl::Status ParseByMonthDay(std::string_view value, RecurrenceRule& rule,
                             const std::string& field) {
  for (std::string_view item : Split(value, ',')) {
    auto n = ParseInt(item);
    if (!n || *n == 0 || *n < -31 || *n > 31) {
      return InvalidField(field, "BYMONTHDAY " + std::string(item) + " must be 1..31 or -31..-1");
    }
    if (std::find(rule.by_month_day.begin(), rule.by_month_day.end(), *n) !=
        rule.by_month_day.end()) {
      return InvalidField(field, "BYMONTHDAY " + std::string(item) + " is repeated");
    }
    rule.by_month_day.push_back(*n);
  }
  return absl::OkStatus();
}

absl::Status ParsePart(std::string_view name, std::string_view value, RecurrenceRule& rule,
                       const std::string& field) {
  auto number = [&](int low, int high) -> absl::StatusOr<int> {
    auto n = ParseInt(value);
    if (!n || *n < low || *n > high) {
      return InvalidField(field, std::string(name) + "=" + std::string(value) + " must be " +
                                     std::to_string(low) + ".." + std::to_string(high));
    }
    return *n;
  };
  if (name == "FREQ") {
    if (value == "WEEKLY") {
      rule.frequency = Frequency::kWeekly;
    } else if (value == "MONTHLY") {
      rule.frequency = Frequency::kMonthly;
    } else {
      return InvalidField(
          field, "FREQ=" + std::string(value) + " is not supported (supported: WEEKLY, MONTHLY)");
    }
  } else if (name == "INTERVAL") {
    ASSIGN_OR_RETURN(rule.interval, number(1, 99));
  } else if (name == "COUNT") {
    ASSIGN_OR_RETURN(rule.count, number(1, 1000));
  } else if (name == "UNTIL") {
    RETURN_IF_ERROR(ParseUntil(value, rule, field));
  } else if (name == "BYDAY") {
    RETURN_IF_ERROR(ParseByDay(value, rule, field));
  } else if (name == "BYMONTHDAY") {
    RETURN_IF_ERROR(ParseByMonthDay(value, rule, field));
  } else if (name == "WKST") {
    // Weeks start on Monday (the RFC's default, and China's); another start would shift
    // which weeks INTERVAL=2 picks.
    if (value != "MO") return InvalidField(field, "WKST=" + std::string(value) + kSupported);
  } else {
    return InvalidField(field, std::string(name) + " is not supported" + kSupported);
  }
  return absl::OkStatus();
}

// The days of the period (a week from its Monday, or a month) that the rule selects,
// sorted, before COUNT/UNTIL and before the DTSTART cut.
std::vector<int64_t> WeekDays(const RecurrenceRule& rule, int64_t monday, int start_weekday) {
  std::vector<int64_t> days;
  if (rule.by_day.empty()) {
    days.push_back(monday + start_weekday);
  } else {
    for (const auto& d : rule.by_day) days.push_back(monday + d.weekday);
  }
  std::sort(days.begin(), days.end());
  return days;
}

std::vector<int64_t> MonthDays(const RecurrenceRule& rule, int year, int month, int start_mday) {
  const int64_t first = CivilToDay(year, month, 1);
  const int length = DaysInMonth(year, month);
  std::vector<int64_t> days;
  auto add_mday = [&](int n) {
    int mday = n > 0 ? n : length + n + 1;
    if (mday >= 1 && mday <= length) days.push_back(first + mday - 1);
  };
  if (!rule.by_day.empty()) {
    for (const auto& d : rule.by_day) {
      int64_t first_match = first + FloorMod(d.weekday - Weekday(first), 7);
      std::vector<int64_t> all;
      for (int64_t day = first_match; day < first + length; day += 7) all.push_back(day);
      if (d.ordinal == 0) {
        days.insert(days.end(), all.begin(), all.end());
      } else if (d.ordinal > 0 && d.ordinal <= static_cast<int>(all.size())) {
        days.push_back(all[d.ordinal - 1]);
      } else if (d.ordinal < 0 && -d.ordinal <= static_cast<int>(all.size())) {
        days.push_back(all[all.size() + d.ordinal]);
      }
    }
  } else if (!rule.by_month_day.empty()) {
    for (int n : rule.by_month_day) add_mday(n);
  } else {
    add_mday(start_mday);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

}  // namespace

int Weekday(int64_t day) { return static_cast<int>(FloorMod(day + 3, 7)); }  // 1970-01-01: Thu

absl::StatusOr<RecurrenceRule> ParseRecurrenceRule(std::string_view text, std::string_view field) {
  const std::string f(field);
  std::string upper = Upper(text);
  std::string_view rest = upper;
  if (rest.substr(0, 6) == "RRULE:") rest.remove_prefix(6);
  if (rest.empty()) return InvalidField(f, "is required");
  if (rest.size() > 500) return InvalidField(f, "must be at most 500 characters");
  RecurrenceRule rule;
  std::map<std::string_view, bool> seen;
  for (std::string_view part : Split(rest, ';')) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size()) {
      return InvalidField(f, "part \"" + std::string(part) + "\" must be NAME=VALUE");
    }
    std::string_view name = part.substr(0, eq);
    if (seen[name]) return InvalidField(f, std::string(name) + " is given twice");
    seen[name] = true;
    RETURN_IF_ERROR(ParsePart(name, part.substr(eq + 1), rule, f));
  }
  if (!seen["FREQ"]) return InvalidField(f, "FREQ is required (WEEKLY or MONTHLY)");
  if (rule.count && (rule.until_day || rule.until_micros)) {
    return InvalidField(f, "COUNT and UNTIL must not both be given (RFC 5545)");
  }
  if (rule.frequency == Frequency::kWeekly) {
    if (!rule.by_month_day.empty()) {
      return InvalidField(f, "BYMONTHDAY is not supported with FREQ=WEEKLY");
    }
    for (const auto& d : rule.by_day) {
      if (d.ordinal != 0) {
        return InvalidField(f, "BYDAY ordinals (1MO, -1FR) need FREQ=MONTHLY");
      }
    }
  } else if (!rule.by_day.empty() && !rule.by_month_day.empty()) {
    return InvalidField(f, "BYDAY together with BYMONTHDAY is not supported");
  }
  return rule;
}

bool Selects(const RecurrenceRule& rule, int64_t start_day, int64_t day) {
  if (day < start_day) return false;
  if (rule.frequency == Frequency::kWeekly) {
    int64_t start_monday = start_day - Weekday(start_day);
    int64_t weeks = (day - Weekday(day) - start_monday) / 7;
    if (weeks % rule.interval != 0) return false;
    auto days = WeekDays(rule, day - Weekday(day), Weekday(start_day));
    return std::binary_search(days.begin(), days.end(), day);
  }
  CivilDate start = DayToCivil(start_day), civil = DayToCivil(day);
  int64_t months = (civil.year - start.year) * 12LL + (civil.month - start.month);
  if (months % rule.interval != 0) return false;
  auto days = MonthDays(rule, civil.year, civil.month, start.day);
  return std::binary_search(days.begin(), days.end(), day);
}

void Expand(const RecurrenceRule& rule, int64_t start_micros, int32_t utc_offset_minutes,
            int64_t before_micros, const std::function<bool(const Occurrence&)>& visit) {
  const int64_t start_day = LocalDay(start_micros, utc_offset_minutes);
  const int64_t time_of_day = start_micros - LocalDayStartMicros(start_day, utc_offset_minutes);
  int emitted = 0;
  // Returns false once the series or the caller is done.
  auto emit = [&](int64_t day) {
    if (day < start_day) return true;
    Occurrence o{day, LocalDayStartMicros(day, utc_offset_minutes) + time_of_day};
    if (rule.count && emitted >= *rule.count) return false;
    if (rule.until_day && day > *rule.until_day) return false;
    if (rule.until_micros && o.start_micros > *rule.until_micros) return false;
    if (o.start_micros >= before_micros) return false;
    ++emitted;
    return visit(o);
  };
  // A period that starts at or after the bound cannot hold an occurrence before it.
  auto past_bound = [&](int64_t first_day) {
    return LocalDayStartMicros(first_day, utc_offset_minutes) + time_of_day >= before_micros ||
           (rule.until_day && first_day > *rule.until_day) ||
           (rule.until_micros &&
            LocalDayStartMicros(first_day, utc_offset_minutes) + time_of_day > *rule.until_micros);
  };
  if (rule.frequency == Frequency::kWeekly) {
    const int start_weekday = Weekday(start_day);
    const int64_t last_day = CivilToDay(9999, 12, 31);
    for (int64_t monday = start_day - start_weekday;; monday += 7LL * rule.interval) {
      if (monday > last_day || past_bound(monday)) return;
      for (int64_t day : WeekDays(rule, monday, start_weekday)) {
        if (!emit(day)) return;
      }
    }
  }
  const CivilDate start = DayToCivil(start_day);
  for (int64_t index = start.year * 12LL + (start.month - 1);; index += rule.interval) {
    int year = static_cast<int>(index / 12), month = static_cast<int>(index % 12) + 1;
    if (year > 9999 || past_bound(CivilToDay(year, month, 1))) return;
    for (int64_t day : MonthDays(rule, year, month, start.day)) {
      if (!emit(day)) return;
    }
  }
}

}  // namespace branchline::calendar
