// Pure rules of attendance: rotating codes, distances, check-in windows, CSV.
#include <gtest/gtest.h>

#include <set>

#include "services/attendance/attendance_csv.h"
#include "services/attendance/check_in_code.h"
#include "services/attendance/check_in_rules.h"

namespace branchline::attendance {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
const std::string kSecret(32, 'k');
const std::string kOtherSecret(32, 'o');

TEST(CheckInCode, StepsAreThirtySeconds) {
  EXPECT_EQ(CodeStep(0), 0);
  EXPECT_EQ(CodeStep(29 * kSecond + 999'999), 0);
  EXPECT_EQ(CodeStep(30 * kSecond), 1);
  EXPECT_EQ(CodeStep(-1), -1);
  EXPECT_EQ(CodeStepStartMicros(CodeStep(1'700'000'012 * kSecond)), 1'700'000'010 * kSecond);
}

TEST(CheckInCode, SixDigitsStableWithinAStepAndChangingAcrossSteps) {
  std::string code = CheckInCodeFor(kSecret, 42, 1000);
  EXPECT_EQ(code.size(), 6u);
  EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(code, CheckInCodeFor(kSecret, 42, 1000));
  std::set<std::string> codes;
  for (int64_t s = 0; s < 50; ++s) codes.insert(CheckInCodeFor(kSecret, 42, s));
  EXPECT_GT(codes.size(), 45u);  // collisions are possible but rare
}

TEST(CheckInCode, VerifiesAtTheCapturedStepWithOneStepOfSkew) {
  const int64_t t = 1'700'000'000 * kSecond;
  std::string code = CheckInCodeFor(kSecret, 7, CodeStep(t));
  EXPECT_TRUE(VerifyCheckInCode(kSecret, 7, code, t));
  EXPECT_TRUE(VerifyCheckInCode(kSecret, 7, code, t + 30 * kSecond));  // phone clock ahead
  EXPECT_TRUE(VerifyCheckInCode(kSecret, 7, code, t - 30 * kSecond));  // phone clock behind
  // Replayed later (two steps on) or claimed earlier, it no longer verifies.
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 7, code, t + 60 * kSecond));
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 7, code, t + 10 * kMinute));
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 7, code, t - 60 * kSecond));
}

TEST(CheckInCode, OtherMeetingsAndSecretsNeverVerify) {
  const int64_t t = 1'700'000'000 * kSecond;
  std::string code = CheckInCodeFor(kSecret, 7, CodeStep(t));
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 8, code, t));
  EXPECT_FALSE(VerifyCheckInCode(kOtherSecret, 7, code, t));
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 7, "12345", t));
  EXPECT_FALSE(VerifyCheckInCode(kSecret, 7, "", t));
}

TEST(CheckInCode, SecretsAreRandomAndQrIsSvg) {
  EXPECT_NE(NewCodeSecret(), NewCodeSecret());
  EXPECT_EQ(NewCodeSecret().size(), kCodeSecretBytes);
  std::string svg = QrSvg("branchline:checkin?meeting=1&code=123456&step=5");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("h1v1h-1z"), std::string::npos);
}

TEST(Distance, HaversineMatchesKnownDistances) {
  EXPECT_NEAR(DistanceMetres(39.9042, 116.4074, 39.9042, 116.4074), 0, 1e-6);
  // One degree of latitude is about 111.2 km.
  EXPECT_NEAR(DistanceMetres(0, 0, 1, 0), 111'195, 100);
  // Beijing to Shanghai, about 1067 km.
  EXPECT_NEAR(DistanceMetres(39.9042, 116.4074, 31.2304, 121.4737), 1'067'000, 5'000);
  // Across the antimeridian.
  EXPECT_NEAR(DistanceMetres(0, 179.9995, 0, -179.9995), 111, 1);
  // 100 m north of a point.
  EXPECT_NEAR(DistanceMetres(30, 120, 30.0008993, 120), 100, 0.5);
}

TEST(Window, ClassifiesEveryPhase) {
  v1::CheckInWindow w;
  w.set_opens_minutes_before(30);
  w.set_late_after_minutes(5);
  w.set_closes_minutes_after(60);
  const int64_t start = 1'700'000'000 * kSecond;
  EXPECT_EQ(ClassifyInWindow(w, start, start - 31 * kMinute), WindowPhase::kNotOpen);
  EXPECT_EQ(ClassifyInWindow(w, start, start - 30 * kMinute), WindowPhase::kOnTime);
  EXPECT_EQ(ClassifyInWindow(w, start, start), WindowPhase::kOnTime);
  EXPECT_EQ(ClassifyInWindow(w, start, start + 5 * kMinute), WindowPhase::kOnTime);
  EXPECT_EQ(ClassifyInWindow(w, start, start + 5 * kMinute + 1), WindowPhase::kLate);
  EXPECT_EQ(ClassifyInWindow(w, start, start + 60 * kMinute), WindowPhase::kLate);
  EXPECT_EQ(ClassifyInWindow(w, start, start + 60 * kMinute + 1), WindowPhase::kClosed);
}

TEST(Window, DefaultsPerType) {
  EXPECT_EQ(DefaultWindow(v1::MEETING_TYPE_SAFETY_MEETING).late_after_minutes(), 5);
  EXPECT_EQ(DefaultWindow(v1::MEETING_TYPE_PRE_SHIFT_MEETING).closes_minutes_after(), 30);
  EXPECT_EQ(DefaultWindow(v1::MEETING_TYPE_GENERAL_MEETING).closes_minutes_after(), 120);
  for (int t = 1; t <= 9; ++t) {
    auto w = DefaultWindow(static_cast<v1::MeetingType>(t));
    EXPECT_LE(w.late_after_minutes(), w.closes_minutes_after());
  }
}

TEST(Csv, QuotesOnlyWhenNeededAndLabelsAreChinese) {
  EXPECT_EQ(CsvLine({"张三", "a,b", "say \"hi\"", "x"}), "张三,\"a,b\",\"say \"\"hi\"\"\",x\r\n");
  // Cells a spreadsheet would run as formulas are shown as text; numbers stay numbers.
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"http://x\",\"点我\")", "@SUM(A1)", "+1", "-3.5", "-", "-x"}),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",'@SUM(A1),+1,-3.5,-,'-x\r\n");
  EXPECT_EQ(StatusLabel(v1::ATTENDANCE_STATUS_MADE_UP), "已补课");
  EXPECT_EQ(LocalTimeText(0, 480), "");
  // 2026-01-05 01:30 UTC is 09:30 in China.
  EXPECT_EQ(LocalTimeText(1'767'576'600LL * kSecond, 480), "2026-01-05 09:30");
  EXPECT_EQ(PercentText(0.875), "87.5%");
}

TEST(Csv, PercentagesRoundHalfUp) {
  EXPECT_EQ(PercentText(9.0 / 16), "56.3%");      // printf's half-to-even gave 56.2 %
  EXPECT_EQ(PercentText(247.0 / 2000), "12.4%");  // stored as 0.12349999...
  EXPECT_EQ(PercentText(1.0 / 3), "33.3%");
  EXPECT_EQ(PercentText(2.0 / 3), "66.7%");
  EXPECT_EQ(PercentText(1.0 / 2000), "0.1%");
  EXPECT_EQ(PercentText(0), "0.0%");
  EXPECT_EQ(PercentText(1), "100.0%");
}

}  // namespace
}  // namespace branchline::attendance
