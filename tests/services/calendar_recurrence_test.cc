// The RRULE subset of meeting series (services/calendar/recurrence.h), checked against an
// independent expansion: std::chrono's calendar, walked day by day, asking of each day
// whether the rule's text says it belongs (no period arithmetic shared with the module).
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "services/calendar/recurrence.h"

namespace branchline::calendar {
namespace {

namespace chr = std::chrono;
using chr::sys_days;
using chr::year_month_day;

constexpr int64_t kMinute = 60'000'000LL;

year_month_day Date(int y, unsigned m, unsigned d) {
  return year_month_day{chr::year{y}, chr::month{m}, chr::day{d}};
}

// The instant (UTC micros) of local wall-clock `minute_of_day` on `date` at `offset_minutes`.
int64_t LocalInstant(year_month_day date, int minute_of_day, int offset_minutes) {
  auto days = sys_days{date}.time_since_epoch().count();
  return (int64_t{days} * 1440 + minute_of_day - offset_minutes) * kMinute;
}

// The rule, as the test reads its text.
struct OracleRule {
  bool weekly = true;
  int interval = 1;
  std::vector<std::pair<unsigned, int>> by_day;  // ISO weekday 1..7, ordinal
  std::vector<int> by_month_day;
  int count = 0;
  std::optional<year_month_day> until;
};

unsigned Iso(year_month_day d) { return chr::weekday{sys_days{d}}.iso_encoding(); }
sys_days MondayOf(year_month_day d) { return sys_days{d} - chr::days{Iso(d) - 1}; }
int MonthIndex(year_month_day d) {
  return int{d.year()} * 12 + static_cast<int>(unsigned{d.month()}) - 1;
}

bool Matches(const OracleRule& r, year_month_day start, year_month_day d) {
  if (sys_days{d} < sys_days{start}) return false;
  if (r.weekly) {
    long weeks = (MondayOf(d) - MondayOf(start)).count() / 7;
    if (weeks % r.interval != 0) return false;
    if (r.by_day.empty()) return Iso(d) == Iso(start);
    for (auto [wd, ord] : r.by_day) {
      if (wd == Iso(d)) return true;
    }
    return false;
  }
  if ((MonthIndex(d) - MonthIndex(start)) % r.interval != 0) return false;
  int dom = static_cast<int>(unsigned{d.day()});
  int dim = static_cast<int>(
      unsigned{chr::year_month_day_last{d.year(), chr::month_day_last{d.month()}}.day()});
  if (!r.by_day.empty()) {
    for (auto [wd, ord] : r.by_day) {
      if (wd != Iso(d)) continue;
      if (ord == 0 || (ord > 0 && (dom - 1) / 7 + 1 == ord) ||
          (ord < 0 && (dim - dom) / 7 + 1 == -ord)) {
        return true;
      }
    }
    return false;
  }
  if (!r.by_month_day.empty()) {
    for (int n : r.by_month_day) {
      if ((n > 0 && dom == n) || (n < 0 && dom == dim + n + 1)) return true;
    }
    return false;
  }
  return d.day() == start.day();
}

// Occurrence instants by brute force: every day from the start for ~4 years.
std::vector<int64_t> Oracle(const OracleRule& r, year_month_day start, int minute_of_day,
                            int offset, int64_t before) {
  std::vector<int64_t> out;
  for (sys_days d = sys_days{start}; d < sys_days{start} + chr::days{1500}; d += chr::days{1}) {
    year_month_day ymd{d};
    if (!Matches(r, start, ymd)) continue;
    if (r.until && d > sys_days{*r.until}) break;
    if (r.count > 0 && static_cast<int>(out.size()) == r.count) break;
    int64_t at = LocalInstant(ymd, minute_of_day, offset);
    if (at >= before) break;
    out.push_back(at);
  }
  return out;
}

std::vector<int64_t> Expanded(const std::string& text, int64_t start, int offset, int64_t before) {
  auto rule = ParseRecurrenceRule(text, "series.rule");
  EXPECT_TRUE(rule.ok()) << text << ": " << rule.status();
  std::vector<int64_t> out;
  if (!rule.ok()) return out;
  Expand(*rule, start, offset, before, [&](const Occurrence& o) {
    out.push_back(o.start_micros);
    return true;
  });
  return out;
}

// The local dates (as year_month_day) of instants at `offset`.
std::vector<year_month_day> Dates(const std::vector<int64_t>& instants, int offset) {
  std::vector<year_month_day> out;
  for (int64_t at : instants) {
    auto minutes = at / kMinute + offset;
    out.push_back(year_month_day{sys_days{chr::days{minutes / 1440 - (minutes % 1440 < 0)}}});
  }
  return out;
}

constexpr int kCst = 480;  // +08:00
const int64_t kFar = LocalInstant(Date(2035, 1, 1), 0, 0);

TEST(RecurrenceTest, WeeklyMondayCount) {
  int64_t start = LocalInstant(Date(2027, 1, 4), 9 * 60, kCst);  // a Monday
  auto got = Expanded("FREQ=WEEKLY;BYDAY=MO;COUNT=10", start, kCst, kFar);
  OracleRule r;
  r.by_day = {{1, 0}};
  r.count = 10;
  EXPECT_EQ(got, Oracle(r, Date(2027, 1, 4), 9 * 60, kCst, kFar));
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[9] - got[0], 9 * 7 * 1440 * kMinute);
}

TEST(RecurrenceTest, EveryOtherWeekOnWednesdayAndFriday) {
  int64_t start = LocalInstant(Date(2027, 1, 6), 14 * 60, kCst);  // a Wednesday
  auto got = Expanded("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR;UNTIL=20270630", start, kCst, kFar);
  OracleRule r;
  r.interval = 2;
  r.by_day = {{3, 0}, {5, 0}};
  r.until = Date(2027, 6, 30);
  EXPECT_EQ(got, Oracle(r, Date(2027, 1, 6), 14 * 60, kCst, kFar));
  auto dates = Dates(got, kCst);
  ASSERT_GE(dates.size(), 4u);
  EXPECT_EQ(dates[0], Date(2027, 1, 6));
  EXPECT_EQ(dates[1], Date(2027, 1, 8));
  EXPECT_EQ(dates[2], Date(2027, 1, 20));  // the week of the 13th is skipped
  EXPECT_EQ(dates[3], Date(2027, 1, 22));
}

TEST(RecurrenceTest, MonthlyOnThe31stSkipsShortMonths) {
  int64_t start = LocalInstant(Date(2027, 1, 31), 9 * 60, kCst);
  auto got = Expanded("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7", start, kCst, kFar);
  EXPECT_EQ(Dates(got, kCst),
            (std::vector<year_month_day>{Date(2027, 1, 31), Date(2027, 3, 31), Date(2027, 5, 31),
                                         Date(2027, 7, 31), Date(2027, 8, 31), Date(2027, 10, 31),
                                         Date(2027, 12, 31)}));
  // With no BYMONTHDAY the day comes from DTSTART: the same months are skipped.
  EXPECT_EQ(Expanded("FREQ=MONTHLY;COUNT=7", start, kCst, kFar), got);
}

TEST(RecurrenceTest, LeapDayOnlyInLeapYears) {
  int64_t start = LocalInstant(Date(2027, 1, 29), 9 * 60, kCst);
  auto dates =
      Dates(Expanded("FREQ=MONTHLY;BYMONTHDAY=29;UNTIL=20280331", start, kCst, kFar), kCst);
  std::set<std::pair<int, unsigned>> months;
  for (auto d : dates) months.insert({int{d.year()}, unsigned{d.month()}});
  EXPECT_FALSE(months.count({2027, 2}));  // 2027 is not a leap year
  EXPECT_TRUE(months.count({2028, 2}));   // 2028-02-29 exists
  EXPECT_EQ(dates.size(), 14u);
  // The last day of February, leap or not.
  int64_t jan = LocalInstant(Date(2027, 1, 31), 9 * 60, kCst);
  auto last = Dates(Expanded("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=14", jan, kCst, kFar), kCst);
  EXPECT_EQ(last[1], Date(2027, 2, 28));
  EXPECT_EQ(last[13], Date(2028, 2, 29));
}

TEST(RecurrenceTest, LastFridayOfTheMonth) {
  int64_t start = LocalInstant(Date(2027, 1, 29), 15 * 60, kCst);  // last Friday of January
  auto got = Expanded("FREQ=MONTHLY;BYDAY=-1FR;COUNT=24", start, kCst, kFar);
  OracleRule r;
  r.weekly = false;
  r.by_day = {{5, -1}};
  r.count = 24;
  EXPECT_EQ(got, Oracle(r, Date(2027, 1, 29), 15 * 60, kCst, kFar));
  auto dates = Dates(got, kCst);
  EXPECT_EQ(dates[1], Date(2027, 2, 26));
  EXPECT_EQ(dates[2], Date(2027, 3, 26));
  EXPECT_EQ(dates[4], Date(2027, 5, 28));
}

TEST(RecurrenceTest, FifthMondaySkipsMonthsWithFour) {
  int64_t start = LocalInstant(Date(2027, 3, 29), 9 * 60, kCst);  // 5th Monday of March
  auto dates = Dates(Expanded("FREQ=MONTHLY;BYDAY=5MO;COUNT=3", start, kCst, kFar), kCst);
  EXPECT_EQ(dates,
            (std::vector<year_month_day>{Date(2027, 3, 29), Date(2027, 5, 31), Date(2027, 8, 30)}));
}

TEST(RecurrenceTest, CountAndUntilAgree) {
  int64_t start = LocalInstant(Date(2027, 2, 1), 8 * 60, kCst);  // first Monday of February
  auto by_count = Expanded("FREQ=MONTHLY;BYDAY=1MO;COUNT=5", start, kCst, kFar);
  ASSERT_EQ(by_count.size(), 5u);
  auto fifth = Dates(by_count, kCst)[4];
  char until[32];
  std::snprintf(until, sizeof until, "%04d%02u%02u", int{fifth.year()}, unsigned{fifth.month()},
                unsigned{fifth.day()});
  EXPECT_EQ(Expanded(std::string("FREQ=MONTHLY;BYDAY=1MO;UNTIL=") + until, start, kCst, kFar),
            by_count);
  // UNTIL as a UTC date-time is inclusive of an occurrence starting exactly then.
  int64_t fifth_start = by_count[4];
  auto utc = Dates({fifth_start}, 0)[0];
  int minute = static_cast<int>((fifth_start / kMinute) % 1440);
  std::snprintf(until, sizeof until, "%04d%02u%02uT%02d%02d00Z", int{utc.year()},
                unsigned{utc.month()}, unsigned{utc.day()}, minute / 60, minute % 60);
  EXPECT_EQ(Expanded(std::string("FREQ=MONTHLY;BYDAY=1MO;UNTIL=") + until, start, kCst, kFar),
            by_count);
}

TEST(RecurrenceTest, LocalDaysAcrossUtcMidnight) {
  // 07:00 on a Monday in +08:00 is 23:00 UTC on the Sunday before.
  int64_t start = LocalInstant(Date(2027, 1, 4), 7 * 60, kCst);
  auto got = Expanded("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6", start, kCst, kFar);
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < got.size(); ++i) {
    auto local = Dates({got[i]}, kCst)[0];
    auto utc = Dates({got[i]}, 0)[0];
    EXPECT_EQ(Iso(local), i % 2 == 0 ? 1u : 4u);
    EXPECT_EQ(sys_days{utc} + chr::days{1}, sys_days{local});
    EXPECT_EQ((got[i] / kMinute) % 1440, 23 * 60);
  }
  // A day-end bound cuts in local time: before Thursday 07:00 local is before Wednesday 23:00 UTC.
  int64_t bound = LocalInstant(Date(2027, 1, 7), 7 * 60, kCst);
  EXPECT_EQ(Expanded("FREQ=WEEKLY;BYDAY=MO,TH", start, kCst, bound).size(), 1u);
}

