#include <gtest/gtest.h>

#include "services/common/device_time.h"
#include "services/common/local_day.h"

namespace branchline {
namespace {

constexpr int64_t kHour = 3'600'000'000LL;
constexpr int32_t kChina = 480;

TEST(LocalDay, MidnightEdgesFollowTheOffset) {
  // 2026-03-02 00:00 in UTC+8 is 2026-03-01 16:00 UTC.
  int64_t day = CivilToDay(2026, 3, 2);
  int64_t start = LocalDayStartMicros(day, kChina);
  EXPECT_EQ(LocalDay(start, kChina), day);
  EXPECT_EQ(LocalDay(start - 1, kChina), day - 1);
  EXPECT_EQ(LocalDay(start + 24 * kHour - 1, kChina), day);
  EXPECT_EQ(LocalDay(start, 0), day - 1);  // still the 1st in UTC
  // Negative offsets and instants before the epoch.
  EXPECT_EQ(LocalDay(0, -300), -1);
  EXPECT_EQ(LocalDay(-1, 0), -1);
}

TEST(LocalDay, CivilRoundTripsAcrossLeapYears) {
  for (int64_t d = CivilToDay(1999, 12, 25); d < CivilToDay(2031, 1, 5); ++d) {
    auto c = DayToCivil(d);
    ASSERT_EQ(CivilToDay(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(CivilToDay(2024, 3, 1) - CivilToDay(2024, 2, 28), 2);  // leap year
  EXPECT_EQ(CivilToDay(2100, 3, 1) - CivilToDay(2100, 2, 28), 1);  // not a leap year
  EXPECT_EQ(CivilToDay(1970, 1, 1), 0);
}

TEST(DeviceTime, AcceptsTheWindowRefusesFutureAndStale) {
  int64_t now = 1'800'000'000LL * 1'000'000;
  DeviceTimeRules rules;
  EXPECT_TRUE(CheckDeviceTime("device_time", now, now, rules).ok());
  EXPECT_TRUE(CheckDeviceTime("device_time", now + 4 * 60'000'000LL, now, rules).ok());
  EXPECT_TRUE(CheckDeviceTime("device_time", now - 6 * 24 * kHour, now, rules).ok());
  auto future = CheckDeviceTime("device_time", now + kHour, now, rules);
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(future.message()).find("future"), std::string::npos);
  EXPECT_FALSE(CheckDeviceTime("device_time", now - 8 * 24 * kHour, now, rules).ok());
  EXPECT_FALSE(CheckDeviceTime("device_time", 0, now, rules).ok());
}

}  // namespace
}  // namespace branchline
