// The periods a regular-meeting rule is checked over (services/attendance/schedule_periods.h),
// ISO weeks especially: compared with std::chrono's calendar, not with local_day.h.
#include "services/attendance/schedule_periods.h"

#include <gtest/gtest.h>

#include <chrono>

namespace branchline::attendance {
namespace {

namespace chr = std::chrono;
constexpr int64_t kMinute = 60'000'000LL;

// Local midnight of a date at `offset` minutes east of UTC, in UTC micros.
int64_t Midnight(int y, unsigned m, unsigned d, int offset) {
  auto days = chr::sys_days{chr::year_month_day{chr::year{y}, chr::month{m}, chr::day{d}}};
  return (int64_t{days.time_since_epoch().count()} * 1440 - offset) * kMinute;
}

TEST(SchedulePeriods, IsoWeeksOfA53WeekYear) {
  // 2026 starts on a Thursday: its ISO year runs from Monday 2025-12-29 to Sunday 2027-01-03.
  auto weeks = SchedulePeriods(v1::SCHEDULE_FREQUENCY_WEEKLY, 2026, 480);
  ASSERT_EQ(weeks.size(), 53u);
  EXPECT_EQ(weeks.front().label, "2026-W01");
  EXPECT_EQ(weeks.front().from, Midnight(2025, 12, 29, 480));
  EXPECT_EQ(weeks.back().label, "2026-W53");
  EXPECT_EQ(weeks.back().to, Midnight(2027, 1, 4, 480));
  for (size_t i = 0; i < weeks.size(); ++i) {
    EXPECT_EQ(weeks[i].to - weeks[i].from, 7 * 1440 * kMinute);
    if (i > 0) {
      EXPECT_EQ(weeks[i].from, weeks[i - 1].to);
    }
    auto monday = chr::weekday{chr::sys_days{chr::days{(weeks[i].from / kMinute + 480) / 1440}}};
    EXPECT_EQ(monday, chr::Monday);
  }
  EXPECT_EQ(weeks[4].label, "2026-W05");
}

TEST(SchedulePeriods, IsoWeeksOfA52WeekYearAtAnotherOffset) {
  // 2027 starts on a Friday: week 1 begins on Monday 2027-01-04.
  auto weeks = SchedulePeriods(v1::SCHEDULE_FREQUENCY_WEEKLY, 2027, -300);
  ASSERT_EQ(weeks.size(), 52u);
  EXPECT_EQ(weeks.front().from, Midnight(2027, 1, 4, -300));
  EXPECT_EQ(weeks.back().to, Midnight(2028, 1, 3, -300));
}

TEST(SchedulePeriods, CalendarPeriodsSplitTheYear) {
  auto months = SchedulePeriods(v1::SCHEDULE_FREQUENCY_MONTHLY, 2028, 480);
  ASSERT_EQ(months.size(), 12u);
  EXPECT_EQ(months[1].label, "2028-02");
  EXPECT_EQ(months[1].to - months[1].from, 29 * 1440 * kMinute);  // a leap February
  auto quarters = SchedulePeriods(v1::SCHEDULE_FREQUENCY_QUARTERLY, 2028, 480);
  ASSERT_EQ(quarters.size(), 4u);
  EXPECT_EQ(quarters[3].label, "2028-Q4");
  EXPECT_EQ(quarters[3].to, Midnight(2029, 1, 1, 480));
  EXPECT_EQ(SchedulePeriods(v1::SCHEDULE_FREQUENCY_HALF_YEARLY, 2028, 480)[1].label, "2028-H2");
  auto year = SchedulePeriods(v1::SCHEDULE_FREQUENCY_YEARLY, 2028, 480);
  ASSERT_EQ(year.size(), 1u);
  EXPECT_EQ(year[0].label, "2028");
  EXPECT_EQ(year[0].from, Midnight(2028, 1, 1, 480));
}

}  // namespace
}  // namespace branchline::attendance