TEST(RecurrenceTest, RandomRulesMatchTheDayByDayExpansion) {
  std::mt19937 random(20261203);
  const char* names[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    OracleRule r;
    std::string text;
    r.weekly = random() % 2 == 0;
    r.interval = 1 + static_cast<int>(random() % 3);
    text = std::string("FREQ=") + (r.weekly ? "WEEKLY" : "MONTHLY") +
           ";INTERVAL=" + std::to_string(r.interval);
    int shape = static_cast<int>(random() % 3);
    if (shape == 1) {
      std::string days;
      std::set<unsigned> used;
      for (int k = 0, n = 1 + static_cast<int>(random() % 3); k < n; ++k) {
        unsigned wd = 1 + random() % 7;
        int ord = r.weekly ? 0 : static_cast<int>(random() % 11) - 5;  // -5..5
        if (!used.insert(wd * 16 + static_cast<unsigned>(ord + 5)).second) continue;
        r.by_day.push_back({wd, ord});
        days += (days.empty() ? "" : ",") + (ord != 0 ? std::to_string(ord) : "") + names[wd - 1];
      }
      text += ";BYDAY=" + days;
    } else if (shape == 2 && !r.weekly) {
      int n = static_cast<int>(random() % 62) - 31;
      if (n == 0) n = 1;
      r.by_month_day.push_back(n);
      text += ";BYMONTHDAY=" + std::to_string(n);
    }
    if (random() % 2 == 0) {
      r.count = 1 + static_cast<int>(random() % 40);
      text += ";COUNT=" + std::to_string(r.count);
    }
    // DTSTART: the first day from a random seed that the rule selects with itself as start.
    sys_days seed = sys_days{Date(2024, 1, 1)} + chr::days{random() % 1200};
    sys_days start = seed;
    while (!Matches(r, year_month_day{start}, year_month_day{start})) start += chr::days{1};
    int offset = static_cast<int>(random() % 1561) - 720;  // -12:00 .. +14:00
    int minute = static_cast<int>(random() % 1440);
    int64_t begin = LocalInstant(year_month_day{start}, minute, offset);
    int64_t before = begin + static_cast<int64_t>(random() % 900) * 1440 * kMinute;
    auto want = Oracle(r, year_month_day{start}, minute, offset, before);
    EXPECT_EQ(Expanded(text, begin, offset, before), want) << text << " offset " << offset;
    auto parsed = ParseRecurrenceRule(text, "rule");
    ASSERT_TRUE(parsed.ok());
    int64_t start_day = sys_days{start}.time_since_epoch().count();
    EXPECT_TRUE(Selects(*parsed, start_day, start_day)) << text;
    checked += static_cast<int>(want.size());
  }
  EXPECT_GT(checked, 2000);  // the rounds really produced occurrences to compare
}

TEST(RecurrenceTest, SelectsTellsWhetherDtstartFitsTheRule) {
  auto rule = ParseRecurrenceRule("FREQ=WEEKLY;BYDAY=MO", "rule");
  ASSERT_TRUE(rule.ok());
  int64_t monday = sys_days{Date(2027, 1, 4)}.time_since_epoch().count();
  EXPECT_TRUE(Selects(*rule, monday, monday));
  EXPECT_FALSE(Selects(*rule, monday + 1, monday + 1));
  EXPECT_EQ(Weekday(monday), 0);
}

// Everything outside the subset is INVALID_ARGUMENT naming the field and the part.
TEST(RecurrenceTest, RefusesWhatIsOutsideTheSubset) {
  struct Case {
    const char* rule;
    const char* says;
  };
  const Case cases[] = {
      {"", "is required"},
      {"FREQ=DAILY", "FREQ=DAILY"},
      {"FREQ=YEARLY;BYMONTH=1", "FREQ=YEARLY"},
      {"FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1", "BYSETPOS"},
      {"FREQ=WEEKLY;BYHOUR=9", "BYHOUR"},
      {"BYDAY=MO", "FREQ is required"},
      {"FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT and UNTIL"},
      {"FREQ=WEEKLY;BYDAY=1MO", "need FREQ=MONTHLY"},
      {"FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY"},
      {"FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=3", "BYDAY together with BYMONTHDAY"},
      {"FREQ=MONTHLY;BYDAY=6MO", "BYDAY 6MO"},
      {"FREQ=WEEKLY;BYDAY=XX", "BYDAY XX"},
      {"FREQ=WEEKLY;BYDAY=MO,MO", "repeated"},
      {"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY 32"},
      {"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY 0"},
      {"FREQ=WEEKLY;INTERVAL=0", "INTERVAL=0"},
      {"FREQ=WEEKLY;COUNT=1001", "COUNT=1001"},
      {"FREQ=WEEKLY;COUNT=x", "COUNT=X"},
      {"FREQ=WEEKLY;UNTIL=20270230", "UNTIL=20270230"},
      {"FREQ=WEEKLY;UNTIL=20270101T090000", "UNTIL=20270101T090000"},
      {"FREQ=WEEKLY;WKST=SU", "WKST=SU"},
      {"FREQ=WEEKLY;FREQ=WEEKLY", "FREQ is given twice"},
      {"FREQ=WEEKLY;;COUNT=2", "NAME=VALUE"},
      {"FREQ", "NAME=VALUE"},
  };
  for (const auto& c : cases) {
    auto rule = ParseRecurrenceRule(c.rule, "series.rule");
    ASSERT_FALSE(rule.ok()) << c.rule;
    EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument) << c.rule;
    std::string message(rule.status().message());
    EXPECT_EQ(message.rfind("series.rule", 0), 0u) << message;
    EXPECT_NE(message.find(c.says), std::string::npos) << c.rule << " -> " << message;
  }
}

TEST(RecurrenceTest, AcceptsThePrefixLowerCaseAndWkstMonday) {
  auto rule = ParseRecurrenceRule("RRULE:freq=weekly;byday=mo,we;wkst=MO;interval=2", "rule");
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->frequency, Frequency::kWeekly);
  EXPECT_EQ(rule->interval, 2);
  EXPECT_EQ(rule->by_day.size(), 2u);
}

}  // namespace
}  // namespace branchline::calendar
